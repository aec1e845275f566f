import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { UploadClient } from '../session/connector.js'
import type { ConflictStrategy } from '../session/options.js'
import type { FetchLike } from '../shared/env.js'
import type { SyncEvent } from '../shared/events.js'
import { clientFixture, closeClients, gatedFetch } from '../test/clientFixture.js'
import { advance, createTodoDb, credentials, settle, useEngineTimers } from '../test/engineHarness.js'
import { FakeSyncServer } from '../test/fakeServer.js'
import { createDevice } from '../test/syncSetup.js'
import type { Change } from '../wire.js'
import type { ConflictResolver } from './conflicts.js'
import { STALLED_UPLOAD_WARNING } from './uploadLoop.js'

beforeEach(() => useEngineTimers())
afterEach(async () => {
  await closeClients()
  vi.useRealTimers()
})

const connector = { fetchCredentials: credentials() }

function pushedIds(request: { body: unknown }): string[] {
  return (request.body as { changes: Change[] }).changes.map((change) => change.recordId)
}

describe('custom uploadData', () => {
  it('is called again and again until the outbox is empty, one batch per call', async () => {
    const { db, client } = setup()
    await db.todos.bulkAdd(['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, title: id })))
    const batches: string[][] = []
    await client.connect({
      ...connector,
      async uploadData(upload: UploadClient) {
        const batch = await upload.getCrudBatch(2)
        if (!batch) return
        batches.push(batch.crud.map((entry) => entry.recordId))
        await batch.complete()
      },
    })
    await advance(200)
    expect(batches).toEqual([['a', 'b'], ['c', 'd'], ['e']])
    expect(await client.listChanges()).toEqual([])
  })

  it('gets one local transaction per call with getNextCrudTransaction', async () => {
    const { db, client } = setup()
    await db.transaction('rw', db.todos, async () => {
      await db.todos.add({ id: 'a', title: 'a' })
      await db.todos.add({ id: 'b', title: 'b' })
    })
    await db.todos.add({ id: 'c', title: 'c' })
    const transactions: string[][] = []
    await client.connect({
      ...connector,
      async uploadData(upload) {
        const transaction = await upload.getNextCrudTransaction()
        if (!transaction) return
        transactions.push(transaction.crud.map((entry) => entry.recordId))
        await transaction.complete()
      },
    })
    await advance(100)
    expect(transactions).toEqual([['a', 'b'], ['c']])
  })

  it('after a throw: uploadError in status, a jittered backoff, then again from the front of the queue', async () => {
    const { db, client } = setup({ retryDelayMs: 1_000, maxRetryDelayMs: 3_000 })
    await db.todos.bulkAdd([
      { id: 'a', title: 'a' },
      { id: 'b', title: 'b' },
    ])
    const attempts: { at: number; front: string }[] = []
    let failures = 4
    await client.connect({
      ...connector,
      async uploadData(upload) {
        const batch = await upload.getCrudBatch(1)
        if (!batch) return
        attempts.push({ at: Date.now(), front: batch.crud[0]!.recordId })
        if (failures-- > 0) throw new Error('backend unavailable')
        await batch.complete()
      },
    })
    await advance(50)
    expect(client.getSnapshot().uploadError).toMatch(/backend unavailable/)
    expect(client.getSnapshot().lastError).toMatch(/backend unavailable/)
    await advance(20_000)
    const gaps = attempts.slice(1).map((attempt, i) => attempt.at - attempts[i]!.at)
    // random() is 0.5 and jitter 20%: 90% of 1, 2, 3 (the cap), 3 seconds; then b at once after a.
    const expected = [900, 1_800, 2_700, 2_700, 0]
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual(expected[i]!)
      expect(gap).toBeLessThanOrEqual(expected[i]! + 100)
    })
    expect(attempts.map((attempt) => attempt.front)).toEqual(['a', 'a', 'a', 'a', 'a', 'b'])
    expect(client.getSnapshot()).toMatchObject({ uploadError: null, pendingChanges: 0 })
  })

  it('logs the error an uploadData throws to env.logger, and keeps the change queued', async () => {
    const { db, client, env } = setup()
    await db.todos.add({ id: 'a', title: 'a' })
    const failure = new Error('backend said no')
    await client.connect({
      ...connector,
      async uploadData() {
        throw failure
      },
    })
    await expect(client.sync()).rejects.toBe(failure)
    expect(env.logged).toContainEqual({
      level: 'error',
      message: expect.stringContaining('uploadData'),
      details: [failure],
    })
    expect(await client.listChanges()).toHaveLength(1)
  })

  it('stops waiting to retry when disconnected, and starts again on connect', async () => {
    const { db, client } = setup({ retryDelayMs: 5_000 })
    await db.todos.add({ id: 'a', title: 'a' })
    const calls: number[] = []
    const throwing = {
      ...connector,
      async uploadData() {
        calls.push(Date.now())
        throw new Error('down')
      },
    }
    await client.connect(throwing)
    await advance(100)
    await client.disconnect()
    await advance(60_000, 500)
    expect(calls).toHaveLength(1)
    await client.connect(throwing)
    await advance(100)
    expect(calls).toHaveLength(2)
  })

  it('sync() cuts the retry wait short', async () => {
    const { db, client } = setup({ retryDelayMs: 60_000, maxRetryDelayMs: 60_000 })
    await db.todos.add({ id: 'a', title: 'a' })
    let fail = true
    const calls: number[] = []
    await client.connect({
      ...connector,
      async uploadData(upload) {
        calls.push(Date.now())
        const batch = await upload.getCrudBatch()
        if (fail) throw new Error('down')
        await batch?.complete()
      },
    })
    await advance(1_000)
    fail = false
    const synced = client.sync()
    await advance(100)
    await synced
    expect(calls).toHaveLength(2)
    expect(await client.listChanges()).toEqual([])
  })

  it('logs the seed warning and waits the retry delay when the front entry is not completed', async () => {
    const { db, client, env } = setup({ retryDelayMs: 2_000 })
    await db.todos.add({ id: 'a', title: 'a' })
    const calls: number[] = []
    let complete = false
    await client.connect({
      ...connector,
      async uploadData(upload) {
        calls.push(Date.now())
        const batch = await upload.getCrudBatch()
        if (complete) await batch?.complete()
      },
    })
    await advance(100)
    expect(calls).toHaveLength(1)
    expect(env.logged).toContainEqual(
      expect.objectContaining({ level: 'warn', message: STALLED_UPLOAD_WARNING }),
    )
    expect(STALLED_UPLOAD_WARNING).toBe(
      'Potentially previously uploaded CRUD entries are still present in the upload queue. Make sure to handle uploads and complete CRUD transactions or batches by calling and awaiting their [.complete()] method. The next upload iteration will be delayed.',
    )
    expect(client.getSnapshot().uploadError).toMatch(/complete\(\)/)
    complete = true
    await advance(3_000)
    expect(calls).toHaveLength(2)
    // 90% of the 2 s retry delay (jitter), measured from the end of the first round.
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(1_800)
    expect(calls[1]! - calls[0]!).toBeLessThanOrEqual(1_900)
    expect(await client.listChanges()).toEqual([])
  })
})

describe('default uploadData (push through the transport)', () => {
  it('pushes pushBatchSize entries per request and removes the accepted ones', async () => {
    const { db, client, server, pushes } = setup({ pushBatchSize: 2 })
    await db.todos.bulkAdd(['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, title: id })))
    await client.connect(connector)
    await advance(100)
    expect(pushes().map(pushedIds)).toEqual([['a', 'b'], ['c', 'd'], ['e']])
    expect(await client.listChanges()).toEqual([])
    expect(server.recordIds()).toEqual(['a', 'b', 'c', 'd', 'e'])
  })

  it('marks entries syncing while their push is in flight, and only while it is', async () => {
    const { db, client, server, env } = setup()
    const held = gatedFetch(server.fetch)
    env.fetch = held.fetch
    await db.todos.add({ id: 'a', title: 'a' })
    held.close()
    await client.connect(connector)
    await advance(100)
    expect(held.waiting).toBe(1)
    expect((await client.listChanges()).map((entry) => entry.status)).toEqual(['syncing'])
    expect(client.getSnapshot()).toMatchObject({ isUploading: true, isSyncing: true, pendingChanges: 1 })
    held.open()
    await advance(100)
    expect(await client.listChanges()).toEqual([])
    expect(client.getSnapshot()).toMatchObject({ isUploading: false, pendingChanges: 0 })
  })

  it('takes the next batch while a push is on the wire, and sends it only after the answer', async () => {
    const { db, client, server, env } = setup({ pushBatchSize: 2 })
    const held = gatedFetch(server.fetch)
    env.fetch = held.fetch
    await db.todos.bulkAdd(['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, title: id })))
    held.close()
    await client.connect(connector)
    await advance(100)
    // One push waits for its answer; the next batch is already taken, so it goes out the moment that arrives.
    expect(held.waiting).toBe(1)
    expect((await client.listChanges()).map((entry) => `${entry.recordId} ${entry.status}`)).toEqual([
      'a syncing',
      'b syncing',
      'c syncing',
      'd syncing',
      'e pending',
    ])
    held.open()
    await advance(100)
    expect(server.pushedChangeIds).toHaveLength(5)
    expect(server.recordIds()).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(await client.listChanges()).toEqual([])
  })

  it('puts the batch taken ahead back, with no attempt counted, when an answer is more than an accept', async () => {
    const { db, client, server, env, pushes } = setup({ pushBatchSize: 1, retryMaxAttempts: 3 })
    server.rejectChange = (change) => (change.recordId === 'bad' ? 'title is reserved' : undefined)
    const held = gatedFetch(server.fetch)
    env.fetch = held.fetch
    await db.todos.add({ id: 'bad', title: 'x' })
    await db.todos.add({ id: 'good', title: 'y' })
    held.close()
    await client.connect(connector)
    await advance(100)
    expect(held.waiting).toBe(1)
    // The first push goes through and the second is held: the refusal of 'bad' holds it back, so the batch
    // taken ahead is put back and taken again without it, its attempt not counted for a send that never was.
    held.open()
    held.close()
    await advance(100)
    expect(held.waiting).toBe(1)
    expect(
      (await client.listChanges()).map(({ recordId, status, attempts }) => ({ recordId, status, attempts })),
    ).toEqual([
      { recordId: 'bad', status: 'pending', attempts: 1 },
      { recordId: 'good', status: 'syncing', attempts: 1 },
    ])
    held.open()
    await advance(100)
    expect(pushes().map(pushedIds)).toEqual([['bad'], ['good']])
    expect(server.get('todos', 'good')?.data).toEqual({ id: 'good', title: 'y' })
    expect((await client.listChanges()).map((entry) => entry.recordId)).toEqual(['bad'])
  })

  it('records a per-change error on the entry and holds it back, then parks it as failed', async () => {
    const { db, client, server } = setup({ retryMaxAttempts: 3 })
    server.rejectChange = (change) => (change.recordId === 'bad' ? 'title is reserved' : undefined)
    await db.todos.add({ id: 'bad', title: 'x' })
    await client.connect(connector)
    await advance(100)
    const [first] = await client.listChanges()
    expect(first).toMatchObject({ status: 'pending', retries: 1, errorMessage: 'title is reserved' })
    expect(client.getSnapshot().uploadError).toMatch(/title is reserved/)
    await advance(10_000)
    const [last] = await client.listChanges()
    expect(last).toMatchObject({ status: 'failed', retries: 3, errorMessage: 'title is reserved' })
    expect(client.getSnapshot()).toMatchObject({ failedChanges: 1, pendingChanges: 0 })
    expect(client.getSnapshot().lastError).toMatch(/title is reserved/)
    expect(server.pushedChangeIds).toHaveLength(3)
  })

  it('isolates a poison change in a batch of 50: the other 49 go in the first push, the queue keeps moving', async () => {
    const { db, client, server, pushes } = setup({ retryMaxAttempts: 3, pushBatchSize: 50 })
    server.rejectChange = (change) => (change.recordId === 'r17' ? 'cannot store r17' : undefined)
    await db.todos.bulkAdd(Array.from({ length: 50 }, (_, i) => ({ id: `r${i}`, title: `t${i}` })))
    await client.connect(connector)
    await advance(500)
    expect(pushes()).toHaveLength(1)
    expect(pushedIds(pushes()[0]!)).toHaveLength(50)
    expect(server.records()).toHaveLength(49)
    expect(server.get('todos', 'r17')).toBeUndefined()

    // While the poison change waits out its retry delay, new writes still go out.
    await db.todos.add({ id: 'later', title: 'later' })
    await advance(300)
    expect(server.get('todos', 'later')?.data).toEqual({ id: 'later', title: 'later' })
    expect((await client.listChanges()).map((entry) => entry.recordId)).toEqual(['r17'])

    await advance(10_000)
    const entries = await client.listChanges()
    expect(entries).toEqual([expect.objectContaining({ recordId: 'r17', status: 'failed', retries: 3 })])
    expect(server.records()).toHaveLength(50)
  })

  it('lists failed changes, retries them and discards them through the client', async () => {
    const { db, client, server } = setup({ retryMaxAttempts: 1 })
    server.rejectChange = () => 'nope'
    await db.todos.bulkAdd([
      { id: 'a', title: 'a' },
      { id: 'b', title: 'b' },
    ])
    await client.connect(connector)
    await advance(100)
    const failed = await client.listChanges({ status: 'failed' })
    expect(failed.map((entry) => entry.recordId)).toEqual(['a', 'b'])
    expect(client.getSnapshot().failedChanges).toBe(2)

    server.rejectChange = undefined
    expect(await client.retryFailed([failed[0]!.id])).toBe(1)
    await advance(100)
    expect(server.get('todos', 'a')?.data).toEqual({ id: 'a', title: 'a' })
    expect((await client.listChanges()).map((entry) => entry.recordId)).toEqual(['b'])

    expect(await client.discardFailed()).toBe(1)
    await advance(50)
    expect(await client.listChanges()).toEqual([])
    expect(await db.todos.get('b')).toEqual({ id: 'b', title: 'b' })
    expect(server.get('todos', 'b')).toBeUndefined()
    expect(client.getSnapshot()).toMatchObject({ failedChanges: 0, pendingChanges: 0 })
  })
})

describe('conflicts on push', () => {
  const local = { id: 'a', title: 'local' }
  const remote = { id: 'a', title: 'remote', done: true }

  /** A local edit older than the server's version of the same record. */
  async function conflicting(strategy: ConflictStrategy, resolveConflict?: ConflictResolver) {
    const fixture = setup({ strategy, ...(resolveConflict ? { resolveConflict } : {}) })
    const events: SyncEvent[] = []
    fixture.client.onSync((event) => events.push(event))
    await fixture.db.todos.add(local)
    fixture.server.write('todos', 'a', remote, Date.now() + 60_000)
    await fixture.client.connect(connector)
    await advance(200)
    const conflicts = events.filter((event) => event.phase === 'conflict')
    return { ...fixture, conflicts }
  }

  it('lww: the later (server) version wins everywhere', async () => {
    const { db, client, server, conflicts } = await conflicting('lww')
    expect(await db.todos.get('a')).toEqual(remote)
    expect(await client.listChanges()).toEqual([])
    expect(server.get('todos', 'a')?.data).toEqual(remote)
    expect(conflicts).toEqual([
      expect.objectContaining({
        source: 'push',
        recordId: 'a',
        resolution: 'remote',
        fieldConflicts: expect.arrayContaining(['title', 'done']),
      }),
    ])
  })

  it('client-wins: the local row is pushed again and stored on the server', async () => {
    const { db, client, server, conflicts } = await conflicting('client-wins')
    expect(await db.todos.get('a')).toEqual(local)
    expect(await client.listChanges()).toEqual([])
    expect(server.get('todos', 'a')?.data).toEqual(local)
    expect(conflicts).toEqual([expect.objectContaining({ source: 'push', resolution: 'local' })])
  })

  it('server-wins: the server version replaces the local row and the change is dropped', async () => {
    const { db, client, server, conflicts } = await conflicting('server-wins')
    expect(await db.todos.get('a')).toEqual(remote)
    expect(await client.listChanges()).toEqual([])
    expect(server.get('todos', 'a')?.data).toEqual(remote)
    expect(conflicts).toEqual([expect.objectContaining({ resolution: 'remote' })])
  })

  it('lww: a local edit newer than the server version wins and is pushed again', async () => {
    const fixture = setup({ strategy: 'lww' })
    const events: SyncEvent[] = []
    fixture.client.onSync((event) => events.push(event))
    await fixture.db.todos.add(local)
    const [entry] = await fixture.client.listChanges()
    // A server that reports a conflict with an older version of the record.
    fixture.server.respondNext({
      accepted: [],
      conflicts: [
        {
          changeId: entry!.id,
          recordId: 'a',
          collection: 'todos',
          local,
          remote,
          localTimestamp: entry!.timestamp,
          remoteTimestamp: entry!.timestamp - 10_000,
          fieldConflicts: ['title', 'done'],
        },
      ],
      errors: [],
    })
    await fixture.client.connect(connector)
    await advance(200)
    expect(await fixture.db.todos.get('a')).toEqual(local)
    expect(await fixture.client.listChanges()).toEqual([])
    expect(fixture.server.get('todos', 'a')?.data).toEqual(local)
    expect(events.filter((event) => event.phase === 'conflict')).toEqual([
      expect.objectContaining({ source: 'push', resolution: 'local', changeId: entry!.id }),
    ])
  })

  it('custom returning local keeps and pushes the local row', async () => {
    const resolver = vi.fn<ConflictResolver>(() => 'local')
    const { db, server, conflicts } = await conflicting('custom', resolver)
    expect(resolver).toHaveBeenCalledWith(
      expect.objectContaining({ source: 'push', local, remote, collection: 'todos', recordId: 'a' }),
    )
    expect(await db.todos.get('a')).toEqual(local)
    expect(server.get('todos', 'a')?.data).toEqual(local)
    expect(conflicts).toEqual([expect.objectContaining({ resolution: 'local' })])
  })

  it('custom returning remote takes the server version', async () => {
    const { db, client, server, conflicts } = await conflicting('custom', () => 'remote')
    expect(await db.todos.get('a')).toEqual(remote)
    expect(await client.listChanges()).toEqual([])
    expect(server.get('todos', 'a')?.data).toEqual(remote)
    expect(conflicts).toEqual([expect.objectContaining({ resolution: 'remote' })])
  })

  it('custom returning a merge stores the merged row locally and on the server', async () => {
    const merged = { id: 'a', title: 'local', done: true }
    const { db, client, server, conflicts } = await conflicting('custom', () => ({ merged }))
    expect(await db.todos.get('a')).toEqual(merged)
    expect(await client.listChanges()).toEqual([])
    expect(server.get('todos', 'a')?.data).toEqual(merged)
    expect(conflicts).toEqual([expect.objectContaining({ resolution: 'merged' })])
  })
})

describe('HTTP failures', () => {
  for (const failure of [500, 'network'] as const) {
    it(`backs off and retries after ${failure === 500 ? 'an HTTP 500' : 'a network error'}`, async () => {
      const { db, client, server, pushes } = setup()
      server.failNext(1, failure)
      await db.todos.add({ id: 'a', title: 'a' })
      await client.connect(connector)
      await advance(100)
      expect(client.getSnapshot().uploadError).toBeTruthy()
      // A failed request is no verdict on the change: it does not count towards retryMaxAttempts.
      expect(await client.listChanges()).toEqual([expect.objectContaining({ status: 'pending', retries: 0 })])
      await advance(700)
      expect(pushes()).toHaveLength(1)
      await advance(300)
      expect(pushes()).toHaveLength(2)
      expect(server.get('todos', 'a')?.data).toEqual({ id: 'a', title: 'a' })
      expect(client.getSnapshot()).toMatchObject({ uploadError: null, pendingChanges: 0 })
    })
  }

  it('backs off and retries after a request times out', async () => {
    const timed = setup({ timeoutMs: 2_000 })
    const { server, pushes } = timed
    server.failNext(1, 'timeout-hang')
    await timed.db.todos.add({ id: 'a', title: 'a' })
    await timed.client.connect(connector)
    await advance(1_900)
    expect(pushes()).toHaveLength(1)
    expect(timed.client.getSnapshot().isUploading).toBe(true)
    await advance(200)
    expect(timed.client.getSnapshot().uploadError).toMatch(/timed out/)
    await advance(1_000)
    expect(server.get('todos', 'a')?.data).toEqual({ id: 'a', title: 'a' })
    expect(await timed.client.listChanges()).toEqual([])
  })

  it('on a 401 refetches credentials and pushes with the fresh token', async () => {
    const { db, client, server } = setup()
    server.requireToken('fresh')
    const tokens = ['stale', 'fresh']
    const fetchCredentials = vi.fn(async () => ({ endpoint: 'https://sync.test', token: tokens.shift()! }))
    await db.todos.add({ id: 'a', title: 'a' })
    await client.connect({ fetchCredentials })
    await advance(100)
    expect(fetchCredentials).toHaveBeenCalledTimes(2)
    expect(server.get('todos', 'a')?.data).toEqual({ id: 'a', title: 'a' })
    expect(server.requests.at(-1)?.headers.authorization).toBe('Bearer fresh')
    expect(client.getSnapshot()).toMatchObject({ uploadError: null, lastError: null, isConnected: true })
  })

  it('after a 401 that fresh credentials do not cure, the next attempt refetches before sending', async () => {
    const { db, client, server } = setup()
    server.requireToken('good')
    const tokens = ['bad-1', 'bad-2', 'good']
    const fetchCredentials = vi.fn(async () => ({ endpoint: 'https://sync.test', token: tokens.shift()! }))
    await db.todos.add({ id: 'a', title: 'a' })
    await client.connect({ fetchCredentials })
    await advance(100)
    expect(client.getSnapshot().uploadError).toMatch(/401/)
    await advance(2_000)
    expect(server.get('todos', 'a')).toBeDefined()
    expect(fetchCredentials).toHaveBeenCalledTimes(3)
    expect(server.requests.map((request) => request.headers.authorization).slice(0, 3)).toEqual([
      'Bearer bad-1',
      'Bearer bad-2',
      'Bearer good',
    ])
  })

  for (const status of [403, 404]) {
    it(`treats an HTTP ${status} as a failed request, not as changes to park: nothing fails, all is retried`, async () => {
      const { db, client, server, pushes } = setup({ pushBatchSize: 8 })
      server.failNext(1, status)
      await db.todos.bulkAdd(Array.from({ length: 8 }, (_, i) => ({ id: `r${i}`, title: `t${i}` })))
      await client.connect(connector)
      await advance(100)
      expect(pushes()).toHaveLength(1)
      expect(client.getSnapshot().uploadError).toMatch(new RegExp(`HTTP ${status}`))
      expect(await client.listChanges({ status: 'failed' })).toEqual([])
      await advance(1_000)
      expect(server.records()).toHaveLength(8)
      // The retry (after a jittered ~1 s) ends its round in the last step; let its IndexedDB work finish.
      await settle()
      expect(client.getSnapshot()).toMatchObject({ pendingChanges: 0, failedChanges: 0, uploadError: null })
    })
  }

  it('honours Retry-After on a 429: the next attempt is not earlier', async () => {
    const { db, client, server, pushes } = setup({ retryDelayMs: 1_000 })
    server.failNext(1, 429, { retryAfter: 30 })
    await db.todos.add({ id: 'a', title: 'a' })
    await client.connect(connector)
    await advance(100)
    const firstAt = Date.now()
    await advance(29_000, 500)
    expect(pushes()).toHaveLength(1)
    await advance(1_500, 500)
    expect(pushes()).toHaveLength(2)
    expect(Date.now() - firstAt).toBeGreaterThanOrEqual(30_000)
    expect(server.get('todos', 'a')).toBeDefined()
  })

  it('keeps every entry a malformed answer concerned queued, and reports it', async () => {
    const { db, client, server } = setup()
    server.respondNext({ accepted: 'all of them' })
    await db.todos.bulkAdd([
      { id: 'a', title: 'a' },
      { id: 'b', title: 'b' },
    ])
    await client.connect(connector)
    await advance(100)
    expect(client.getSnapshot().uploadError).toMatch(/Malformed push answer/)
    const entries = await client.listChanges()
    expect(entries.map((entry) => [entry.recordId, entry.status])).toEqual([
      ['a', 'pending'],
      ['b', 'pending'],
    ])
    await advance(1_000)
    expect(await client.listChanges()).toEqual([])
    expect(server.records()).toHaveLength(2)
  })

  it('keeps the batch queued when the answer is not JSON at all', async () => {
    const { db, client, server } = setup()
    server.respondNext('<html>Bad gateway</html>')
    await db.todos.add({ id: 'a', title: 'a' })
    await client.connect(connector)
    await advance(100)
    expect(client.getSnapshot().uploadError).toMatch(/not JSON/)
    expect(await client.listChanges()).toEqual([expect.objectContaining({ status: 'pending', retries: 0 })])
    await advance(1_000)
    expect(server.get('todos', 'a')).toBeDefined()
  })

  it('treats an answer that leaves out some changes as malformed, losing none', async () => {
    const { db, client, server } = setup()
    await db.todos.bulkAdd([
      { id: 'a', title: 'a' },
      { id: 'b', title: 'b' },
    ])
    const [first] = await client.listChanges()
    server.respondNext({
      accepted: [{ id: first!.id, serverTimestamp: Date.now() }],
      conflicts: [],
      errors: [],
    })
    await client.connect(connector)
    await advance(100)
    expect(client.getSnapshot().uploadError).toMatch(/no answer for change/)
    expect(await client.listChanges()).toHaveLength(2)
    await advance(1_000)
    expect(await client.listChanges()).toEqual([])
  })

  it('applies a partial accept: accepted entries go, rejected ones stay with their error', async () => {
    const { db, client, server } = setup()
    server.rejectChange = (change) => (change.recordId === 'b' ? 'duplicate title' : undefined)
    await db.todos.bulkAdd(['a', 'b', 'c'].map((id) => ({ id, title: id })))
    await client.connect(connector)
    await advance(100)
    expect(await client.listChanges()).toEqual([
      expect.objectContaining({
        recordId: 'b',
        retries: 1,
        errorMessage: 'duplicate title',
        errorStatus: null,
      }),
    ])
    expect(server.recordIds()).toEqual(['a', 'c'])
  })

  it('narrows another 4xx down to the refused changes, which fail while the rest are accepted', async () => {
    const { db, client, server, env } = setup({ pushBatchSize: 8 })
    const refusing: FetchLike = async (input, init) => {
      const body = JSON.parse(String(init.body)) as { changes?: Change[] }
      if (body.changes?.some((change) => change.data?.title === 'poison')) {
        return new Response(JSON.stringify({ error: 'unprocessable' }), { status: 422 })
      }
      return server.fetch(input, init)
    }
    env.fetch = refusing
    await db.todos.bulkAdd(
      Array.from({ length: 8 }, (_, i) => ({ id: `r${i}`, title: i === 5 ? 'poison' : `t${i}` })),
    )
    await client.connect(connector)
    await advance(200)
    expect(server.recordIds()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r6', 'r7'].sort())
    expect(await client.listChanges()).toEqual([
      expect.objectContaining({
        recordId: 'r5',
        status: 'failed',
        errorMessage: expect.stringMatching(/422/),
        errorStatus: 422,
      }),
    ])
    expect(client.getSnapshot()).toMatchObject({ failedChanges: 1, pendingChanges: 0 })
  })
})

function setup(options: Parameters<typeof clientFixture>[0] = {}) {
  return clientFixture(options)
}

describe('a long queue', () => {
  it('drains in batches that each read and write as much as the first, however many went before', async () => {
    const server = new FakeSyncServer()
    const db = createTodoDb()
    // Bytes of every row the engine reads or writes, in any table: the work of a batch that IndexedDB sees.
    let moved = 0
    const count = <T>(value: T): T => {
      moved += JSON.stringify(value)?.length ?? 0
      return value
    }
    db.use({
      stack: 'dbcore',
      name: 'bytes-moved',
      create: (down) => ({
        ...down,
        table: (name) => {
          const table = down.table(name)
          return {
            ...table,
            get: (request) => table.get(request).then(count),
            getMany: (request) => table.getMany(request).then(count),
            query: (request) =>
              table.query(request).then((answer) => {
                count(answer.result)
                return answer
              }),
            mutate: (request) => {
              if ('values' in request) count(request.values)
              return table.mutate(request)
            },
          }
        },
      }),
    })
    // Between two pushes the engine settles one batch and takes the next.
    const perBatch: number[] = []
    const fetch: FetchLike = (url, init) => {
      if (url.endsWith('/push')) perBatch.push(moved)
      moved = 0
      return server.fetch(url, init)
    }
    const { client } = createDevice(server, { db, fetch, pushBatchSize: 20 })
    await db.todos.bulkAdd(Array.from({ length: 600 }, (_, i) => ({ id: `t${i}`, title: `todo ${i}` })))
    await client.connect(connector)
    await client.sync()

    expect(server.pushedChangeIds).toHaveLength(600)
    expect(await client.listChanges()).toEqual([])
    const settled = perBatch.slice(2)
    const early = Math.max(...settled.slice(0, 5))
    const late = Math.min(...settled.slice(-5))
    expect(late).toBeLessThan(1.5 * early)
  })
})
