import { type PulledChange, type PullResult, pullRequestSchema, type RecordData } from '@driftless/core/wire'
import { decodeCursor, encodeCursor } from './cursor.js'
import type { Database } from './database.js'
import { HttpError } from './httpError.js'
import { describeIssues } from './issues.js'

interface RecordRow {
  collection: string
  record_id: string
  type: PulledChange['type']
  data: RecordData | null
  change_timestamp: number | string
  change_id: string
  seq: number | string
}

/** Reads one page of the caller's changes after the cursor, oldest first. */
export async function pull(
  database: Database,
  userId: string,
  body: unknown,
  maxBatchSize: number,
): Promise<PullResult> {
  const parsed = pullRequestSchema.safeParse(body)
  if (!parsed.success)
    throw new HttpError(400, `Invalid pull request: ${describeIssues(parsed.error.issues)}`)
  const request = parsed.data
  const after = decodeCursor(request.cursor)
  const batchSize = Math.min(request.batchSize, maxBatchSize)
  const params: unknown[] = [userId, after, batchSize + 1]
  let filter = ''
  if (request.collections) {
    params.push(request.collections)
    filter = 'and collection = any($4::text[])'
  }
  const rows = await database.query<RecordRow>(
    `select collection, record_id, type, data, change_timestamp, change_id, seq from driftless_records
     where user_id = $1 and seq > $2 ${filter}
     order by seq limit $3`,
    params,
  )
  const page = rows.slice(0, batchSize)
  const last = page.at(-1)
  const hasMore = rows.length > batchSize
  return {
    changes: page.map((row) => ({
      id: row.change_id,
      collection: row.collection,
      recordId: row.record_id,
      type: row.type,
      data: row.type === 'delete' ? null : row.data,
      timestamp: Number(row.change_timestamp),
    })),
    // An empty page leaves the caller where it was.
    cursor: last ? encodeCursor(Number(last.seq)) : request.cursor,
    hasMore,
    remaining:
      hasMore && last ? await countAfter(database, userId, Number(last.seq), request.collections) : 0,
  }
}

/** How many of the caller's changes follow `seq`: what a client shows as the rest of its catch-up. */
async function countAfter(
  database: Database,
  userId: string,
  seq: number,
  collections: string[] | undefined,
): Promise<number> {
  const [row] = await database.query<{ count: number | string }>(
    `select count(*) as count from driftless_records where user_id = $1 and seq > $2
     ${collections ? 'and collection = any($3::text[])' : ''}`,
    collections ? [userId, seq, collections] : [userId, seq],
  )
  return Number(row?.count ?? 0)
}
