import type { Change, RecordData } from '@driftless/core/wire'

/** What the server holds for a record: the change that last wrote it and when. */
export interface StoredVersion {
  readonly timestamp: number
  readonly changeId: string
}

/**
 * Last-writer-wins: the stored row beats the change when it is newer. On an exact tie the larger
 * change id wins, so every server and client agrees on the same winner.
 */
export function storedWins(stored: StoredVersion, change: Pick<Change, 'id' | 'timestamp'>): boolean {
  if (stored.timestamp !== change.timestamp) return stored.timestamp > change.timestamp
  return stored.changeId > change.id
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

/** Structural equality of JSON values; object key order does not matter. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    return a.every((item, index) => jsonEqual(item, b[index]))
  }
  const left = a as Record<string, unknown>
  const right = b as Record<string, unknown>
  const keys = Object.keys(left).filter((key) => left[key] !== undefined)
  const otherKeys = Object.keys(right).filter((key) => right[key] !== undefined)
  return keys.length === otherKeys.length && keys.every((key) => jsonEqual(left[key], right[key]))
}
