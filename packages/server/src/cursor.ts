import { HttpError } from './httpError.js'

// Opaque to clients; the version prefix lets the format change without misreading old cursors.
const CURSOR_PATTERN = /^v1\.(0|[1-9][0-9]{0,15})$/

/** The pull cursor after the change with sequence number `seq`. */
export function encodeCursor(seq: number): string {
  return `v1.${seq}`
}

/** The sequence number a cursor points after; 0 for `null` (from the beginning). */
export function decodeCursor(cursor: string | null): number {
  if (cursor === null) return 0
  const match = CURSOR_PATTERN.exec(cursor)
  const seq = match ? Number(match[1]) : Number.NaN
  if (!Number.isSafeInteger(seq)) {
    throw new HttpError(400, 'cursor: not a cursor this server issued; pass null to pull from the beginning')
  }
  return seq
}
