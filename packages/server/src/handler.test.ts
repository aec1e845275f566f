import {
  type Change,
  type PullRequest,
  type PullResult,
  type PushResult,
  validatePullResult,
  validatePushResult,
} from '@driftless/core/wire'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { Database } from './database.js'
import { createSyncHandler, type SyncHandler, type SyncHandlerOptions } from './handler.js'
import { dumpDatabase, resetDatabase, testBackends } from './test/backends.js'
import { signToken, TEST_AUDIENCE, TEST_SECRET } from './test/tokens.js'

const T0 = 1_800_000_000_000
const BASE = 'http://sync.test'
const silent = { error() {} }

function change(overrides: Partial<Change> & Pick<Change, 'id'>): Change {
  return {
    collection: 'todos',
    recordId: 'r1',
    type: 'create',
    data: { title: 'Buy milk', done: false },
    prevData: null,
    timestamp: T0,
    ...overrides,
  }
}

describe.each(testBackends())('sync handler on $name', (backend) => {
  let database: Database
  let clock = T0
  let handler: SyncHandler

  function makeHandler(extra: Partial<SyncHandlerOptions> = {}): SyncHandler {
    return createSyncHandler({
      database,
      auth: { secret: TEST_SECRET, audience: TEST_AUDIENCE },
      now: () => clock,
      logger: silent,
      maxBodyBytes: 16 * 1024,
      maxPushChanges: 20,
      maxPullBatchSize: 5,
      collections: { todos: z.looseObject({ title: z.string().min(1), done: z.boolean().optional() }) },
      ...extra,
    })
  }

  async function send(
    path: string,
    body: unknown,
    options: {
      user?: string | null
      token?: string
      headers?: Record<string, string>
      using?: SyncHandler
    } = {},
  ): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
    const token =
      options.token ??
      (options.user === null ? undefined : await signToken(options.user ?? 'alice', { now: clock }))
    const response = await (options.using ?? handler)(
      new Request(`${BASE}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...options.headers,
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    )
    return { status: response.status, body: await response.json(), headers: response.headers }
  }

  async function push(user: string, changes: unknown[]): Promise<PushResult> {
    const response = await send('/push', { changes }, { user })
    expect(response.status).toBe(200)
    return validatePushResult(response.body)
  }

  async function pull(user: string, request: Partial<PullRequest> = {}): Promise<PullResult> {
    const response = await send('/pull', { cursor: null, batchSize: 100, ...request }, { user })
    expect(response.status).toBe(200)
    return validatePullResult(response.body)
  }

  async function pullAll(user: string): Promise<PullResult['changes']> {
    const all: PullResult['changes'] = []
    let cursor: string | null = null
    for (;;) {
      const page = await pull(user, { cursor })
      all.push(...page.changes)
      cursor = page.cursor
      if (!page.hasMore) return all
    }
  }

  beforeAll(async () => {
    database = await backend.open()
  })
  afterAll(async () => {
    await database?.close()
  })
  beforeEach(async () => {
    await resetDatabase(database)
    clock = T0
    handler = makeHandler()
  })

  describe('GET /health', () => {
    it('answers ok with the storage kind, without a token', async () => {
      const response = await handler(new Request(`${BASE}/health`))
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({ status: 'ok', database: database.kind })
    })
  })

  describe('POST /push', () => {
    it('applies creates, updates and deletes; a pull returns each record once, in its latest state', async () => {
      const result = await push('alice', [
        change({ id: 'c1', recordId: 'a', data: { title: 'A' } }),
        change({ id: 'c2', recordId: 'b', data: { title: 'B' } }),
        change({
          id: 'c3',
          recordId: 'a',
          type: 'update',
          data: { title: 'A2', done: true },
          prevData: { title: 'A' },
          timestamp: T0 + 1,
        }),
        change({
          id: 'c4',
          recordId: 'b',
          type: 'delete',
          data: null,
          prevData: { title: 'B' },
          timestamp: T0 + 2,
        }),
      ])
      expect(result).toEqual({
        accepted: ['c1', 'c2', 'c3', 'c4'].map((id) => ({ id, serverTimestamp: T0 })),
        conflicts: [],
        errors: [],
      })
      expect(await pullAll('alice')).toEqual([
        {
          id: 'c3',
          collection: 'todos',
          recordId: 'a',
          type: 'update',
          data: { title: 'A2', done: true },
          timestamp: T0 + 1,
        },
        { id: 'c4', collection: 'todos', recordId: 'b', type: 'delete', data: null, timestamp: T0 + 2 },
      ])
    })

    it('replaces the whole record on update, so removed fields stay removed', async () => {
      await push('alice', [change({ id: 'c1', data: { title: 'A', note: 'x' } })])
      await push('alice', [
        change({
          id: 'c2',
          type: 'update',
          data: { title: 'A' },
          prevData: { title: 'A', note: 'x' },
          timestamp: T0 + 1,
        }),
      ])
      expect((await pullAll('alice'))[0]?.data).toEqual({ title: 'A' })
    })

    it('accepts a replayed push, stamped with the server clock of the answer, and applies nothing twice', async () => {
      const batch = [change({ id: 'c1', data: { title: 'first' } }), change({ id: 'c2', recordId: 'r2' })]
      const first = await push('alice', batch)
      await push('alice', [
        change({
          id: 'c3',
          type: 'update',
          data: { title: 'newer' },
          prevData: { title: 'first' },
          timestamp: T0 + 5,
        }),
      ])
      const before = await dumpDatabase(database)
      const afterPull = await pull('alice')

      clock = T0 + 60_000
      const replay = await push('alice', batch)

      // serverTimestamp is when the server answered, so a client estimating server time is never set back.
      expect(first.accepted).toEqual([
        { id: 'c1', serverTimestamp: T0 },
        { id: 'c2', serverTimestamp: T0 },
      ])
      expect(replay).toEqual({
        accepted: [
          { id: 'c1', serverTimestamp: T0 + 60_000 },
          { id: 'c2', serverTimestamp: T0 + 60_000 },
        ],
        conflicts: [],
        errors: [],
      })
      expect(await dumpDatabase(database)).toEqual(before)
      expect(await pull('alice', { cursor: afterPull.cursor })).toEqual({
        changes: [],
        cursor: afterPull.cursor,
        hasMore: false,
        remaining: 0,
      })
    })

    it('treats a change id repeated within one batch as the same change', async () => {
      const result = await push('alice', [
        change({ id: 'c1' }),
        change({ id: 'c1', data: { title: 'other' } }),
      ])
      expect(result.accepted).toEqual([
        { id: 'c1', serverTimestamp: T0 },
        { id: 'c1', serverTimestamp: T0 },
      ])
      expect((await pullAll('alice'))[0]?.data).toEqual({ title: 'Buy milk', done: false })
    })

    it('reports a conflict when the stored row is newer, applies nothing and does not mark the change seen', async () => {
      await push('alice', [
        change({ id: 'c1', data: { title: 'Milk', done: false, note: 'x' }, timestamp: T0 + 10 }),
      ])
      const before = await dumpDatabase(database)
      const stale = change({
        id: 'c2',
        type: 'update',
        data: { title: 'Oat milk', done: false, note: 'x' },
        prevData: { title: 'Milk', done: true, note: 'x' },
        timestamp: T0 + 5,
      })

      const result = await push('alice', [stale])

      expect(result.accepted).toEqual([])
      expect(result.conflicts).toEqual([
        {
          changeId: 'c2',
          recordId: 'r1',
          collection: 'todos',
          local: { title: 'Oat milk', done: false, note: 'x' },
          remote: { title: 'Milk', done: false, note: 'x' },
          localTimestamp: T0 + 5,
          remoteTimestamp: T0 + 10,
          // `done` was changed too, but to the value the server already holds.
          fieldConflicts: ['title'],
        },
      ])
      expect(await dumpDatabase(database)).toEqual(before)
      expect((await push('alice', [stale])).conflicts).toHaveLength(1)
    })

    it('reports a conflict against a newer delete with a null remote', async () => {
      await push('alice', [
        change({ id: 'c1' }),
        change({ id: 'c2', type: 'delete', data: null, timestamp: T0 + 10 }),
      ])
      const result = await push('alice', [
        change({ id: 'c3', type: 'update', data: { title: 'late' }, prevData: null, timestamp: T0 + 5 }),
      ])
      expect(result.conflicts[0]).toMatchObject({ changeId: 'c3', remote: null, fieldConflicts: ['title'] })
    })

    it('breaks an exact timestamp tie by the larger change id, the same way every time', async () => {
      await push('alice', [change({ id: 'm', data: { title: 'from m' } })])
      const lower = await push('alice', [change({ id: 'a', type: 'update', data: { title: 'from a' } })])
      const higher = await push('alice', [change({ id: 'z', type: 'update', data: { title: 'from z' } })])
      expect(lower.conflicts.map((c) => c.changeId)).toEqual(['a'])
      expect(higher.accepted.map((c) => c.id)).toEqual(['z'])
      expect((await pullAll('alice'))[0]?.data).toEqual({ title: 'from z' })
    })

    it('answers invalid changes with per-change errors naming the field, and applies the rest', async () => {
      const before = await dumpDatabase(database)
      const result = await push('alice', [
        change({ id: 'ok1', recordId: 'a' }),
        { ...change({ id: 'bad-type' }), type: 'upsert' },
        change({ id: 'no-data', data: null }),
        change({ id: 'bad-title', recordId: 'b', data: { title: 42 } }),
        { ...change({ id: 'no-ts' }), timestamp: undefined },
        change({ id: 'ok2', recordId: 'c', collection: 'notes', data: { anything: true } }),
      ])
      expect(result.accepted.map((a) => a.id)).toEqual(['ok1', 'ok2'])
      expect(result.errors).toEqual([
        { id: 'bad-type', error: expect.stringMatching(/changes\.1\.type/) },
        { id: 'no-data', error: expect.stringMatching(/^data: a create needs/) },
        { id: 'bad-title', error: expect.stringMatching(/data\.title/) },
        { id: 'no-ts', error: expect.stringMatching(/changes\.4\.timestamp/) },
      ])
      expect(await dumpDatabase(database)).not.toEqual(before)
      expect((await pullAll('alice')).map((c) => c.recordId)).toEqual(['a', 'c'])
    })

    it('turns a change the database refuses into an error entry and still applies the rest', async () => {
      const result = await push('alice', [
        change({ id: 'ok1', recordId: 'a' }),
        // Past bigint: only the database finds out.
        change({ id: 'overflow', recordId: 'b', timestamp: 2 ** 64 }),
        change({ id: 'ok2', recordId: 'c' }),
      ])
      expect(result.accepted.map((a) => a.id)).toEqual(['ok1', 'ok2'])
      expect(result.errors).toEqual([
        { id: 'overflow', error: expect.stringMatching(/^The database refused the change/) },
      ])
      expect((await pullAll('alice')).map((c) => c.recordId)).toEqual(['a', 'c'])
    })

    it('refuses collections outside the allow-list when one is configured', async () => {
      const strict = makeHandler({ allowedCollections: ['todos'] })
      const response = await send(
        '/push',
        { changes: [change({ id: 'c1', collection: 'secrets', data: { x: 1 } }), change({ id: 'c2' })] },
        { using: strict },
      )
      const result = validatePushResult(response.body)
      expect(result.accepted.map((a) => a.id)).toEqual(['c2'])
      expect(result.errors).toEqual([{ id: 'c1', error: expect.stringMatching(/^collection: "secrets"/) }])
    })

    it('answers 400 naming the field when the batch itself is malformed, and changes nothing', async () => {
      await push('alice', [change({ id: 'c0' })])
      const before = await dumpDatabase(database)
      const cases: [unknown, RegExp][] = [
        [
          { changes: [change({ id: 'c1', recordId: 'x' }), { ...change({ id: 'c2' }), id: 7 }] },
          /changes\.1\.id/,
        ],
        [{ change: [] }, /changes/],
        [[], /\(body\)/],
      ]
      for (const [body, message] of cases) {
        const response = await send('/push', body)
        expect(response.status).toBe(400)
        expect(response.body.error).toMatch(message)
      }
      expect(await dumpDatabase(database)).toEqual(before)
    })

    it('answers 413 with its limit as maxBatchSize when a push has too many changes, and changes nothing', async () => {
      await push('alice', [change({ id: 'c0' })])
      const before = await dumpDatabase(database)
      const changes = Array.from({ length: 21 }, (_, i) => change({ id: `c${i + 1}`, recordId: `r${i}` }))
      const response = await send('/push', { changes })
      expect(response.status).toBe(413)
      expect(response.body).toEqual({
        error: 'batch-too-large',
        maxBatchSize: 20,
        message: expect.stringMatching(/21 changes.*at most 20/),
      })
      expect(await dumpDatabase(database)).toEqual(before)
    })
  })

  describe('POST /pull', () => {
    it('returns a field named __proto__ exactly as it was pushed', async () => {
      const data = JSON.parse('{"title":"odd","__proto__":{"admin":true}}')
      expect((await push('alice', [change({ id: 'c1', data })])).accepted).toHaveLength(1)
      const [pulled] = await pullAll('alice')
      expect(JSON.stringify(pulled?.data)).toBe('{"title":"odd","__proto__":{"admin":true}}')
      expect(Object.getPrototypeOf(pulled?.data)).toBe(Object.prototype)
    })

    async function seed(count: number): Promise<void> {
      const changes = Array.from({ length: count }, (_, i) =>
        change({
          id: `c${i}`,
          recordId: `r${i}`,
          collection: i % 2 ? 'notes' : 'todos',
          data: { title: `t${i}` },
        }),
      )
      await push('alice', changes)
    }

    it('pages through changes in write order with an opaque cursor, capping batchSize', async () => {
      await seed(7)
      const first = await pull('alice', { batchSize: 3 })
      expect(first.changes.map((c) => c.recordId)).toEqual(['r0', 'r1', 'r2'])
      expect(first.hasMore).toBe(true)
      expect(first.remaining).toBe(4)
      // The server caps pages at 5 whatever the client asks for.
      const second = await pull('alice', { cursor: first.cursor, batchSize: 1000 })
      expect(second.changes.map((c) => c.recordId)).toEqual(['r3', 'r4', 'r5', 'r6'])
      expect(second.hasMore).toBe(false)
      expect(second.remaining).toBe(0)
      const capped = await pull('alice', { batchSize: 1000 })
      expect(capped.changes).toHaveLength(5)
      expect(capped.hasMore).toBe(true)
    })

    it('returns the caller’s cursor unchanged when nothing is new, and later changes after it', async () => {
      await seed(2)
      const caughtUp = await pull('alice')
      const empty = await pull('alice', { cursor: caughtUp.cursor })
      expect(empty).toEqual({ changes: [], cursor: caughtUp.cursor, hasMore: false, remaining: 0 })
      expect(await pull('bob')).toEqual({ changes: [], cursor: null, hasMore: false, remaining: 0 })

      await push('alice', [
        change({ id: 'u1', recordId: 'r0', type: 'update', data: { title: 'again' }, timestamp: T0 + 1 }),
      ])
      const next = await pull('alice', { cursor: caughtUp.cursor })
      expect(next.changes).toEqual([
        {
          id: 'u1',
          collection: 'todos',
          recordId: 'r0',
          type: 'update',
          data: { title: 'again' },
          timestamp: T0 + 1,
        },
      ])
      expect(next.cursor).not.toBe(caughtUp.cursor)
    })

    it('filters by collection', async () => {
      await seed(4)
      const notes = await pull('alice', { collections: ['notes'] })
      expect(notes.changes.map((c) => c.recordId)).toEqual(['r1', 'r3'])
      // The count of what remains respects the filter too.
      const firstNote = await pull('alice', { collections: ['notes'], batchSize: 1 })
      expect(firstNote.remaining).toBe(1)
    })

    it('answers 400 naming the field for a malformed request', async () => {
      const cases: [unknown, RegExp][] = [
        [{ cursor: 12, batchSize: 10 }, /cursor/],
        [{ cursor: null, batchSize: 0 }, /batchSize/],
        [{ cursor: null, batchSize: 2.5 }, /batchSize/],
        [{ cursor: null, batchSize: 10, collections: 'todos' }, /collections/],
      ]
      for (const [body, message] of cases) {
        const response = await send('/pull', body)
        expect(response.status).toBe(400)
        expect(response.body.error).toMatch(message)
      }
    })
  })

  describe('concurrent writers', () => {
    it('never lets a pull cursor skip a change while pushes of the same user commit concurrently', async () => {
      const seen = new Set<string>()
      let cursor: string | null = null
      let pushing = true
      const follower = (async () => {
        while (pushing) {
          const page = await pull('alice', { cursor })
          for (const c of page.changes) seen.add(c.recordId)
          cursor = page.cursor
        }
      })()
      await Promise.all(
        Array.from({ length: 8 }, (_, batch) =>
          push(
            'alice',
            Array.from({ length: 5 }, (_, i) => change({ id: `b${batch}-${i}`, recordId: `b${batch}-${i}` })),
          ),
        ),
      )
      pushing = false
      await follower
      for (;;) {
        const page = await pull('alice', { cursor })
        for (const c of page.changes) seen.add(c.recordId)
        cursor = page.cursor
        if (!page.hasMore) break
      }
      expect(seen.size).toBe(40)
    })
  })

  describe('browser access', () => {
    it('adds CORS headers for configured origins and answers their preflights', async () => {
      const withCors = makeHandler({ corsOrigins: ['https://app.example'] })
      const preflight = await withCors(
        new Request(`${BASE}/push`, { method: 'OPTIONS', headers: { origin: 'https://app.example' } }),
      )
      expect(preflight.status).toBe(204)
      const response = await send(
        '/pull',
        { cursor: null, batchSize: 1 },
        {
          using: withCors,
          headers: { origin: 'https://app.example' },
        },
      )
      expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example')
      const refused = await send(
        '/pull',
        { cursor: null, batchSize: 1 },
        {
          using: withCors,
          headers: { origin: 'https://evil.example' },
        },
      )
      expect(refused.headers.get('access-control-allow-origin')).toBeNull()
    })
  })

  describe('isolation between users', () => {
    it('never pulls another user’s rows', async () => {
      await push('alice', [change({ id: 'c1', data: { title: 'alice only' } })])
      expect(await pullAll('bob')).toEqual([])
      expect(await pullAll('alice')).toHaveLength(1)
    })

    it('keeps a push to the same record id, or with the same change id, in the pusher’s own rows', async () => {
      await push('alice', [change({ id: 'c1', data: { title: 'alice' } })])
      const aliceBefore = await pullAll('alice')
      const aliceRows = async () =>
        (await dumpDatabase(database)).map((rows) =>
          (rows as { user_id: string }[]).filter((row) => row.user_id === 'alice'),
        )
      const aliceDbBefore = await aliceRows()

      const result = await push('bob', [
        change({ id: 'c1', data: { title: 'bob replays alice’s id' } }),
        change({ id: 'c2', type: 'delete', data: null, timestamp: T0 + 100 }),
      ])

      expect(result.accepted.map((a) => a.id)).toEqual(['c1', 'c2'])
      expect(await pullAll('alice')).toEqual(aliceBefore)
      expect(await aliceRows()).toEqual(aliceDbBefore)
      expect((await pullAll('bob')).map((c) => [c.recordId, c.type])).toEqual([['r1', 'delete']])
    })
  })

  describe('authentication', () => {
    async function refused(token: string | undefined, invalid = true): Promise<Record<string, unknown>> {
      const before = await dumpDatabase(database)
      for (const path of ['/push', '/pull']) {
        const body = path === '/push' ? { changes: [change({ id: 'c9' })] } : { cursor: null, batchSize: 10 }
        const response = await send(path, body, token === undefined ? { user: null } : { token })
        expect(response.status).toBe(401)
        expect(response.headers.get('www-authenticate')).toBe(
          invalid ? 'Bearer error="invalid_token"' : 'Bearer',
        )
        expect(await dumpDatabase(database)).toEqual(before)
        if (token) expect(JSON.stringify(response.body)).not.toContain(token)
        if (path === '/pull') return response.body
      }
      return {}
    }

    beforeEach(async () => {
      await push('alice', [change({ id: 'c1' })])
    })

    it('refuses a request without a token', async () => {
      expect((await refused(undefined, false)).error).toMatch(/Missing bearer token/)
    })

    it('refuses an expired token', async () => {
      const token = await signToken('alice', {
        now: clock - 7200_000,
        expiresAt: Math.floor(clock / 1000) - 60,
      })
      expect((await refused(token)).error).toMatch(/expired/)
    })

    it('refuses a token signed with another secret', async () => {
      const token = await signToken('alice', {
        now: clock,
        secret: 'another-secret-of-at-least-32-characters!!',
      })
      expect((await refused(token)).error).toMatch(/signature/)
    })

    it('refuses a token whose payload was tampered with', async () => {
      const [header, , signature] = (await signToken('bob', { now: clock })).split('.')
      const payload = Buffer.from(
        JSON.stringify({ sub: 'alice', aud: TEST_AUDIENCE, exp: Math.floor(clock / 1000) + 3600 }),
      ).toString('base64url')
      await refused(`${header}.${payload}.${signature}`)
    })

    it('refuses an unsigned ("alg": "none") token', async () => {
      const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
      const exp = Math.floor(clock / 1000) + 3600
      await refused(`${encode({ alg: 'none' })}.${encode({ sub: 'alice', aud: TEST_AUDIENCE, exp })}.`)
    })

    it('refuses a token for another audience', async () => {
      const token = await signToken('alice', { now: clock, audience: 'some-other-app' })
      expect((await refused(token)).error).toMatch(/"aud"/)
    })

    it('refuses a token that names no user', async () => {
      await refused(await signToken(undefined, { now: clock }))
    })

    it('refuses garbage in the Authorization header', async () => {
      await refused('not-a-jwt')
    })
  })

  describe('bad input', () => {
    it('answers 413 for a body over the limit, read as a stream without Content-Length, and changes nothing', async () => {
      const before = await dumpDatabase(database)
      const chunk = new TextEncoder().encode(`{"changes":[${'{"id":"x"},'.repeat(1000)}`)
      let sent = 0
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          sent += chunk.byteLength
          if (sent > 1024 * 1024) controller.close()
          else controller.enqueue(chunk)
        },
      })
      const response = await handler(
        new Request(`${BASE}/push`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${await signToken('alice', { now: clock })}`,
          },
          body,
          duplex: 'half',
        } as RequestInit),
      )
      expect(response.status).toBe(413)
      expect((await response.json()).error).toMatch(/16384 bytes/)
      // The handler stopped reading soon after the limit instead of draining the whole stream.
      expect(sent).toBeLessThan(64 * 1024)
      expect(await dumpDatabase(database)).toEqual(before)
    })

    it('answers 413 at once when Content-Length announces too much', async () => {
      const response = await send('/push', {
        changes: [change({ id: 'c1', data: { title: 'x'.repeat(20_000) } })],
      })
      expect(response.status).toBe(413)
      expect(await dumpDatabase(database)).toEqual([[], []])
    })

    it('answers 400 for malformed JSON and 415 for a body that is not JSON, changing nothing', async () => {
      const malformed = await send('/push', '{"changes": [')
      expect(malformed.status).toBe(400)
      expect(malformed.body.error).toMatch(/not valid JSON/)
      const form = await send('/push', 'changes=1', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      })
      expect(form.status).toBe(415)
      expect(await dumpDatabase(database)).toEqual([[], []])
    })

    it('answers 405 for a wrong method and 404 for an unknown path', async () => {
      const get = await handler(new Request(`${BASE}/push`))
      expect(get.status).toBe(405)
      expect(get.headers.get('allow')).toBe('POST')
      expect((await handler(new Request(`${BASE}/nothing-here`))).status).toBe(404)
    })
  })

  describe('development tokens', () => {
    it('are off unless enabled', async () => {
      const response = await send('/auth/dev-token', { userId: 'alice' }, { user: null })
      expect(response.status).toBe(404)
    })

    it('log a named user in when enabled, with a token the API accepts', async () => {
      const dev = makeHandler({ auth: { audience: TEST_AUDIENCE }, devTokens: { ttlSeconds: 600 } })
      const issued = await send('/auth/dev-token', { userId: 'carol' }, { user: null, using: dev })
      expect(issued.status).toBe(200)
      expect(issued.body.expiresAt).toBe(T0 + 600_000)
      const token = issued.body.token as string
      const pushed = await send('/push', { changes: [change({ id: 'c1' })] }, { token, using: dev })
      expect(validatePushResult(pushed.body).accepted).toHaveLength(1)
      const pulled = await send('/pull', { cursor: null, batchSize: 10 }, { token, using: dev })
      expect(validatePullResult(pulled.body).changes).toHaveLength(1)
      // The server made up its own secret, so tokens signed with the usual test secret are refused.
      const other = await send('/pull', { cursor: null, batchSize: 10 }, { user: 'carol', using: dev })
      expect(other.status).toBe(401)
    })

    it('refuse a missing or unusable user id', async () => {
      const dev = makeHandler({ devTokens: true })
      for (const body of [{}, { userId: '' }, { userId: 'a b' }]) {
        expect((await send('/auth/dev-token', body, { user: null, using: dev })).status).toBe(400)
      }
    })
  })
})
