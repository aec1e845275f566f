import Dexie from 'dexie'
import type { OutboxEntry } from '../capture/outbox.js'
import { rememberEchoes } from './echoes.js'
import type { EngineContext } from './engineContext.js'
import { type KnownVersion, versionKey, writeKnownVersions } from './knownVersions.js'

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
  // One bulk write for the batch; of several changes to one record, the last is its known version.
  const versions = new Map<string, KnownVersion>()
  for (const entry of entries) {
    versions.set(versionKey(entry.collection, entry.recordId), {
      timestamp: entry.timestamp,
      changeId: entry.id,
      seenAtSeq,
    })
  }
  const echoes = entries.map(({ collection, recordId, id, data, seq }) => ({
    collection,
    recordId,
    changeId: id,
    data,
    seq,
  }))
  // Issued together: IndexedDB runs them in order, and the echoes' reads need not wait for the write.
  return Dexie.Promise.all([writeKnownVersions(ctx, versions), rememberEchoes(ctx, echoes)]).then(() => {})
}
