import type { Dexie, Table } from 'dexie'
import { nanoid } from 'nanoid'
import { ConfigError } from '../shared/errors.js'
import { Listeners } from '../shared/listeners.js'
import type { RecordData } from '../wire.js'
import { InFlight, type MetaRow, sent } from './inFlight.js'
import {
  type ChangeStatus,
  type CrudBatch,
  type CrudTransaction,
  META_TABLE,
  OUTBOX_TABLE,
  type OutboxEntry,
  type OutboxFilter,
  type SyncStats,
} from './outboxEntry.js'

export * from './outboxEntry.js'

/**
 * The durable queue of captured changes, created by `attachOutbox()`. Entries are taken oldest first;
 * taken entries are `syncing` until completed, released or recorded as failed.
 */
export class Outbox {
  readonly db: Dexie
  /** The synced tables, as declared to `attachOutbox()`. */
  readonly tables: readonly string[]
  readonly #captured = new Listeners<number>(console, 'a listener of captured writes')
  readonly #flight = new InFlight(
    () => this.#entries,
    () => this.#meta,
  )

  constructor(db: Dexie, tables: readonly string[]) {
    this.db = db
    this.tables = tables
  }

  /**
   * Hears how many entries a local write queued, inside its transaction (before any live query can see
   * them), and the negative of that count if the transaction then rolled back.
   */
  onCaptured(listener: (queued: number) => void): () => void {
    return this.#captured.add(listener)
  }

  /** Called by the capture middleware. */
  reportCaptured(queued: number): void {
    if (queued !== 0) this.#captured.notify(queued)
  }

  get #entries(): Table<OutboxEntry, number> {
    return this.db.table(OUTBOX_TABLE)
  }

  get #meta(): Table<MetaRow, string> {
    return this.db.table(META_TABLE)
  }

  #write<T>(fn: () => Promise<T>): Promise<T> {
    return this.db.transaction('rw', OUTBOX_TABLE, fn)
  }

  /** A write that also reads or changes which entries are in flight. */
  #writeTracked<T>(fn: () => Promise<T>): Promise<T> {
    return this.db.transaction('rw', [OUTBOX_TABLE, META_TABLE], fn)
  }

  #read<T>(fn: () => Promise<T>): Promise<T> {
    return this.db.transaction('r', [OUTBOX_TABLE, META_TABLE], fn)
  }

  /**
   * Crash recovery: entries a previous session left `syncing` go back to `pending`. Returns how many.
   * Entries of a table this release does not sync are parked as `failed`; those of a table it syncs again go back.
   */
  init(): Promise<number> {
    return this.#writeTracked(async () => {
      const recovered = await this.#flight.putBack()
      await this.#parkUnsynced()
      return recovered
    })
  }

  /**
   * Marks up to `limit` oldest pending entries `syncing` and returns them; failed entries, and those
   * `skip` holds back, stay where they are.
   */
  async takeBatch(limit: number, skip?: (entry: OutboxEntry) => boolean): Promise<OutboxEntry[]> {
    return (await this.#take(limit, skip)).entries
  }

  /** Up to `limit` oldest pending entries, marked `syncing`; null when nothing is pending. */
  async getCrudBatch(limit = 100): Promise<CrudBatch | null> {
    const { entries, haveMore } = await this.#take(limit)
    if (entries.length === 0) return null
    return { crud: entries, haveMore, complete: () => this.remove(entries) }
  }

  /** The pending entries of the oldest local transaction, marked `syncing`; null when nothing is pending. */
  async getNextCrudTransaction(): Promise<CrudTransaction | null> {
    const entries = await this.#writeTracked(async () => {
      const flying = await this.#flight.positions()
      const waiting = (entry: OutboxEntry) => entry.status === 'pending' && !flying.has(entry.seq)
      const first = await this.#entries.where('status').equals('pending').filter(waiting).first()
      if (!first) return []
      // Read-write transactions on the outbox never overlap, so one transaction's entries are contiguous.
      const pending = await this.#entries
        .where(':id')
        .aboveOrEqual(first.seq)
        .until((entry) => entry.txId !== first.txId)
        .filter(waiting)
        .toArray()
      return this.#flight.mark(pending, flying)
    })
    const first = entries[0]
    if (!first) return null
    return { crud: entries, transactionId: first.txId, complete: () => this.remove(entries) }
  }

  /** Deletes exactly the entries with these change ids. Returns how many were removed. */
  complete(ids: readonly string[]): Promise<number> {
    return this.#writeTracked(async () => {
      const seqs = await this.#entries.where('id').anyOf(ids).primaryKeys()
      await Promise.all([this.#flight.land(seqs), this.#entries.bulkDelete(seqs)])
      return seqs.length
    })
  }

  /** Puts `syncing` entries (all, or those ids) back to `pending`. Returns how many. */
  release(ids?: readonly string[]): Promise<number> {
    const wanted = ids === undefined ? null : new Set(ids)
    return this.#writeTracked(() =>
      this.#flight.putBack(wanted ? (entry) => wanted.has(entry.id) : undefined),
    )
  }

  /**
   * Counts a failed attempt of one change: `failed` once it has been tried `maxAttempts` times, otherwise
   * `pending` again. Returns the new status, or undefined when the entry is no longer in the outbox.
   */
  recordError(
    id: string,
    message: string,
    maxAttempts: number,
    httpStatus: number | null = null,
  ): Promise<ChangeStatus | undefined> {
    return this.#writeTracked(async () => {
      const entry = await this.#entries.where('id').equals(id).first()
      if (!entry) return undefined
      const retries = entry.retries + 1
      const status: ChangeStatus = retries >= maxAttempts ? 'failed' : 'pending'
      // An entry in flight has its attempt counted now that its flight is over.
      const [landed] = await this.#flight.land([entry.seq])
      const counted = landed === undefined ? entry : { ...entry, attempts: sent(entry) }
      await this.#entries.put({ ...counted, retries, status, errorMessage: message, errorStatus: httpStatus })
      return status
    })
  }

  /** The oldest entry that has not failed: what an upload must get past next. */
  front(): Promise<OutboxEntry | undefined> {
    return this.db.transaction('r', OUTBOX_TABLE, async () => {
      const [pending, syncing] = await Promise.all([
        this.#entries.where('status').equals('pending').first(),
        this.#entries.where('status').equals('syncing').first(),
      ])
      if (!pending || !syncing) return pending ?? syncing
      return pending.seq < syncing.seq ? pending : syncing
    })
  }

  /** Entries oldest first, optionally of some statuses only. */
  list(filter: OutboxFilter = {}): Promise<OutboxEntry[]> {
    return this.#read(async () => {
      const flying = await this.#flight.positions()
      const seen = (entry: OutboxEntry) =>
        flying.has(entry.seq) ? { ...entry, status: 'syncing' as const, attempts: sent(entry) } : entry
      if (filter.status === undefined) return (await this.#entries.toArray()).map(seen)
      const statuses: readonly ChangeStatus[] = [filter.status].flat()
      // Entries in flight are stored as pending.
      const stored = statuses.includes('syncing') ? [...statuses, 'pending'] : statuses
      const entries = await this.#entries.where('status').anyOf(stored).toArray()
      return entries
        .map(seen)
        .filter((entry) => statuses.includes(entry.status))
        .sort((a, b) => a.seq - b.seq)
    })
  }

  /** The queued changes of one record, oldest first. */
  entriesFor(collection: string, recordId: string): Promise<OutboxEntry[]> {
    return this.#entries.where('[collection+recordId]').equals([collection, recordId]).toArray()
  }

  /** The records with queued changes, as `[collection, recordId]`, read off the index without the changes. */
  async queuedRecords(): Promise<[string, string][]> {
    const keys = await this.#entries.orderBy('[collection+recordId]').uniqueKeys()
    return keys.map((key) => key as unknown as [string, string])
  }

  /**
   * Failed entries (all, or those ids) go back to `pending` with a fresh retry count; those of a table that
   * is not synced stay failed. Returns how many.
   */
  retryFailed(ids?: readonly string[]): Promise<number> {
    return this.#write(() =>
      this.#withStatus('failed', ids)
        .filter((entry) => this.#isSynced(entry.collection))
        .modify((entry: Mutable<OutboxEntry>) => {
          entry.status = 'pending'
          entry.retries = 0
          entry.errorMessage = null
          entry.errorStatus = null
        }),
    )
  }

  /** Deletes failed entries (all, or those ids); the local rows keep their data. Returns how many. */
  discardFailed(ids?: readonly string[]): Promise<number> {
    return this.#write(() => this.#withStatus('failed', ids).delete())
  }

  /** Counts by status, from the status index: no entry is read. */
  stats(): Promise<SyncStats> {
    return this.#read(() => this.#countByStatus())
  }

  /** The counts and the high-water mark, read in one transaction so they describe the same moment. */
  countsAndHighWater(): Promise<{ stats: SyncStats; highWater: number }> {
    return this.#read(async () => {
      const [stats, highWater] = await Promise.all([this.#countByStatus(), this.highWater()])
      return { stats, highWater }
    })
  }

  async getMeta<T>(key: string): Promise<T | undefined> {
    return (await this.#meta.get(key))?.value as T | undefined
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    await this.#meta.put({ key, value })
  }

  /** The highest `seq` in use; every entry captured later gets a higher one. */
  highWater(): PromiseLike<number> {
    return this.#entries
      .toCollection()
      .lastKey()
      .then((key) => (typeof key === 'number' ? key : 0))
  }

  /**
   * Deletes these entries taken for upload, each only while its position still holds the same change: one
   * read of the span of the queue they cover and, when nothing else sits in it, one delete of that span.
   */
  completeTaken(entries: readonly Pick<OutboxEntry, 'seq' | 'id'>[]): Promise<number> {
    if (entries.length === 0) return Promise.resolve(0)
    const seqs = entries.map((entry) => entry.seq)
    const span = this.#entries.where(':id').between(Math.min(...seqs), Math.max(...seqs), true, true)
    return this.#writeTracked(async () => {
      const taken = new Map(entries.map((entry) => [entry.seq, entry.id]))
      const stored = await span.toArray()
      const same = stored.filter((entry) => taken.get(entry.seq) === entry.id).map((entry) => entry.seq)
      await Promise.all([
        this.#flight.land(same),
        same.length === stored.length ? span.delete() : this.#entries.bulkDelete(same),
      ])
      return same.length
    })
  }

  /**
   * The entries of an uploaded batch that are still queued (answered with a conflict or an error) are no
   * longer in flight; their attempt is already counted where it was written.
   */
  async landTaken(entries: readonly Pick<OutboxEntry, 'seq'>[]): Promise<void> {
    await this.#writeTracked(() => this.#flight.land(entries.map((entry) => entry.seq)))
  }

  /** Deletes exactly these entries (by position), whatever their status. */
  remove(entries: readonly Pick<OutboxEntry, 'seq'>[]): Promise<void> {
    const seqs = entries.map((entry) => entry.seq)
    return this.#writeTracked(async () => {
      await Promise.all([this.#flight.land(seqs), this.#entries.bulkDelete(seqs)])
    })
  }

  /** Gives a queued entry a new timestamp (and the server version it now follows, if given). */
  restamp(seq: number, timestamp: number, prevData?: RecordData | null): PromiseLike<unknown> {
    return this.#write(() =>
      this.#entries.update(seq, { timestamp, ...(prevData === undefined ? {} : { prevData }) }),
    )
  }

  /** Replaces a queued entry with a new change under a fresh id, pending with no retries counted. */
  reissue(
    seq: number,
    change: Pick<OutboxEntry, 'type' | 'data' | 'prevData' | 'timestamp'>,
  ): PromiseLike<unknown> {
    return this.#write(() =>
      this.#entries.update(seq, {
        ...change,
        id: nanoid(),
        status: 'pending',
        retries: 0,
        errorMessage: null,
      }),
    )
  }

  async #countByStatus(): Promise<SyncStats> {
    const count = (status: ChangeStatus) => this.#entries.where('status').equals(status).count()
    const [stored, storedSyncing, failed, flying] = await Promise.all([
      count('pending'),
      count('syncing'),
      count('failed'),
      this.#flight.positions(),
    ])
    // Entries in flight are stored as pending.
    const inFlight = Math.min(flying.size, stored)
    const pending = stored - inFlight
    const syncing = storedSyncing + inFlight
    return { total: pending + syncing + failed, pending, syncing, failed }
  }

  #isSynced(collection: string): boolean {
    return this.tables.length === 0 || this.tables.includes(collection)
  }

  /**
   * Changes of a table this release does not sync (dropped by an upgrade, or added by a newer release open
   * in another tab) wait, failed, until a release that syncs it starts; the app may discard them meanwhile.
   */
  async #parkUnsynced(): Promise<void> {
    if (this.tables.length === 0) return
    await this.#entries
      .where('status')
      .equals('pending')
      .filter((entry) => !this.#isSynced(entry.collection))
      .modify((entry: Mutable<OutboxEntry>) => {
        entry.status = 'failed'
        entry.errorMessage = unsyncedTableMessage(entry.collection)
      })
    await this.#entries
      .where('status')
      .equals('failed')
      .filter(
        (entry) =>
          this.#isSynced(entry.collection) && entry.errorMessage === unsyncedTableMessage(entry.collection),
      )
      .modify((entry: Mutable<OutboxEntry>) => {
        entry.status = 'pending'
        entry.errorMessage = null
      })
  }

  #take(
    limit: number,
    skip?: (entry: OutboxEntry) => boolean,
  ): Promise<{ entries: OutboxEntry[]; haveMore: boolean }> {
    if (!(limit > 0)) throw new RangeError(`Outbox batch limit must be positive, got ${limit}`)
    return this.#writeTracked(async () => {
      // A fresh collection each time: Dexie's limit() and filter() change the one they are called on.
      const query = () => this.#entries.where('status').equals('pending')
      // With nothing in flight or held back, no filter: Dexie reads the batch in one request.
      const [flying, unfiltered] = await Promise.all([
        this.#flight.positions(),
        skip
          ? null
          : query()
              .limit(limit + 1)
              .toArray(),
      ])
      const left = (entry: OutboxEntry) => !flying.has(entry.seq) && !skip?.(entry)
      const pending =
        unfiltered && flying.size === 0
          ? unfiltered
          : await query()
              .filter(left)
              .limit(limit + 1)
              .toArray()
      const entries = await this.#flight.mark(pending.slice(0, limit), flying)
      return { entries, haveMore: pending.length > limit }
    })
  }

  #withStatus(status: ChangeStatus, ids: readonly string[] | undefined) {
    if (ids === undefined) return this.#entries.where('status').equals(status)
    return this.#entries
      .where('id')
      .anyOf(ids)
      .filter((entry) => entry.status === status)
  }
}

/**
 * Counts the outbox of a sync client (the one of its `db`, shared by every tab), an outbox, or anything
 * holding one: `{ total, pending, syncing, failed }`.
 */
export function getSyncStats(target: Outbox | { outbox: Outbox } | { db: Dexie }): Promise<SyncStats> {
  if (target instanceof Outbox) return target.stats()
  if ('outbox' in target) return target.outbox.stats()
  const { db } = target
  if (!db.tables.some((table) => table.name === OUTBOX_TABLE)) {
    return Promise.reject(
      new ConfigError(
        `getSyncStats(): database "${db.name}" has no outbox. Pass a client made by createSyncClient(db, options).`,
      ),
    )
  }
  return new Outbox(db, []).stats()
}

function unsyncedTableMessage(collection: string): string {
  return `Table "${collection}" is not synced by this version of the app (not in createSyncClient's tables), so this change is kept but not uploaded. It goes out once a version that syncs "${collection}" starts; discardFailed() drops it.`
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }
