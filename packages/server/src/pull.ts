import type { PulledChange, PullResult, RecordData } from '@driftless/core/wire'
import { z } from 'zod'
import { decodeCursor, encodeCursor } from './cursor.js'
import type { Database } from './database.js'
import { HttpError } from './httpError.js'
import { describeIssues } from './issues.js'
import { unstorableText, wholeText } from './storableText.js'

/** The page size when a pull names none, as in the wire contract's seed. */
export const DEFAULT_PULL_BATCH_SIZE = 100

// A superset of `pullRequestSchema`: other clients of the contract may leave out the cursor (from the start) and
// batchSize (100).
const pullRequestSchema = z.object({
  cursor: z.string().nullish(),
  batchSize: z.number().int().positive().default(DEFAULT_PULL_BATCH_SIZE),
  collections: z
    .array(
      z
        .string()
        .min(1)
        .refine(
          (name) => unstorableText(name, '') === undefined,
          'contains a NUL character or a lone surrogate',
        ),
    )
    .optional(),
})

export type PullQuery = z.infer<typeof pullRequestSchema>

interface RecordRow {
  collection: string
  record_id: string
  type: PulledChange['type']
  data: RecordData | null
  change_timestamp: number | string
  change_id: string
  seq: number | string
}

/** Checks a `POST /pull` body. */
export function parsePullBody(body: unknown): PullQuery {
  const parsed = pullRequestSchema.safeParse(body ?? {})
  if (!parsed.success)
    throw new HttpError(400, `Invalid pull request: ${describeIssues(parsed.error.issues)}`)
  return parsed.data
}

/** Reads `GET /pull?cursor=…&batchSize=…&collections=a,b` into the same request as a body. */
export function parsePullQuery(params: URLSearchParams): PullQuery {
  const cursor = params.get('cursor')
  const batchSize = params.get('batchSize')
  const collections = params.get('collections')
  return parsePullBody({
    // `?cursor=` and `?cursor=null` are how a URL template writes "no cursor yet".
    cursor: cursor === '' || cursor === 'null' ? null : cursor,
    ...(batchSize === null ? {} : { batchSize: /^\d+$/.test(batchSize) ? Number(batchSize) : batchSize }),
    ...(collections === null ? {} : { collections: collections.split(',').filter(Boolean) }),
  })
}

/** Reads one page of the caller's changes after the cursor, oldest first. */
export async function pull(
  database: Database,
  userId: string,
  request: PullQuery,
  maxBatchSize: number,
): Promise<PullResult> {
  const [scope] = await database.query<{
    database_id: string
    last_value: number | string
    is_called: boolean
  }>('select (select id from driftless_database_id) as database_id, last_value, is_called from driftless_seq')
  const databaseId = scope!.database_id
  const after = decodeCursor(request.cursor, {
    databaseId,
    newestSeq: scope!.is_called ? Number(scope!.last_value) : 0,
  })
  const batchSize = Math.min(request.batchSize, maxBatchSize)
  const params: unknown[] = [userId, after, batchSize + 1]
  let filter = ''
  if (request.collections) {
    params.push(request.collections)
    filter = 'and collection = any($4::text[])'
  }
  const rows = await database.query<RecordRow>(
    `select ${wholeText('collection')}, ${wholeText('record_id')}, type, data, change_timestamp,
       ${wholeText('change_id')}, seq from driftless_records
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
    // An empty page leaves the caller where it was, in the current cursor format.
    cursor: last
      ? encodeCursor(Number(last.seq), databaseId)
      : after === 0
        ? (request.cursor ?? null)
        : encodeCursor(after, databaseId),
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
