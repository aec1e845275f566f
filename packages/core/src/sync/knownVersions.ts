import { META_TABLE } from '../capture/outbox.js'
import type { EngineContext } from './engineContext.js'

const VERSION_PREFIX = 'version:'

/** The key under which we remember the newest server version of a record we have seen or written. */
export function versionKey(collection: string, recordId: string): string {
  return `${VERSION_PREFIX}${collection}\u001f${recordId}`
}

/** The newest server version of a record we know: its timestamp and, when known, the change that wrote it. */
export interface KnownVersion {
  readonly timestamp: number
  /** null when only the timestamp is known (a conflict answer). */
  readonly changeId: string | null
  /** The highest outbox `seq` when we learned this version: entries above it were written knowing it. */
  readonly seenAtSeq: number
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
  ctx: Pick<EngineContext, 'db'>,
  collection: string,
  recordId: string,
): PromiseLike<KnownVersion | undefined> {
  return ctx.db
    .table(META_TABLE)
    .get(versionKey(collection, recordId))
    .then((row: { value?: unknown } | undefined) => parseKnownVersion(row?.value))
}

/**
 * The known versions of many records in one request, by `versionKey`; records without one are absent.
 * Dexie's own promise, so it is safe inside a transaction.
 */
export function readKnownVersions(
  ctx: Pick<EngineContext, 'db'>,
  keys: readonly string[],
): PromiseLike<Map<string, KnownVersion>> {
  return ctx.db
    .table(META_TABLE)
    .bulkGet([...keys])
    .then((rows: ({ value?: unknown } | undefined)[]) => {
      const versions = new Map<string, KnownVersion>()
      rows.forEach((row, index) => {
        const version = parseKnownVersion(row?.value)
        if (version) versions.set(keys[index]!, version)
      })
      return versions
    })
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
  ctx: Pick<EngineContext, 'db'>,
  collection: string,
  recordId: string,
  version: KnownVersion,
): PromiseLike<unknown> {
  return ctx.db.table(META_TABLE).put({ key: versionKey(collection, recordId), value: version })
}

/** Writes many known versions, by `versionKey`, in one request. */
export function writeKnownVersions(
  ctx: Pick<EngineContext, 'db'>,
  versions: ReadonlyMap<string, KnownVersion>,
): PromiseLike<unknown> {
  return ctx.db.table(META_TABLE).bulkPut([...versions].map(([key, value]) => ({ key, value })))
}

/** Forgets every server version we knew: after the server's data was reset they describe nothing it has. */
export function forgetKnownVersions(ctx: Pick<EngineContext, 'db'>): PromiseLike<number> {
  return ctx.db.table(META_TABLE).where(':id').startsWith(VERSION_PREFIX).delete()
}
