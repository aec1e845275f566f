/**
 * How client and server compare versions of a record and values in it. Both sides must pick the same
 * winner and see the same differences, so this file is exported through `@driftless/core/wire`.
 */

/** One version of a record: the timestamp of the change that wrote it, and that change's id. */
export interface ChangeVersion {
  readonly timestamp: number
  readonly changeId: string
}

/**
 * Last-writer-wins order: the later timestamp wins; on an exact tie the larger change id does, so every
 * server and every client agrees on the same winner without talking to each other.
 */
export function isLaterVersion(a: ChangeVersion, b: ChangeVersion): boolean {
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp
  return a.changeId > b.changeId
}

/** Structural equality of JSON values: object key order and `undefined`-valued keys do not matter. */
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
