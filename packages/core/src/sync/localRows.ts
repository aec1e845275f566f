import type { RecordData } from '../wire.js'
import type { EngineContext } from './engineContext.js'

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
