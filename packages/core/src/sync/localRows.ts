import { Dexie } from 'dexie'
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
  return writeLocalRows(ctx, collection, new Map([[recordId, data]]))
}

/**
 * Writes the server's rows of one table in two requests (uncaptured callers only): `rows` maps record ids to
 * their data, null to delete.
 */
export function writeLocalRows(
  ctx: EngineContext,
  collection: string,
  rows: ReadonlyMap<string, RecordData | null>,
): PromiseLike<unknown> {
  const table = ctx.db.table(collection)
  const keyPath = ctx.tables.get(collection)
  const puts: RecordData[] = []
  const deletes: string[] = []
  for (const [recordId, data] of rows) {
    if (data === null) deletes.push(recordId)
    // A row that carries its key already (the usual case) is stored as it came, without a copy.
    else puts.push(keyPath && data[keyPath] !== recordId ? { ...data, [keyPath]: recordId } : data)
  }
  return Dexie.Promise.all([
    puts.length > 0 ? table.bulkPut(puts) : undefined,
    deletes.length > 0 ? table.bulkDelete(deletes) : undefined,
  ])
}
