import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Database } from './database.js'
import { createSyncHandler, type SyncHandler, type SyncHandlerOptions } from './handler.js'
import { resetDatabase, testBackends } from './test/backends.js'
import { signToken, TEST_AUDIENCE, TEST_SECRET } from './test/tokens.js'

const T0 = 1_800_000_000_000
const DAY = 24 * 3600 * 1000

describe.each(testBackends())('how long applied change ids are kept, on $name', (backend) => {
  let database: Database
  let clock = T0
  let token: string

  function makeHandler(extra: Partial<SyncHandlerOptions> = {}): SyncHandler {
    return createSyncHandler({
      database,
      auth: { secret: TEST_SECRET, audience: TEST_AUDIENCE },
      now: () => clock,
      logger: { error() {} },
      ...extra,
    })
  }

  async function push(handler: SyncHandler, id: string, recordId = id, timestamp = clock) {
    const response = await handler(
      new Request('http://sync.test/push', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          changes: [{ id, collection: 'todos', recordId, type: 'create', data: { title: id }, timestamp }],
        }),
      }),
    )
    expect(response.status).toBe(200)
    return (await response.json()) as { accepted: { id: string }[]; conflicts: unknown[] }
  }

  async function keptIds(): Promise<string[]> {
    const rows = await database.query<{ change_id: string }>(
      'select change_id from driftless_applied_changes order by change_id',
    )
    return rows.map((row) => row.change_id)
  }

  async function seqOf(recordId: string): Promise<string> {
    const [row] = await database.query<{ seq: string }>(
      'select seq::text from driftless_records where record_id = $1',
      [recordId],
    )
    return row!.seq
  }

  beforeAll(async () => {
    database = await backend.open()
    token = await signToken('alice', { now: T0, expiresAt: Math.floor((T0 + 2000 * DAY) / 1000) })
  })
  afterAll(async () => {
    await database?.close()
  })
  beforeEach(async () => {
    await resetDatabase(database)
    clock = T0
  })

  it('forgets change ids older than 30 days by default, and still never applies a replay twice', async () => {
    const handler = makeHandler()
    await push(handler, 'old')
    clock = T0 + 20 * DAY
    await push(handler, 'recent')
    const oldSeq = await seqOf('old')

    clock = T0 + 31 * DAY
    await push(handler, 'now')
    expect(await keptIds()).toEqual(['now', 'recent'])

    // The stored row still names the change that wrote it, so the replay is recognised.
    expect((await push(handler, 'old', 'old', T0)).accepted.map((a) => a.id)).toEqual(['old'])
    expect(await seqOf('old')).toBe(oldSeq)
  })

  it('keeps them as many days as configured, or forever with 0', async () => {
    const weekly = makeHandler({ changeIdRetentionDays: 7 })
    await push(weekly, 'a')
    clock = T0 + 8 * DAY
    await push(weekly, 'b')
    expect(await keptIds()).toEqual(['b'])

    const forever = makeHandler({ changeIdRetentionDays: 0 })
    clock = T0 + 1000 * DAY
    await push(forever, 'c')
    expect(await keptIds()).toEqual(['b', 'c'])
  })

  it('answers a committed push even when forgetting old ids fails, and reports the failure', async () => {
    const reported: unknown[] = []
    const failing: Database = {
      ...database,
      async query<Row>(sql: string, params?: readonly unknown[]): Promise<Row[]> {
        if (sql.startsWith('delete from driftless_applied_changes')) throw new Error('disk full')
        return database.query<Row>(sql, params)
      },
    }
    const handler = createSyncHandler({
      database: failing,
      auth: { secret: TEST_SECRET, audience: TEST_AUDIENCE },
      now: () => clock,
      logger: { error: (...details: unknown[]) => reported.push(details) },
    })
    expect((await push(handler, 'a')).accepted.map((a) => a.id)).toEqual(['a'])
    expect(reported).toEqual([['driftless-server: could not forget old change ids', new Error('disk full')]])
  })

  it('refuses a retention that is not a whole number of days', () => {
    for (const changeIdRetentionDays of [-1, 1.5, Number.NaN]) {
      expect(() => makeHandler({ changeIdRetentionDays })).toThrow(/changeIdRetentionDays/)
    }
  })
})
