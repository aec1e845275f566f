import type Dexie from 'dexie'
import type { HybridClock } from './clock.js'
import type { SyncEnvironment } from './env.js'
import type { SyncEvent } from './events.js'
import type { EngineOptions } from './options.js'
import type { Outbox } from './outbox.js'
import type { Transport, TransportContext } from './transport/types.js'
import type { RecordData } from './wire.js'

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

/** Writes a server row into its local table (uncaptured callers only); null deletes it. */
export async function writeLocalRow(
  ctx: EngineContext,
  collection: string,
  recordId: string,
  data: RecordData | null,
): Promise<void> {
  const table = ctx.db.table(collection)
  if (data === null) {
    await table.delete(recordId)
    return
  }
  const keyPath = ctx.tables.get(collection)
  await table.put(keyPath ? { ...data, [keyPath]: recordId } : data)
}
