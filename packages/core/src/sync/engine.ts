import type { Dexie } from 'dexie'
import { META_TABLE, OUTBOX_TABLE, type Outbox } from '../capture/outbox.js'
import type { EngineOptions } from '../session/options.js'
import type { HybridClock } from '../shared/clock.js'
import type { SyncEnvironment } from '../shared/env.js'
import type { SyncEvent } from '../shared/events.js'
import type { Transport, TransportContext } from '../transport/types.js'
import type { RecordData } from '../wire.js'

/** What the upload and pull loops share: the database, its outbox, time, the transport and events. */
export interface EngineContext {
  readonly db: Dexie
  readonly outbox: Outbox
  readonly env: SyncEnvironment
  readonly options: EngineOptions
  readonly clock: HybridClock
  /** Synced table names mapped to their primary key path. */
  readonly tables: ReadonlyMap<string, string>
  emit(event: SyncEvent): void
  /** Calls the transport with current credentials; a 401 refreshes them and tries once more. */
  withTransport<T>(call: (transport: Transport, context: TransportContext) => Promise<T>): Promise<T>
}

const VERSION_PREFIX = 'version:'

/** The key under which we remember the newest server version of a record we have seen or written. */
export function versionKey(collection: string, recordId: string): string {
  return `${VERSION_PREFIX}${collection}\u001f${recordId}`
}

/** The newest server version of a record we know: its timestamp and, when known, the change that wrote it. */
export interface KnownVersion {
  readonly timestamp: number
  /** null when only the timestamp is known (a conflict answer): any change at that timestamp is this one. */
  readonly changeId: string | null
  /** The highest outbox `seq` when we learned this version: entries above it were written knowing it. */
  readonly seenAtSeq: number
}

/** A fresh timestamp that also outranks `timestamp`, which the clock may have declined to follow. */
export function after(ctx: EngineContext, timestamp: number): number {
  return Math.max(ctx.clock.now(), Math.floor(timestamp) + 1)
}

/** The highest outbox `seq` in use; every entry captured later gets a higher one. */
export function outboxHighWater(ctx: EngineContext): PromiseLike<number> {
  return ctx.db
    .table(OUTBOX_TABLE)
    .toCollection()
    .lastKey()
    .then((key) => (typeof key === 'number' ? key : 0))
}

/**
 * The server answered a conflict with a version we already knew when the local edit was made: the edit
 * follows it (the timestamps disagree only through clock skew), so it is no conflict and the edit stands.
 */
export function editFollowsKnownVersion(
  known: KnownVersion | undefined,
  entrySeq: number,
  remoteTimestamp: number,
): boolean {
  return known !== undefined && known.timestamp === remoteTimestamp && entrySeq > known.seenAtSeq
}

/** Reads through the Dexie promise directly, so it can run inside an engine transaction. */
export function readKnownVersion(
  ctx: EngineContext,
  collection: string,
  recordId: string,
): PromiseLike<KnownVersion | undefined> {
  return ctx.db
    .table(META_TABLE)
    .get(versionKey(collection, recordId))
    .then((row: { value?: unknown } | undefined) => parseKnownVersion(row?.value))
}

function parseKnownVersion(saved: unknown): KnownVersion | undefined {
  if (typeof saved === 'number')
    return { timestamp: saved, changeId: null, seenAtSeq: Number.POSITIVE_INFINITY }
  if (typeof saved !== 'object' || saved === null) return undefined
  const { timestamp, changeId, seenAtSeq } = saved as Record<string, unknown>
  if (typeof timestamp !== 'number') return undefined
  return {
    timestamp,
    changeId: typeof changeId === 'string' ? changeId : null,
    seenAtSeq: typeof seenAtSeq === 'number' ? seenAtSeq : Number.POSITIVE_INFINITY,
  }
}

export function writeKnownVersion(
  ctx: EngineContext,
  collection: string,
  recordId: string,
  version: KnownVersion,
): PromiseLike<unknown> {
  return ctx.db.table(META_TABLE).put({ key: versionKey(collection, recordId), value: version })
}

/**
 * Whether a pulled change is one we already have: older than the version we know, or that very change.
 * Two server changes may share a timestamp; the server's order then decides, so only the same id is skipped.
 */
export function isKnownChange(
  known: KnownVersion | undefined,
  change: { id: string; timestamp: number },
): boolean {
  if (!known) return false
  // A backend may stamp changes itself; the same change id is still the same change.
  if (known.changeId !== null && known.changeId === change.id) return true
  if (change.timestamp !== known.timestamp) return change.timestamp < known.timestamp
  return known.changeId === null || known.changeId === change.id
}

/** The local row of a record, or null; Dexie's own promise, so it is safe inside a transaction too. */
export function readLocalRow(
  ctx: EngineContext,
  collection: string,
  recordId: string,
): PromiseLike<RecordData | null> {
  return ctx.db
    .table(collection)
    .get(recordId)
    .then((row) => (row as RecordData | undefined) ?? null)
}

/**
 * Writes a server row into its local table (uncaptured callers only); null deletes it. Returns Dexie's own
 * promise: one more native async layer inside a transaction can make it commit before the caller's next write.
 */
export function writeLocalRow(
  ctx: EngineContext,
  collection: string,
  recordId: string,
  data: RecordData | null,
): PromiseLike<unknown> {
  const table = ctx.db.table(collection)
  if (data === null) return table.delete(recordId)
  const keyPath = ctx.tables.get(collection)
  return table.put(keyPath ? { ...data, [keyPath]: recordId } : data)
}
