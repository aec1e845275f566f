import { HttpError } from './httpError.js'

/** Where the database stands: its identity and the newest sequence number it has handed out. */
export interface CursorScope {
  readonly databaseId: string
  readonly newestSeq: number
}

// Opaque to clients. The database id makes a cursor from a reset or replaced database unknown instead
// of pointing at the wrong change; `v1.<seq>` is the first format, still read.
const CURSOR_PATTERN = /^v2\.([0-9a-f]{1,64})\.(0|[1-9][0-9]{0,15})$/
const FIRST_FORMAT_PATTERN = /^v1\.(0|[1-9][0-9]{0,15})$/

/** The pull cursor after the change with sequence number `seq` of the database `databaseId`. */
export function encodeCursor(seq: number, databaseId: string): string {
  return `v2.${databaseId}.${seq}`
}

function unknown(reason: string): HttpError {
  return new HttpError(
    410,
    `cursor: ${reason}. The server's data may have been reset; pull again from the beginning with cursor null.`,
    { code: 'cursor-unknown' },
  )
}

/**
 * The sequence number a cursor points after; 0 for none (from the beginning). A cursor this database
 * did not issue is `410 cursor-unknown`.
 */
export function decodeCursor(cursor: string | null | undefined, scope: CursorScope): number {
  if (cursor === null || cursor === undefined) return 0
  const match = CURSOR_PATTERN.exec(cursor)
  const first = match ? undefined : FIRST_FORMAT_PATTERN.exec(cursor)
  if (!match && !first) throw unknown('not a cursor this server issued')
  if (match && match[1] !== scope.databaseId) throw unknown('issued by another database than this one')
  const seq = Number(match ? match[2] : first![1])
  if (!Number.isSafeInteger(seq) || seq > scope.newestSeq)
    throw unknown('ahead of every change this server has')
  return seq
}
