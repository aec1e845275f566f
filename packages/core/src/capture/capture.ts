/**
 * Write capture: a Dexie DBCore middleware that appends one outbox entry per changed row of a synced table,
 * in the same IndexedDB transaction as the write, so data and queue can never disagree.
 */
// The named export: the default one is a namespace to TypeScript under node16/nodenext resolution.
import {
  type DBCore,
  type DBCoreMutateRequest,
  type DBCoreMutateResponse,
  type DBCoreTable,
  type DBCoreTransaction,
  Dexie,
  type Middleware,
} from 'dexie'
import { nanoid } from 'nanoid'
import { ConfigError } from '../shared/errors.js'
import type { RecordData } from '../wire.js'
import { META_TABLE, OUTBOX_TABLE, Outbox, type OutboxEntry } from './outbox.js'
import { checkTableSchema } from './standardSchema.js'
import { type CapturedTable, checkSyncable, type SyncedTables, validKey, validRow } from './syncedTables.js'

export type { SyncedTableOptions, SyncedTables } from './syncedTables.js'

export interface AttachOutboxOptions<Name extends string = string> {
  tables: SyncedTables<Name>
  /** Milliseconds stamped on each captured change; a hybrid logical clock's `now()` in the engine. */
  timestamp?: () => number
}

/** The names of the tables declared as properties of a typed Dexie subclass, or any string for a plain Dexie. */
export type TableNameOf<DB> = [DeclaredTableName<DB>] extends [never] ? string : DeclaredTableName<DB>
type DeclaredTableName<DB> = {
  [K in keyof DB]: DB[K] extends { core: DBCoreTable; name: string } ? K : never
}[keyof DB] &
  string

/**
 * The outbox and meta stores `attachOutbox` adds to every declared version. Every index costs each
 * captured write, so: no txId index (one transaction's entries are contiguous in `seq`), and `id` is not
 * declared unique (nanoids do not collide; a unique check is one more lookup per row).
 */
export const driftlessStores = {
  [OUTBOX_TABLE]: '++seq, id, status, [collection+recordId]',
  [META_TABLE]: 'key',
} as const

type NewEntry = Omit<OutboxEntry, 'seq'>

/** Per DBCore transaction: the shared txId and the tail of its captures, run one after another. */
interface TransactionState {
  readonly txId: string
  tail: PromiseLike<unknown>
  /** Entries queued so far, taken back if the transaction aborts. */
  queued: number
}

const outboxes = new WeakMap<Dexie, Outbox>()
const capturedTables = new WeakMap<Dexie, ReadonlyMap<string, CapturedTable>>()
const uncapturedTransactions = new WeakSet<object>()

/**
 * Makes the given tables synced: adds the outbox and meta tables to every declared version and
 * registers the capture middleware. Call after `db.version(n).stores(...)` and before the db opens.
 */
export function attachOutbox<DB extends Dexie>(
  db: DB,
  options: AttachOutboxOptions<TableNameOf<DB>>,
): Outbox {
  if (outboxes.has(db)) throw new ConfigError(`attachOutbox(): database "${db.name}" already has an outbox.`)
  if (db.isOpen()) {
    throw new ConfigError(
      `attachOutbox(): database "${db.name}" is already open. Call attachOutbox() right after db.version(n).stores(...), before the first query.`,
    )
  }
  if (!db.verno) {
    throw new ConfigError(
      `attachOutbox(): database "${db.name}" declares no version. Call db.version(1).stores({ ... }) first.`,
    )
  }
  const tables = new Map<string, CapturedTable>()
  for (const [name, declared] of Object.entries(options.tables as SyncedTables)) {
    if (!declared) continue
    const keyPath = checkSyncable(db, name)
    const schema =
      declared === true || declared.schema === undefined ? undefined : checkTableSchema(name, declared.schema)
    tables.set(name, { name, keyPath, schema })
  }
  if (tables.size === 0) {
    throw new ConfigError('attachOutbox(): no synced tables given. Pass { tables: { todos: true } }.')
  }
  declareInEveryVersion(db)
  const outbox = new Outbox(db, [...tables.keys()])
  // Outside the writing transaction: a listener that reads the database must not join it.
  const report = (queued: number) => Dexie.ignoreTransaction(() => outbox.reportCaptured(queued))
  db.use(captureMiddleware(tables, options.timestamp ?? Date.now, report))
  outboxes.set(db, outbox)
  capturedTables.set(db, tables)
  return outbox
}

/** Whether a DBCore transaction is one of the engine's own, whose writes are not captured. */
export function isEngineTransaction(trans: object): boolean {
  return uncapturedTransactions.has(trans)
}

/**
 * Runs `fn` in one read-write transaction over `tableNames`, the outbox and the meta table, in which writes
 * to synced tables are not captured: the engine applies server rows this way.
 */
export function runUncaptured<T>(db: Dexie, tableNames: readonly string[], fn: () => Promise<T>): Promise<T> {
  if (!outboxes.has(db)) {
    throw new ConfigError(
      `runUncaptured(): database "${db.name}" has no outbox. Call attachOutbox(db, ...) first.`,
    )
  }
  const stores = [...new Set([...tableNames, OUTBOX_TABLE, META_TABLE])]
  // Always a transaction of its own: marking a parent transaction would stop capturing the app's writes.
  return Dexie.ignoreTransaction(() =>
    db.transaction('rw', stores, () => {
      uncapturedTransactions.add(Dexie.currentTransaction.idbtrans)
      return fn()
    }),
  )
}

/**
 * Dexie deletes, while upgrading, every store missing from a version it runs, so a store added to the latest
 * version only is dropped (with its queue) by any older version in between. Each version's schema is its
 * own stores plus those of all lower versions, so declaring ours in the lowest one puts them in all of them,
 * also in versions declared later.
 */
function declareInEveryVersion(db: Dexie): void {
  // Dexie lists declared versions only in this internal field (stable since Dexie 1).
  const versions = (db as unknown as { _versions?: readonly { _cfg: { version: number } }[] })._versions ?? []
  const numbers = versions.map((version) => version._cfg.version)
  db.version(numbers.length > 0 ? Math.min(...numbers) : db.verno).stores(driftlessStores)
}

/** Checks a row of a synced table as a captured write would be checked; returns its id, or throws a SyncValidationError. */
export function checkSyncedRow(db: Dexie, table: string, row: object): string {
  const config = capturedTables.get(db)?.get(table)
  if (!config) throw new ConfigError(`Table "${table}" of database "${db.name}" is not synced.`)
  return validRow(config, row, Dexie.getByKeyPath(row, config.keyPath))
}

function captureMiddleware(
  tables: ReadonlyMap<string, CapturedTable>,
  timestamp: () => number,
  report: (queued: number) => void,
): Middleware<DBCore> {
  const states = new WeakMap<DBCoreTransaction, TransactionState>()
  return {
    stack: 'dbcore',
    name: 'DriftlessCapture',
    // Below the hooks middleware (2), so rows are captured as stored, after any 'creating' hook.
    level: 1,
    create(down) {
      return {
        ...down,
        transaction(stores, mode, options) {
          const widen = mode === 'readwrite' && stores.some((name) => tables.has(name))
          const missing = widen ? [OUTBOX_TABLE, META_TABLE].filter((name) => !stores.includes(name)) : []
          return down.transaction(missing.length ? [...stores, ...missing] : stores, mode, options)
        },
        table(name) {
          const table = down.table(name)
          const config = tables.get(name)
          if (!config) return table
          // Resolved at write time: during an upgrade the stack is built before the outbox store exists.
          let outbox: DBCoreTable | undefined
          return {
            ...table,
            mutate(req) {
              if (uncapturedTransactions.has(req.trans) || isVersionChange(req.trans))
                return table.mutate(req)
              let state = states.get(req.trans)
              if (!state) {
                state = { txId: nanoid(), tail: Dexie.Promise.resolve(), queued: 0 }
                states.set(req.trans, state)
                takeBackOnAbort(req.trans, state, report)
              }
              const current = state
              outbox ??= down.table(OUTBOX_TABLE)
              const queue = outbox
              const counted = (queued: number) => {
                current.queued += queued
                report(queued)
              }
              // Captures of one transaction run in order, so each sees the rows the previous one wrote.
              const run = state.tail.then(() =>
                capture(config, table, queue, req, current.txId, timestamp, counted),
              )
              state.tail = run.then(noop, noop)
              return run as Promise<DBCoreMutateResponse>
            },
          }
        },
      }
    },
  }
}

function capture(
  config: CapturedTable,
  table: DBCoreTable,
  outbox: DBCoreTable,
  req: DBCoreMutateRequest,
  txId: string,
  timestamp: () => number,
  counted: (queued: number) => void,
): PromiseLike<DBCoreMutateResponse> {
  const { trans } = req
  const extractKey = table.schema.primaryKey.extractKey!
  const entry = (type: NewEntry['type'], recordId: string, data: unknown, prevData: unknown): NewEntry => ({
    id: nanoid(),
    txId,
    collection: config.name,
    recordId,
    type,
    data: (data ?? null) as RecordData | null,
    prevData: (prevData ?? null) as RecordData | null,
    timestamp: timestamp(),
    status: 'pending',
    retries: 0,
    errorMessage: null,
  })
  type Failures = DBCoreMutateResponse['failures']
  const queue = (entries: NewEntry[]) =>
    outbox.mutate({ trans, type: 'add', values: entries }).then((written) => {
      if (written.numFailures === 0) {
        counted(entries.length)
        return written
      }
      // A write whose entry could not be queued must not commit without it. If the browser aborted the
      // transaction under the write (at its quota, say), its reason is the one to report.
      const { error } = trans as { error?: unknown }
      abortQuietly(trans)
      throw error ?? Object.values(written.failures)[0]
    })
  // Writes the rows and queues their entries side by side, planned as if every row succeeds; rows the
  // store rejected (a bulkAdd duplicate, say) are rare, and then the entries are planned again. `before`
  // reads the rows as they were: issued first, it is answered first, and the write need not wait for it.
  const writeAndQueue = <T>(
    before: PromiseLike<T>,
    plan: (existing: T, failures: Failures) => NewEntry[],
  ): PromiseLike<DBCoreMutateResponse> => {
    const write = table.mutate(req)
    let existing: T
    const queued = before.then(
      (rows) => {
        existing = rows
        const entries = plan(rows, {})
        return entries.length ? queue(entries) : undefined
      },
      (error: unknown) => {
        // The row write is on its way: it must not commit without its entry.
        abortQuietly(trans)
        throw error
      },
    )
    return Dexie.Promise.all([write, queued]).then(([res, written]) => {
      if (res.numFailures === 0) return res
      const keys = written?.results ?? []
      return outbox
        .mutate({ trans, type: 'delete', keys })
        .then(() => {
          counted(-keys.length)
          const actual = plan(existing, res.failures)
          return actual.length ? queue(actual) : undefined
        })
        .then(() => res)
    })
  }
  const rejectWith = (error: unknown) => Dexie.Promise.reject(error) as PromiseLike<DBCoreMutateResponse>

  switch (req.type) {
    case 'add':
    case 'put': {
      if (req.values.length === 0) return table.mutate(req)
      let keys: string[]
      try {
        keys = req.values.map((value) => validRow(config, value, extractKey(value)))
      } catch (error) {
        return rejectWith(error)
      }
      const before = req.type === 'add' ? Dexie.Promise.resolve(undefined) : table.getMany({ trans, keys })
      return writeAndQueue(before, (existing: unknown[] | undefined, failures) => {
        const latest = new Map<string, unknown>()
        const entries: NewEntry[] = []
        req.values.forEach((value, i) => {
          if (failures[i]) return
          const key = keys[i]!
          const prev = latest.has(key) ? latest.get(key) : existing?.[i]
          latest.set(key, value)
          entries.push(entry(prev === undefined ? 'create' : 'update', key, value, prev))
        })
        return entries
      })
    }
    case 'delete': {
      if (req.keys.length === 0) return table.mutate(req)
      try {
        for (const key of req.keys) validKey(config, key)
      } catch (error) {
        return rejectWith(error)
      }
      const before = table.getMany({ trans, keys: req.keys })
      return writeAndQueue(before, (existing, failures) => {
        const gone = new Set<string>()
        const entries: NewEntry[] = []
        req.keys.forEach((key: string, i) => {
          const prev = existing[i]
          if (failures[i] || prev === undefined || gone.has(key)) return
          gone.add(key)
          entries.push(entry('delete', key, null, prev))
        })
        return entries
      })
    }
    case 'deleteRange': {
      const query = { index: table.schema.primaryKey, range: req.range }
      return table.query({ trans, query, values: true }).then(({ result: rows }) => {
        let keys: string[]
        try {
          keys = rows.map((row) => validKey(config, extractKey(row)))
        } catch (error) {
          return rejectWith(error)
        }
        return writeAndQueue(Dexie.Promise.resolve(rows), (_, failures) =>
          Object.keys(failures).length ? [] : rows.map((row, i) => entry('delete', keys[i]!, null, row)),
        )
      })
    }
  }
}

/** Aborts `trans` unless it has finished already (the browser aborted it, say). */
function abortQuietly(trans: DBCoreTransaction): void {
  try {
    trans.abort()
  } catch {
    // Finished: it cannot commit anything more.
  }
}

/** The status counts a write while its transaction runs, so a rollback must take the count back. */
function takeBackOnAbort(
  trans: DBCoreTransaction,
  state: TransactionState,
  report: (queued: number) => void,
) {
  const target = trans as Partial<EventTarget>
  target.addEventListener?.('abort', () => {
    if (state.queued !== 0) report(-state.queued)
  })
}

function isVersionChange(trans: DBCoreTransaction): boolean {
  return (trans as { mode?: string }).mode === 'versionchange'
}

function noop(): void {}
