import Dexie from 'dexie'
import { nanoid } from 'nanoid'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createSyncClient } from '../session/syncClient.js'
import { InvalidResponseError } from '../shared/errors.js'
import { trackClient } from '../test/clientFixture.js'
import {
  advance,
  aroundWrites,
  createTestEnvironment,
  createTodoDb,
  settle,
  useEngineTimers,
} from '../test/engineHarness.js'
import { FakeSyncServer } from '../test/fakeServer.js'
import {
  closeClients,
  connector,
  createDevice,
  type Device,
  interceptPulls,
  json,
  rejection,
  storedCursor,
} from '../test/syncSetup.js'

beforeEach(() => useEngineTimers())
afterEach(async () => {
  await closeClients()
  vi.useRealTimers()
})

function device(server: FakeSyncServer, options: Parameters<typeof createDevice>[1] = {}): Device {
  const created = createDevice(server, options)
  return created
}

function seed(server: FakeSyncServer, count: number): void {
  for (let i = 1; i <= count; i++) server.write('todos', `t${i}`, { id: `t${i}`, title: `todo ${i}` })
}

function pullCursors(server: FakeSyncServer): unknown[] {
  return server.requests
    .filter((request) => request.path.endsWith('/pull'))
    .map((request) => (request.body as { cursor: unknown }).cursor)
}

describe('pull: paging', () => {
  it('asks for the next page while it applies the one it has, and stores each page in order', async () => {
    const server = new FakeSyncServer()
    seed(server, 5)
    const db = createTodoDb()
    let pagesWritten = 0
    aroundWrites(db, 'todos', (_, write) => {
      pagesWritten++
      return write()
    })
    /** How many pages were written when each pull was sent. */
    const writtenAtPull: number[] = []
    const fetch = interceptPulls(server, () => {
      writtenAtPull.push(pagesWritten)
      return undefined
    })
    const { client } = device(server, { db, fetch, pullBatchSize: 2 })
    await client.connect(connector)
    await client.sync()
    expect(pullCursors(server)).toEqual([null, '2', '4', '5'])
    // Pages 2 and 3 were asked for before the page ahead of each was written; the last page (its hasMore
    // false) asks for nothing ahead, so the next round's pull comes after it.
    expect(writtenAtPull).toEqual([0, 0, 1, 3])
    expect(await db.todos.count()).toBe(5)
    expect(await storedCursor(client)).toBe('5')
  })

  it('pages through the server with pullBatchSize while hasMore, storing the last cursor', async () => {
    const server = new FakeSyncServer()
    seed(server, 5)
    const { client, db } = device(server, { pullBatchSize: 2 })
    await client.connect(connector)
    await client.sync()
    expect(pullCursors(server)).toEqual([null, '2', '4', '5'])
    expect(
      server.requests
        .filter((r) => r.path.endsWith('/pull'))
        .map((r) => (r.body as { batchSize: number }).batchSize),
    ).toEqual([2, 2, 2, 2])
    expect((await db.todos.toArray()).map((row) => row.id)).toEqual(['t1', 't2', 't3', 't4', 't5'])
    expect(await storedCursor(client)).toBe('5')
  })

  it('applies pulled rows without queuing them for upload', async () => {
    const server = new FakeSyncServer()
    seed(server, 3)
    server.write('todos', 't2', null)
    const { client, db } = device(server)
    await client.connect(connector)
    await client.sync()
    expect(await db.todos.toArray()).toEqual([
      { id: 't1', title: 'todo 1' },
      { id: 't3', title: 'todo 3' },
    ])
    expect(await client.listChanges()).toEqual([])
    expect(client.getSnapshot().pendingChanges).toBe(0)
    expect(server.pushedChangeIds).toEqual([])
  })

  it('asks only for the configured collections', async () => {
    const server = new FakeSyncServer()
    server.write('notes', 'n1', { id: 'n1', text: 'not synced here' })
    seed(server, 1)
    const { client, db } = device(server, { collections: ['todos'] })
    await client.connect(connector)
    await client.sync()
    const pulls = server.requests.filter((r) => r.path.endsWith('/pull'))
    expect(
      pulls.every((r) => JSON.stringify((r.body as { collections?: string[] }).collections) === '["todos"]'),
    ).toBe(true)
    expect(await db.todos.toArray()).toEqual([{ id: 't1', title: 'todo 1' }])
  })

  it('skips changes to tables that are not synced, and keeps paging past them', async () => {
    const server = new FakeSyncServer()
    server.write('notes', 'n1', { id: 'n1', text: 'elsewhere' })
    server.write('drafts', 'd1', { id: 'd1' })
    seed(server, 1)
    const { client, db } = device(server, { pullBatchSize: 1 })
    await client.connect(connector)
    await client.sync()
    expect(await db.table('drafts').toArray()).toEqual([])
    expect(await db.todos.toArray()).toEqual([{ id: 't1', title: 'todo 1' }])
    expect(await storedCursor(client)).toBe('3')
  })
})

describe('pull: interruption', () => {
  it('resumes after the transport fails on page 3 from the last page it applied', async () => {
    const server = new FakeSyncServer()
    seed(server, 6)
    let failPull: number | null = 3
    const fetch = interceptPulls(server, (n) => {
      if (n === failPull) throw new TypeError('fetch failed')
      return undefined
    })
    const { client, db, events } = device(server, { pullBatchSize: 2, fetch })
    await client.connect(connector)
    await advance(100)
    expect((await db.todos.toArray()).map((row) => row.id)).toEqual(['t1', 't2', 't3', 't4'])
    expect(await storedCursor(client)).toBe('4')
    expect(client.getSnapshot()).toMatchObject({ hasSynced: false, isDownloading: false })
    expect(client.getSnapshot().downloadError).toMatch(/network error/)
    expect(events.some((event) => event.phase === 'error' && event.stage === 'pull')).toBe(true)

    failPull = null
    server.write('todos', 't1', { id: 't1', title: 'renamed' })
    await client.sync()
    expect(pullCursors(server).slice(-2)).toEqual(['4', '6'])
    expect(await db.todos.toArray()).toEqual([
      { id: 't1', title: 'renamed' },
      ...[2, 3, 4, 5, 6].map((i) => ({ id: `t${i}`, title: `todo ${i}` })),
    ])
    expect(await storedCursor(client)).toBe('7')
    expect(client.getSnapshot()).toMatchObject({ hasSynced: true, downloadError: null })
  })

  it('resumes in a new session when the client closes in the middle of a pull', async () => {
    const server = new FakeSyncServer()
    seed(server, 4)
    let hang = true
    const fetch = interceptPulls(server, (n) =>
      n === 2 && hang ? new Promise<Response>(() => {}) : undefined,
    )
    const first = device(server, { pullBatchSize: 2, fetch })
    await first.client.connect(connector)
    await advance(100)
    expect(pullCursors(server)).toEqual([null])
    await first.client.close()
    expect((await first.db.todos.toArray()).map((row) => row.id)).toEqual(['t1', 't2'])

    hang = false
    first.db.close()
    const reopened = device(server, { pullBatchSize: 2, dbName: first.db.name })
    await reopened.client.connect(connector)
    await reopened.client.sync()
    expect(pullCursors(server).slice(1, 2)).toEqual(['2'])
    expect((await reopened.db.todos.toArray()).map((row) => row.id)).toEqual(['t1', 't2', 't3', 't4'])
  })
})

describe('pull: atomic pages', () => {
  it('a page the database refuses leaves every row of it and the cursor as they were', async () => {
    const server = new FakeSyncServer()
    seed(server, 2)
    server.write('todos', 'dup1', { id: 'dup1', title: 'same' })
    server.write('todos', 'dup2', { id: 'dup2', title: 'same' })
    const db = new Dexie(`driftless-unique-${nanoid()}`) as ReturnType<typeof createTodoDb>
    db.version(1).stores({ todos: 'id, &title' })
    const env = createTestEnvironment(server)
    const client = trackClient(
      createSyncClient(db, { tables: { todos: true }, env, autoSync: false, pullBatchSize: 2 }),
    )
    await client.connect(connector)
    await advance(100)
    expect((await db.todos.toArray()).map((row) => row.id)).toEqual(['t1', 't2'])
    expect(await storedCursor(client)).toBe('2')
    expect(client.getSnapshot().downloadError).toMatch(/ConstraintError|unique|already exists/i)
    expect(await client.listChanges()).toEqual([])
  })
})

describe('pull: validation', () => {
  it('rejects a malformed answer (its page fields) without touching rows or cursor, and shows downloadError', async () => {
    const server = new FakeSyncServer()
    seed(server, 2)
    const { client, db, events } = device(server)
    await client.connect(connector)
    await client.sync()
    const before = await db.todos.toArray()

    server.respondNext({
      changes: [
        {
          id: 'x1',
          collection: 'todos',
          recordId: 't1',
          type: 'update',
          data: { id: 't1', title: 'evil' },
          timestamp: 9,
        },
      ],
      cursor: '99',
      hasMore: 'no',
    })
    const error = await rejection(client.sync())
    expect(error).toBeInstanceOf(InvalidResponseError)
    expect(error.message).toContain('hasMore: expected a boolean')
    expect(await db.todos.toArray()).toEqual(before)
    expect(await storedCursor(client)).toBe('2')
    expect(client.getSnapshot().downloadError).toContain('pull answer')
    expect(client.getSnapshot().lastError).toContain('pull answer')
    expect(
      events
        .filter((event) => event.phase === 'error')
        .map((event) => event.phase === 'error' && event.stage),
    ).toEqual(['pull'])

    await client.sync()
    expect(client.getSnapshot()).toMatchObject({ downloadError: null, lastError: null })
  })

  it('rejects an answer that says hasMore without moving the cursor', async () => {
    const server = new FakeSyncServer()
    const { client } = device(server)
    await client.connect(connector)
    await client.sync()
    server.respondNext({ changes: [], cursor: null, hasMore: true })
    await expect(client.sync()).rejects.toThrow(/cursor did not advance/)
    expect(await storedCursor(client)).toBeUndefined()
  })

  it("keeps its place when the server answers cursor: null on the last page (the seed's example server)", async () => {
    const server = new FakeSyncServer()
    const change = (n: number) => ({
      id: `s${n}`,
      collection: 'todos',
      recordId: `t${n}`,
      type: 'create',
      data: { id: `t${n}`, title: `todo ${n}` },
      timestamp: Date.now() - 1000 + n,
    })
    const pages = [
      { changes: [change(1), change(2)], cursor: 's2', hasMore: true },
      { changes: [change(3)], cursor: null, hasMore: false },
      { changes: [change(3)], cursor: null, hasMore: false },
    ]
    const cursors: unknown[] = []
    const fetch = interceptPulls(server, (n, body) => {
      cursors.push((body as { cursor: unknown }).cursor)
      return json(pages[n - 1] ?? { changes: [], cursor: null, hasMore: false })
    })
    const { client, db } = device(server, { pullBatchSize: 2, fetch })
    await client.connect(connector)
    await client.sync()
    expect((await db.todos.toArray()).map((row) => row.id)).toEqual(['t1', 't2', 't3'])
    expect(await storedCursor(client)).toBe('s2')

    // A local edit made since must survive the page being sent again.
    await db.todos.update('t3', { title: 'mine' })
    await client.sync()
    expect(cursors[0]).toBeNull()
    expect(new Set(cursors.slice(1))).toEqual(new Set(['s2']))
    expect(await db.todos.get('t3')).toEqual({ id: 't3', title: 'mine' })
  })
})

describe('pull: round and status', () => {
  it('pulls after the outbox drains, so the round reads its own writes as the server has them', async () => {
    const server = new FakeSyncServer()
    const { client, db } = device(server)
    await client.connect(connector)
    await client.sync()
    server.requests.length = 0
    await db.todos.add({ id: 'a', title: 'mine' })
    server.write('todos', 'b', { id: 'b', title: 'theirs' })
    await client.sync()
    expect(server.requests.map((r) => r.path.split('/').pop())).toEqual(['push', 'pull'])
    expect(server.changes.map((c) => c.recordId)).toEqual(['b', 'a'])
    expect(await db.todos.toArray()).toEqual([
      { id: 'a', title: 'mine' },
      { id: 'b', title: 'theirs' },
    ])
    expect(await client.listChanges()).toEqual([])
  })

  it('reports isDownloading during the pull, then hasSynced and lastSyncedAt', async () => {
    const server = new FakeSyncServer()
    seed(server, 1)
    let release!: () => void
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const fetch = interceptPulls(server, async (n) => {
      if (n === 1) await gate
      return undefined
    })
    const { client } = device(server, { fetch })
    expect(client.getSnapshot()).toMatchObject({ hasSynced: false, lastSyncedAt: null, isDownloading: false })
    await client.connect(connector)
    await settle()
    expect(client.getSnapshot()).toMatchObject({ isDownloading: true, isSyncing: true, hasSynced: false })
    await vi.advanceTimersByTimeAsync(1_000)
    release()
    await client.sync()
    expect(client.getSnapshot()).toMatchObject({
      isDownloading: false,
      isSyncing: false,
      hasSynced: true,
      lastSyncedAt: Date.now(),
    })
  })
})

describe('pull: a backlog that does not end', () => {
  it('ends each round after maxPullPagesPerRound pages, so sync() settles and local writes still upload', async () => {
    const server = new FakeSyncServer()
    // A server that always has more: every page is one new change and a new cursor, forever.
    const fetch = interceptPulls(server, (n) =>
      json({
        changes: [
          {
            id: `endless-${n}`,
            collection: 'todos',
            recordId: `e${n}`,
            type: 'create',
            data: { id: `e${n}`, title: 'more' },
            timestamp: n,
          },
        ],
        cursor: `page-${n}`,
        hasMore: true,
      }),
    )
    const { client, db } = device(server, { fetch, maxPullPagesPerRound: 5 })
    await client.connect(connector)
    await client.sync()
    expect(client.getSnapshot().hasSynced).toBe(false)

    await db.todos.add({ id: 'mine', title: 'written during the endless pull' })
    await client.sync()
    expect(server.get('todos', 'mine')?.data).toEqual({
      id: 'mine',
      title: 'written during the endless pull',
    })
    expect(client.getSnapshot().pendingChanges).toBe(0)
  })

  it('says the server kept answering hasMore for maxPullPagesPerRound pages, and goes on from there next round', async () => {
    const server = new FakeSyncServer()
    const cursors: unknown[] = []
    // Seven pages that each say more follow, then an end.
    const fetch = interceptPulls(server, (n, body) => {
      cursors.push((body as { cursor: unknown }).cursor)
      if (n > 7) return json({ changes: [], cursor: `page-${n - 1}`, hasMore: false })
      return json({
        changes: [
          {
            id: `endless-${n}`,
            collection: 'todos',
            recordId: `e${n}`,
            type: 'create',
            data: { id: `e${n}`, title: 'more' },
            timestamp: n,
          },
        ],
        cursor: `page-${n}`,
        hasMore: true,
      })
    })
    const { client, db, env, events } = device(server, { fetch, maxPullPagesPerRound: 5 })
    const lastErrors = new Set<string | null>()
    client.subscribe((status) => lastErrors.add(status.lastError))
    await client.connect(connector)
    await client.sync()
    await vi.waitFor(() => expect(client.getSnapshot().hasSynced).toBe(true))

    const errors = events.filter((event) => event.phase === 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ stage: 'pull', error: { code: 'PULL_PAGE_LIMIT' } })
    const message = (errors[0] as { error: Error }).error.message
    expect(message).toMatch(/hasMore for 5 pages in a row/)
    expect(lastErrors.has(message)).toBe(true)
    expect(env.logged.filter((entry) => entry.message.includes('answered hasMore'))).toHaveLength(1)
    // The next round went on from the fifth page's cursor, and the end clears the report.
    expect(cursors).toEqual([null, 'page-1', 'page-2', 'page-3', 'page-4', 'page-5', 'page-6', 'page-7'])
    expect(await db.todos.count()).toBe(7)
    expect(client.getSnapshot()).toMatchObject({ lastError: null, downloadError: null })
  })

  it('reports no error for a long catch-up whose remaining count goes down round after round', async () => {
    const server = new FakeSyncServer({ countRemaining: true })
    seed(server, 12)
    const { client, db, events } = device(server, { pullBatchSize: 2, maxPullPagesPerRound: 2 })
    await client.connect(connector)
    await client.sync()
    await vi.waitFor(async () => expect(await db.todos.count()).toBe(12))
    await client.sync()
    expect(client.getSnapshot()).toMatchObject({ hasSynced: true, lastError: null })
    expect(events.filter((event) => event.phase === 'error')).toEqual([])
  })

  it('refuses a maxPullPagesPerRound below 1 with a ConfigError', () => {
    const server = new FakeSyncServer()
    expect(() => device(server, { maxPullPagesPerRound: 0 })).toThrow(/maxPullPagesPerRound/)
  })
})
