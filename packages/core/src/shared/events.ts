import { ConfigError } from './errors.js'

/** What `onSync(listener)` hears. `at` is epoch milliseconds. */
export type SyncEvent =
  | { phase: 'push'; at: number; changes: number; accepted: number; conflicts: number; errors: number }
  /** `remaining`: changes after this page, when the server says. */
  | { phase: 'pull'; at: number; changes: number; hasMore: boolean; remaining?: number }
  | {
      phase: 'conflict'
      at: number
      source: 'push' | 'pull'
      collection: string
      recordId: string
      changeId: string | null
      resolution: 'local' | 'remote' | 'merged'
      fieldConflicts: string[]
    }
  | { phase: 'complete'; at: number; pushed: number; pulled: number }
  /** The local copy starts over: the server no longer knows our pull cursor (its data was reset); pending edits are kept. */
  | { phase: 'reset'; at: number; reason: 'cursor-unknown' }
  /**
   * The local database was deleted under the app (site data cleared, storage evicted) and syncs again from
   * the server. `lostChanges`: this device's changes that had not synced yet and went with it.
   */
  | { phase: 'reset'; at: number; reason: 'database-deleted'; lostChanges: number }
  | { phase: 'error'; at: number; stage: 'push' | 'pull' | 'credentials'; error: Error }

export type SyncPhase = SyncEvent['phase']
export type SyncEventListener = (event: SyncEvent) => void

export interface SyncEventLog {
  /** The most recent events, oldest first; a new array whenever an event arrives. */
  readonly events: readonly SyncEvent[]
  clear(): void
  /** Stops listening; the events kept so far stay readable. */
  stop(): void
}

/** Keeps the last `size` events a client emits, e.g. to send failures to analytics. */
export function createSyncEventLog(
  client: { onSync(listener: SyncEventListener): () => void },
  size = 100,
): SyncEventLog {
  if (!Number.isInteger(size) || size < 1) {
    throw new ConfigError(`createSyncEventLog size must be a positive whole number, got ${size}.`)
  }
  let events: readonly SyncEvent[] = Object.freeze([])
  const unsubscribe = client.onSync((event) => {
    const next = events.length >= size ? events.slice(events.length - size + 1) : events.slice()
    next.push(event)
    events = Object.freeze(next)
  })
  return {
    get events() {
      return events
    },
    clear() {
      events = Object.freeze([])
    },
    stop: unsubscribe,
  }
}
