import type { OutboxEntry } from '../capture/outbox.js'
import type { SyncEvent } from '../shared/events.js'
import { isLaterVersion } from '../shared/versionOrder.js'
import type { RecordData } from '../wire.js'
import { type ConflictResolution, differingFields, resolveConflict, type SyncConflict } from './conflicts.js'
import type { EngineContext } from './engineContext.js'
import { readLocalRow, writeLocalRow } from './localRows.js'

/** The server's version of a record, as a push answer's conflict or a pulled change tells it. */
export interface ServerVersion {
  readonly collection: string
  readonly recordId: string
  readonly data: RecordData | null
  readonly timestamp: number
  /** The change that wrote it, when known (pulls); a push conflict was already decided by the server. */
  readonly changeId: string | null
}

/** A conflict and the version that won it. */
export interface Verdict {
  readonly conflict: SyncConflict
  readonly resolution: ConflictResolution
}

/**
 * Outside any transaction (a custom resolver may be async): describes the conflict between the queued
 * `edits` of a record and the server's version, and asks the strategy which wins.
 */
export async function judge(
  ctx: EngineContext,
  source: SyncConflict['source'],
  server: ServerVersion,
  edits: readonly OutboxEntry[],
  fieldConflicts?: readonly string[],
): Promise<Verdict> {
  const local = await readLocalRow(ctx, server.collection, server.recordId)
  const latest = edits.reduce((a, b) => (b.timestamp >= a.timestamp ? b : a))
  const conflict: SyncConflict = {
    source,
    collection: server.collection,
    recordId: server.recordId,
    local,
    remote: server.data,
    localTimestamp: latest.timestamp,
    remoteTimestamp: server.timestamp,
    fieldConflicts: fieldConflicts ?? differingFields(local, server.data),
  }
  // Without the server's change id, the server has broken the tie already, in its own favour.
  const tieWinner =
    server.changeId !== null &&
    isLaterVersion(
      { timestamp: latest.timestamp, changeId: latest.id },
      { timestamp: server.timestamp, changeId: server.changeId },
    )
      ? 'local'
      : 'remote'
  const resolution = await resolveConflict(
    ctx.options.strategy,
    conflict,
    ctx.options.resolveConflict,
    tieWinner,
  )
  return { conflict, resolution }
}

/**
 * Inside the loop's uncaptured transaction: makes the local row and the queue agree with the resolution.
 * `covered` are the edits the resolution decided about, oldest first; `standing` are newer local edits it
 * did not see, which meet the server's version on their own push.
 */
export async function settle(
  ctx: EngineContext,
  server: ServerVersion,
  covered: readonly OutboxEntry[],
  standing: readonly OutboxEntry[],
  resolution: ConflictResolution,
): Promise<void> {
  const { outbox } = ctx
  if (resolution === 'remote') {
    await outbox.remove(covered)
    if (standing.length === 0) await writeLocalRow(ctx, server.collection, server.recordId, server.data)
    return
  }
  if (resolution === 'local' && standing.length > 0) {
    // The newer edits carry the local version already; they must also outrank the server's.
    await outbox.remove(covered)
    for (const edit of standing) {
      await outbox.restamp(edit.seq, after(ctx, Math.max(server.timestamp, edit.timestamp - 1)))
    }
    return
  }
  let data: RecordData | null
  if (resolution === 'local') {
    data = await readLocalRow(ctx, server.collection, server.recordId)
  } else {
    data = resolution.merged
    await writeLocalRow(ctx, server.collection, server.recordId, data)
  }
  const last = covered[covered.length - 1]!
  const earlier = covered.slice(0, -1)
  if (resolution === 'local') {
    // Each earlier edit must outrank the server's version too, oldest first.
    for (const edit of earlier) await outbox.restamp(edit.seq, after(ctx, server.timestamp))
  } else {
    await outbox.remove(earlier)
  }
  // The winner goes out as a new change, under a fresh id, newer than the server's version.
  await outbox.reissue(last.seq, {
    type: data === null ? 'delete' : server.data === null ? 'create' : 'update',
    data,
    prevData: server.data,
    timestamp: after(ctx, server.timestamp),
  })
}

/** What `onSync` listeners hear about a settled conflict. */
export function conflictEvent(
  at: number,
  { conflict, resolution }: Verdict,
  changeId: string | null,
): SyncEvent {
  return {
    phase: 'conflict',
    at,
    source: conflict.source,
    collection: conflict.collection,
    recordId: conflict.recordId,
    changeId,
    resolution: typeof resolution === 'string' ? resolution : 'merged',
    fieldConflicts: [...conflict.fieldConflicts],
  }
}

/** A fresh timestamp that also outranks `timestamp`, which the clock may have declined to follow. */
export function after(ctx: EngineContext, timestamp: number): number {
  return Math.max(ctx.clock.now(), Math.floor(timestamp) + 1)
}
