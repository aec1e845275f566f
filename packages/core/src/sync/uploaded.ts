import Dexie from 'dexie'
import type { OutboxEntry } from '../capture/outbox.js'
import { rememberEchoes } from './echoes.js'
import type { EngineContext } from './engineContext.js'
import { writeKnownVersion } from './knownVersions.js'

/**
 * The backend has these changes now: each becomes its record's known version and an echo, so its return
 * in a later pull is ours, never a conflict. Inside the caller's transaction over the meta table, so a
 * chain of Dexie's own promises; `seenAtSeq` is the queue's high-water mark in that transaction.
 */
export function rememberUploaded(
  ctx: Pick<EngineContext, 'db'>,
  entries: readonly OutboxEntry[],
  seenAtSeq: number,
): PromiseLike<void> {
  const versions = entries.map((entry) =>
    writeKnownVersion(ctx, entry.collection, entry.recordId, {
      timestamp: entry.timestamp,
      changeId: entry.id,
      seenAtSeq,
    }),
  )
  return Dexie.Promise.all(versions).then(() =>
    rememberEchoes(
      ctx,
      entries.map(({ collection, recordId, id, data, seq }) => ({
        collection,
        recordId,
        changeId: id,
        data,
        seq,
      })),
    ),
  )
}
