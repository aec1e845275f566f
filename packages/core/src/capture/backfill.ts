/**
 * Backfill: queues, once, the rows of synced tables that no change describes yet — rows written before the
 * app used Driftless, or while a table was not synced. Rows pulled from the server, uploaded, or already
 * queued are left alone, so nothing is doubled and no server row is overwritten with an older copy.
 */
import Dexie, { type IndexableType } from 'dexie'
import { nanoid } from 'nanoid'
import { ConfigError, SyncValidationError } from '../shared/errors.js'
import { versionKey } from '../sync/knownVersions.js'
import type { RecordData } from '../wire.js'
import { checkSyncedRow } from './capture.js'
import { META_TABLE, OUTBOX_TABLE, type Outbox, type OutboxEntry } from './outbox.js'

export interface BackfillOptions {
  /** Which synced tables; all of them by default. */
  tables?: string | readonly string[]
  /** Rows read and queued per transaction. Default 500. */
  chunkSize?: number
  /** Milliseconds stamped on each queued change; the engine passes its hybrid clock. */
  timestamp?: () => number
}

export interface BackfillResult {
  /** Changes queued by this call, in all tables. */
  queued: number
  /** Changes queued by this call, per table. */
  tables: Record<string, number>
  /** Rows not queued because the server could not store them; fix them and their next write is queued. */
  invalid: SyncValidationError[]
}

/** Progress of one table, saved with each chunk: the last key done, or done. */
type Progress = { after: IndexableType } | { done: true }

const DEFAULT_CHUNK_SIZE = 500

function progressKey(table: string): string {
  return `backfill:${table}`
}

/**
 * Queues a `create` for every row of the synced tables that no change describes yet. Runs in chunks, each
 * in one transaction with the outbox and its saved progress, so a reload or a second call (in any tab)
 * picks up where the last chunk ended and a finished table is never queued again.
 */
export async function backfill(outbox: Outbox, options: BackfillOptions = {}): Promise<BackfillResult> {
  const { db } = outbox
  const tables = options.tables === undefined ? outbox.tables : [options.tables].flat()
  for (const table of tables) {
    if (!outbox.tables.includes(table)) {
      throw new ConfigError(
        `backfill(): "${table}" is not a synced table (synced: ${outbox.tables.join(', ')}). Add it to the tables given to createSyncClient().`,
      )
    }
  }
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE
  if (!(Number.isInteger(chunkSize) && chunkSize > 0)) {
    throw new ConfigError(`backfill(): chunkSize must be a positive integer, got ${chunkSize}.`)
  }
  const timestamp = options.timestamp ?? Date.now
  const result: BackfillResult = { queued: 0, tables: {}, invalid: [] }
  for (const table of tables) {
    result.tables[table] = 0
    for (;;) {
      const chunk = await Dexie.ignoreTransaction(() =>
        db.transaction('rw', [table, OUTBOX_TABLE, META_TABLE], () =>
          queueChunk(db, table, chunkSize, timestamp),
        ),
      )
      if (chunk === null) break
      result.tables[table] += chunk.queued
      result.queued += chunk.queued
      result.invalid.push(...chunk.invalid)
    }
  }
  return result
}

/** One chunk after the saved progress; null once the table is done. */
async function queueChunk(
  db: Dexie,
  table: string,
  chunkSize: number,
  timestamp: () => number,
): Promise<{ queued: number; invalid: SyncValidationError[] } | null> {
  const meta = db.table(META_TABLE)
  const progress = (await meta.get(progressKey(table)))?.value as Progress | undefined
  if (progress && 'done' in progress) return null
  const rows = db.table(table)
  const keyPath = rows.schema.primKey.keyPath as string
  const page = await (progress ? rows.where(':id').above(progress.after) : rows.toCollection())
    .limit(chunkSize)
    .toArray()
  if (page.length === 0) {
    await meta.put({ key: progressKey(table), value: { done: true } satisfies Progress })
    return null
  }
  const keys = page.map((row) => Dexie.getByKeyPath(row, keyPath) as string)
  const first = keys[0]!
  const last = keys[keys.length - 1]!
  const [known, queuedKeys] = await Promise.all([
    meta.bulkGet(keys.map((key) => versionKey(table, key))),
    db
      .table(OUTBOX_TABLE)
      .where('[collection+recordId]')
      .between([table, first], [table, last], true, true)
      .keys(),
  ])
  const queued = new Set((queuedKeys as unknown as [string, string][]).map(([, recordId]) => recordId))
  const entries: Omit<OutboxEntry, 'seq'>[] = []
  const invalid: SyncValidationError[] = []
  const txId = nanoid()
  for (const [i, row] of page.entries()) {
    const key = keys[i]!
    if (known[i] !== undefined || queued.has(key)) continue
    try {
      checkSyncedRow(db, table, row)
    } catch (error) {
      if (!(error instanceof SyncValidationError)) throw error
      invalid.push(error)
      continue
    }
    entries.push({
      id: nanoid(),
      txId,
      collection: table,
      recordId: key,
      type: 'create',
      data: row as RecordData,
      prevData: null,
      timestamp: timestamp(),
      status: 'pending',
      retries: 0,
      errorMessage: null,
    })
  }
  await db.table(OUTBOX_TABLE).bulkAdd(entries)
  await meta.put({ key: progressKey(table), value: { after: last } satisfies Progress })
  return { queued: entries.length, invalid }
}
