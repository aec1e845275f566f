import type { Dexie } from 'dexie'
import type { Outbox } from '../capture/outbox.js'
import type { EngineOptions } from '../session/options.js'
import type { HybridClock } from '../shared/clock.js'
import type { SyncEnvironment } from '../shared/env.js'
import type { SyncEvent } from '../shared/events.js'
import type { Transport, TransportContext } from '../transport/types.js'

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
