import { validatePullResult, validatePushResult } from '@driftless/core/wire'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Database } from './database.js'
import { createSyncHandler, type SyncHandler, type SyncHandlerOptions } from './handler.js'
import { dumpDatabase, resetDatabase, testBackends } from './test/backends.js'
import { signToken, TEST_AUDIENCE, TEST_SECRET } from './test/tokens.js'

const T0 = 1_800_000_000_000
const BASE = 'http://sync.test'

// What a client written to the seed document sends: ISO timestamps, optional cursor and batchSize,
// GET /pull with query parameters, an endpoint with a path.
describe.each(testBackends())('the seed wire contract on $name', (backend) => {
  let database: Database
  let handler: SyncHandler
  let token: string

  function makeHandler(extra: Partial<SyncHandlerOptions> = {}): SyncHandler {
    return createSyncHandler({
      database,
      auth: { secret: TEST_SECRET, audience: TEST_AUDIENCE },
      now: () => T0,
      logger: { error() {} },
      ...extra,
    })
  }

  async function call(
    method: string,
    path: string,
    body?: unknown,
    using: SyncHandler = handler,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await using(
      new Request(`${BASE}${path}`, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    )
    return { status: response.status, body: await response.json() }
  }

  function todo(id: string, recordId: string, timestamp: number | string, title = id) {
    return { id, collection: 'todos', recordId, type: 'create', data: { title }, timestamp }
  }

  beforeAll(async () => {
    database = await backend.open()
    token = await signToken('alice', { now: T0 })
  })
  afterAll(async () => {
    await database?.close()
  })
  beforeEach(async () => {
    await resetDatabase(database)
    handler = makeHandler()
  })

  it('accepts ISO-8601 timestamps in pushed changes and compares them with epoch milliseconds', async () => {
    const pushed = await call('POST', '/push', {
      changes: [
        todo('c1', 'r1', '2027-01-15T08:00:00.000Z'),
        todo('c2', 'r2', '2027-01-15T10:00:00+02:00'),
        todo('c3', 'r3', 'yesterday'),
      ],
    })
    expect(pushed.status).toBe(200)
    const result = validatePushResult(pushed.body)
    expect(result.accepted.map((a) => a.id)).toEqual(['c1', 'c2'])
    expect(result.errors).toEqual([
      {
        id: 'c3',
        error:
          'timestamp: "yesterday" is neither epoch milliseconds nor an ISO-8601 date-time with an offset (e.g. 2027-01-15T08:00:00Z)',
      },
    ])

    // An older edit in epoch ms loses to the stored ISO one; a newer one wins.
    const iso = Date.parse('2027-01-15T08:00:00.000Z')
    const later = validatePushResult(
      (
        await call('POST', '/push', {
          changes: [todo('c4', 'r1', iso - 1, 'older'), todo('c5', 'r2', iso + 1, 'newer')],
        })
      ).body,
    )
    expect(later.conflicts.map((c) => [c.changeId, c.remoteTimestamp])).toEqual([['c4', iso]])
    expect(later.accepted.map((a) => a.id)).toEqual(['c5'])

    const pulled = validatePullResult((await call('POST', '/pull', {})).body)
    expect(pulled.changes.map((c) => [c.recordId, c.timestamp])).toEqual([
      ['r1', iso],
      ['r2', iso + 1],
    ])
  })

  it('pulls from the beginning without a cursor, 100 changes a page without a batchSize', async () => {
    const changes = Array.from({ length: 101 }, (_, i) => todo(`c${i}`, `r${i}`, T0))
    expect((await call('POST', '/push', { changes })).status).toBe(200)
    for (const body of [{}, { cursor: null }, { cursor: undefined, batchSize: undefined }]) {
      const page = validatePullResult((await call('POST', '/pull', body)).body)
      expect(page.changes).toHaveLength(100)
      expect(page.hasMore).toBe(true)
    }
    const first = validatePullResult((await call('POST', '/pull', { batchSize: 100 })).body)
    const rest = validatePullResult((await call('POST', '/pull', { cursor: first.cursor })).body)
    expect(rest.changes.map((c) => c.id)).toEqual(['c100'])
    expect(rest.hasMore).toBe(false)
  })

  it('answers GET /pull with cursor, batchSize and comma-separated collections as query parameters', async () => {
    const changes = ['todos', 'notes', 'todos', 'tags', 'todos'].map((collection, i) => ({
      ...todo(`c${i}`, `r${i}`, T0),
      collection,
    }))
    await call('POST', '/push', { changes })
    const first = validatePullResult((await call('GET', '/pull?batchSize=2&collections=todos,notes')).body)
    expect(first.changes.map((c) => c.id)).toEqual(['c0', 'c1'])
    const query = new URLSearchParams({ cursor: first.cursor!, batchSize: '2', collections: 'todos,notes' })
    const second = await call('GET', `/pull?${query}`)
    expect(second.status).toBe(200)
    expect(second.body).toEqual(
      (await call('POST', '/pull', { cursor: first.cursor, batchSize: 2, collections: ['todos', 'notes'] }))
        .body,
    )
    expect(validatePullResult(second.body).changes.map((c) => c.id)).toEqual(['c2', 'c4'])
    for (const path of ['/pull', '/pull?cursor=', '/pull?cursor=null']) {
      expect(validatePullResult((await call('GET', path)).body).changes).toHaveLength(5)
    }

    const bad = await call('GET', '/pull?batchSize=lots')
    expect(bad.status).toBe(400)
    expect(bad.body.error).toMatch(/^Invalid pull request: batchSize:/)
  })

  it('serves the API under a base path, so https://api.example.com/sync is a real endpoint', async () => {
    const sync = makeHandler({ basePath: '/sync' })
    const before = await dumpDatabase(database)
    const outside = await call('POST', '/push', { changes: [todo('c1', 'r1', T0)] }, sync)
    expect(outside).toEqual({ status: 404, body: { error: 'Nothing at /push; the API is under /sync.' } })
    expect(await dumpDatabase(database)).toEqual(before)

    const pushed = await call('POST', '/sync/push', { changes: [todo('c1', 'r1', T0)] }, sync)
    expect(validatePushResult(pushed.body).accepted.map((a) => a.id)).toEqual(['c1'])
    const pulled = validatePullResult((await call('POST', '/sync/pull', {}, sync)).body)
    expect(pulled.changes.map((c) => c.id)).toEqual(['c1'])
    expect((await call('GET', '/sync/pull', undefined, sync)).status).toBe(200)
    expect((await call('GET', '/sync/health', undefined, sync)).body).toEqual({
      status: 'ok',
      database: database.kind,
    })
    // A trailing slash is the same base path.
    expect((await call('POST', '/sync/pull', {}, makeHandler({ basePath: '/sync/' }))).status).toBe(200)
  })

  it('refuses a base path that is not a path', () => {
    for (const basePath of ['sync', '/sync?x=1', '/a//b', 'https://api.example.com/sync']) {
      expect(() => makeHandler({ basePath })).toThrow(/basePath/)
    }
  })
})
