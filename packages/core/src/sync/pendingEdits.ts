import { Dexie } from 'dexie'
import { OUTBOX_TABLE, type OutboxEntry } from '../capture/outbox.js'
import type { EngineContext } from './engineContext.js'
import { versionKey } from './knownVersions.js'

/**
 * The queued local edits of many records, by `versionKey`, each record's oldest first (the index keeps them
 * in `seq` order); records without any
 * are absent. An empty queue (a catch-up) answers in one request; otherwise the records are read side by
 * side. Dexie's own promise, so it is safe inside a transaction too.
 */
export function pendingEdits(
  ctx: Pick<EngineContext, 'db'>,
  records: readonly { collection: string; recordId: string }[],
): PromiseLike<Map<string, OutboxEntry[]>> {
  const table = ctx.db.table(OUTBOX_TABLE)
  const keys = new Map(
    records.map(({ collection, recordId }) => [versionKey(collection, recordId), [collection, recordId]]),
  )
  const read = () =>
    Dexie.Promise.all(
      [...keys].map(([key, record]) =>
        table
          .where('[collection+recordId]')
          .equals(record)
          .toArray()
          .then((entries: OutboxEntry[]) => [key, entries] as const),
      ),
    ).then((found) => new Map(found.filter(([, entries]) => entries.length > 0)))
  return table.count().then((queued: number) => (queued === 0 ? new Map<string, OutboxEntry[]>() : read()))
}
