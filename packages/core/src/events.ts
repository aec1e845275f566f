/** What `onSync(listener)` hears. `at` is epoch milliseconds. */
export type SyncEvent =
  | { phase: 'push'; at: number; changes: number; accepted: number; conflicts: number; errors: number }
  | { phase: 'pull'; at: number; changes: number; hasMore: boolean }
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
  | { phase: 'error'; at: number; stage: 'push' | 'pull' | 'credentials'; error: Error }

export type SyncPhase = SyncEvent['phase']
export type SyncEventListener = (event: SyncEvent) => void
