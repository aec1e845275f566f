import { type Change, isLaterVersion, jsonEqual, type RecordData } from '@driftless/core/wire'

/** What the server holds for a record: the change that last wrote it and when. */
export interface StoredVersion {
  readonly timestamp: number
  readonly changeId: string
}

/** Last-writer-wins, by the tie-break every client uses too: the stored row beats a change that is not later. */
export function storedWins(stored: StoredVersion, change: Pick<Change, 'id' | 'timestamp'>): boolean {
  return isLaterVersion(stored, { timestamp: change.timestamp, changeId: change.id })
}

/**
 * The fields the change wrote (data against prevData; every field when there is no prevData) whose
 * value differs from the stored row's.
 */
export function fieldConflicts(change: Change, remote: RecordData | null): string[] {
  const local = change.data
  const before = change.prevData ?? null
  const written = new Set<string>()
  if (before === null) {
    for (const key of Object.keys(local ?? {})) written.add(key)
  } else {
    for (const key of new Set([...Object.keys(before), ...Object.keys(local ?? {})])) {
      if (!jsonEqual(before[key], local?.[key])) written.add(key)
    }
  }
  return [...written].filter((key) => !jsonEqual(local?.[key], remote?.[key])).sort()
}
