import type { ConflictStrategy } from '../session/options.js'
import { jsonEqual } from '../shared/versionOrder.js'
import type { RecordData } from '../wire.js'

/** Two versions of one record that were edited concurrently. */
export interface SyncConflict {
  readonly source: 'push' | 'pull'
  readonly collection: string
  readonly recordId: string
  /** The local version (the row as this device has it now); null when deleted locally. */
  readonly local: RecordData | null
  /** The server's version; null when deleted on the server. */
  readonly remote: RecordData | null
  readonly localTimestamp: number
  readonly remoteTimestamp: number
  /** Fields whose values differ between the two versions. */
  readonly fieldConflicts: readonly string[]
}

export type ConflictResolution = 'local' | 'remote' | { merged: RecordData | null }

/** The app's resolver for `strategy: 'custom'`. */
export type ConflictResolver = (conflict: SyncConflict) => ConflictResolution | Promise<ConflictResolution>

/**
 * Decides which version wins. `lww` keeps the later edit; on equal timestamps `tieWinner` does, which the
 * caller derives from the change ids (`isLaterVersion`) so client and server agree.
 */
export async function resolveConflict(
  strategy: ConflictStrategy,
  conflict: SyncConflict,
  resolver: ConflictResolver | undefined,
  tieWinner: 'local' | 'remote' = 'remote',
): Promise<ConflictResolution> {
  switch (strategy) {
    case 'client-wins':
      return 'local'
    case 'server-wins':
      return 'remote'
    case 'custom': {
      const resolution = await resolver!(conflict)
      if (resolution === 'local' || resolution === 'remote') return resolution
      if (resolution && typeof resolution === 'object' && 'merged' in resolution) return resolution
      throw new TypeError(
        `resolveConflict returned ${JSON.stringify(resolution)} for ${conflict.collection}/${conflict.recordId}; return "local", "remote" or { merged }.`,
      )
    }
    default:
      if (conflict.localTimestamp === conflict.remoteTimestamp) return tieWinner
      return conflict.localTimestamp > conflict.remoteTimestamp ? 'local' : 'remote'
  }
}

/** Fields present in either version whose values differ. */
export function differingFields(a: RecordData | null, b: RecordData | null): string[] {
  const keys = new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])
  return [...keys].filter((key) => !jsonEqual(a?.[key], b?.[key])).sort()
}
