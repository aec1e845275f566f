import { OUTBOX_TABLE, type OutboxEntry } from '../capture/outbox.js'
import type { EngineContext } from './engineContext.js'
import { versionKey } from './knownVersions.js'

/**
 * The queued local edits of many records in one request, by `versionKey`, each record's oldest first; records
 * without any are absent. Dexie's own promise, so it is safe inside a transaction too.
 */
export function pendingEdits(
  ctx: Pick<EngineContext, 'db'>,
  records: readonly { collection: string; recordId: string }[],
): PromiseLike<Map<string, OutboxEntry[]>> {
  const keys = records.map(({ collection, recordId }) => [collection, recordId])
  return ctx.db
    .table(OUTBOX_TABLE)
    .where('[collection+recordId]')
    .anyOf(keys)
    .toArray()
    .then((entries: OutboxEntry[]) => {
      const byRecord = new Map<string, OutboxEntry[]>()
      for (const entry of entries.sort((a, b) => a.seq - b.seq)) {
        const key = versionKey(entry.collection, entry.recordId)
        const list = byRecord.get(key)
        if (list) list.push(entry)
        else byRecord.set(key, [entry])
      }
      return byRecord
    })
}
