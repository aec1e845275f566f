import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { attachOutbox } from '../capture/capture.js'
import { getSyncStats } from '../capture/outbox.js'
import type { FetchLike } from '../shared/env.js'
import { NotConnectedError } from '../shared/errors.js'
import { createSyncEventLog, type SyncEvent } from '../shared/events.js'
import type { SyncStatus } from '../shared/status.js'
import { clientFixture, closeClients, gatedFetch } from '../test/clientFixture.js'
import { advance, createTodoDb, credentials, useEngineTimers } from '../test/engineHarness.js'
import { FakeSyncServer } from '../test/fakeServer.js'
import type { Change } from '../wire.js'
import type { UploadClient } from './connector.js'

const extraDbs: { close(): void }[] = []

beforeEach(() => useEngineTimers())
afterEach(async () => {
  await closeClients()
  for (const db of extraDbs.splice(0)) db.close()
  vi.useRealTimers()
})

const connector = { fetchCredentials: credentials() }

function setup(options: Parameters<typeof clientFixture>[0] = {}) {
  return clientFixture(options)
}

/** Another Dexie instance on the same database, capturing writes as any tab would. */
function secondInstance(name: string) {
  const db = createTodoDb(name)
  const outbox = attachOutbox(db, { tables: { todos: true } })
  extraDbs.push(db)
  return { db, outbox }
}

function pushedRecordIds(server: FakeSyncServer): string[][] {
  return server.requests
    .filter((request) => request.path.endsWith('/push'))
    .map((request) => (request.body as { changes: Change[] }).changes.map((change) => change.recordId))
}

describe('createSyncClient (smoke)', () => {
  it('uploads a local write after connect and pulls it back', async () => {
    const { server, db, client } = setup({ autoSync: { intervalMs: 30_000, debounceMs: 1_000 } })
    await client.connect(connector)
    await db.todos.add({ id: 'a', title: 'milk' })
    await advance(2_000)
    expect(server.get('todos', 'a')?.data).toEqual({ id: 'a', title: 'milk' })
    expect(client.getSnapshot()).toMatchObject({ pendingChanges: 0, hasSynced: true, isConnected: true })
  })

  it('applies a server change to the local table without queuing it', async () => {
    const { server, db, client } = setup()
    server.write('todos', 'b', { id: 'b', title: 'from server' })
    await client.connect(connector)
    await advance(500)
    expect(await db.todos.get('b')).toEqual({ id: 'b', title: 'from server' })
    expect(await client.listChanges()).toEqual([])
  })
})

describe('upload triggers', () => {
  it('a local write uploads without sync() being called', async () => {
    const { server, db, client } = setup()
    await client.connect(connector)
    await advance(100)
    await db.todos.add({ id: 'a', title: 'a' })
    await advance(100)
    expect(server.get('todos', 'a')?.data).toEqual({ id: 'a', title: 'a' })
  })

  it('a write through a second Dexie instance on the same database uploads too', async () => {
    const { server, db, client } = setup()
    await client.connect(connector)
    await advance(100)
    const other = secondInstance(db.name)
    await other.db.todos.add({ id: 'b', title: 'from the other instance' })
    await advance(100)
    expect(server.get('todos', 'b')?.data).toEqual({ id: 'b', title: 'from the other instance' })
    expect(await client.listChanges()).toEqual([])
  })

  it('connect and every reconnect upload what was written while disconnected', async () => {
    const { server, db, client } = setup()
    await db.todos.add({ id: 'a', title: 'before connect' })
    await advance(1_000)
    expect(server.records()).toEqual([])
    await client.connect(connector)
    await advance(100)
    expect(server.get('todos', 'a')).toBeDefined()
    for (const id of ['b', 'c']) {
      await client.disconnect()
      await db.todos.add({ id, title: 'while disconnected' })
      await advance(5_000, 500)
      expect(server.get('todos', id)).toBeUndefined()
      expect(client.getSnapshot().pendingChanges).toBe(1)
      await client.connect(connector)
      await advance(100)
      expect(server.get('todos', id)).toBeDefined()
    }
  })

  it('disconnecting during a push aborts it, keeps its changes queued and reports no error', async () => {
    const { server, db, client, env } = setup()
    const gate = gatedFetch(server.fetch)
    env.fetch = gate.fetch
    gate.close()
    await db.todos.add({ id: 'a', title: 'a' })
    await client.connect(connector)
    await advance(100)
    expect(gate.waiting).toBe(1)
    await client.disconnect()
    await advance(100)
    expect(await client.listChanges()).toEqual([
      expect.objectContaining({ recordId: 'a', status: 'pending' }),
    ])
    expect(client.getSnapshot()).toMatchObject({
      isConnected: false,
      isUploading: false,
      uploadError: null,
      pendingChanges: 1,
    })
    gate.open()
    env.fetch = server.fetch
    await client.connect(connector)
    await advance(100)
    expect(server.get('todos', 'a')).toBeDefined()
    expect(await client.listChanges()).toEqual([])
  })

  it('disconnecting during a pull aborts it, so a reconnect pulls at once instead of waiting on it', async () => {
    const { server, db, client, env } = setup()
    server.write('todos', 'b', { id: 'b', title: 'from another device' })
    const gate = gatedFetch(server.fetch)
    env.fetch = gate.fetch
    gate.close()
    await client.connect(connector)
    await advance(100)
    expect(gate.waiting).toBe(1)
    await client.disconnect()
    await advance(100)
    expect(client.getSnapshot()).toMatchObject({ isDownloading: false, downloadError: null })
    env.fetch = server.fetch
    await client.connect(connector)
    await advance(100)
    expect(await db.todos.get('b')).toEqual({ id: 'b', title: 'from another device' })
  })

  it('offline writes accumulate and go out when the online event fires', async () => {
    const { server, db, client, env } = setup()
    const offlineFetch: FetchLike = async () => {
      throw new TypeError('fetch failed')
    }
    await client.connect(connector)
    await advance(100)
    env.goOffline()
    env.fetch = offlineFetch
    await db.todos.bulkAdd([
      { id: 'a', title: 'a' },
      { id: 'b', title: 'b' },
    ])
    await advance(60_000, 1_000)
    expect(server.records()).toEqual([])
    expect(client.getSnapshot()).toMatchObject({ isOnline: false, pendingChanges: 2 })
    env.fetch = server.fetch
    env.goOnline()
    await advance(100)
    expect(server.recordIds()).toEqual(['a', 'b'])
    expect(client.getSnapshot()).toMatchObject({ isOnline: true, pendingChanges: 0, uploadError: null })
  })

  it('the auto-sync interval uploads before a long debounce would', async () => {
    const { server, db, client } = setup({ autoSync: { intervalMs: 10_000, debounceMs: 60_000 } })
    await client.connect(connector)
    await advance(100)
    await db.todos.add({ id: 'a', title: 'a' })
    await advance(9_000, 500)
    expect(server.get('todos', 'a')).toBeUndefined()
    await advance(1_500, 500)
    expect(server.get('todos', 'a')).toBeDefined()
  })

  it('sync() uploads at once and resolves when the round is done; it needs a connection', async () => {
    const { server, db, client } = setup({ autoSync: { intervalMs: 0, debounceMs: 60_000 } })
    await expect(client.sync()).rejects.toBeInstanceOf(NotConnectedError)
    await client.connect(connector)
    await advance(100)
    await db.todos.add({ id: 'a', title: 'a' })
    const synced = client.sync()
    await advance(100)
    await synced
    expect(server.get('todos', 'a')).toBeDefined()
  })

  it('coalesces rapid writes: at most one upload per throttle interval', async () => {
    const { server, db, client } = setup({ uploadThrottleMs: 1_000 })
    await client.connect(connector)
    await advance(100)
    // When each round's first upload answered; the drain inside a round may take several batches.
    const rounds: number[] = []
    let roundOpen = false
    client.onSync((event) => {
      if (event.phase === 'push' && !roundOpen) rounds.push(Date.now())
      if (event.phase === 'push') roundOpen = true
      if (event.phase === 'complete') roundOpen = false
    })
    for (let i = 0; i < 20; i++) {
      await db.todos.add({ id: `r${i}`, title: `${i}` })
      await advance(100)
    }
    await advance(1_500)
    const gaps = rounds.slice(1).map((at, i) => at - rounds[i]!)
    expect(rounds.length).toBeLessThanOrEqual(3)
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(900)
    expect(pushedRecordIds(server).flat().sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `r${i}`).sort(),
    )
  })

  it('a write during an upload causes exactly one more upload after it', async () => {
    const { server, db, client, env } = setup({ uploadThrottleMs: 1_000 })
    await client.connect(connector)
    await advance(100)
    const gate = gatedFetch(server.fetch)
    env.fetch = gate.fetch
    gate.close()
    await db.todos.add({ id: 'a', title: 'a' })
    await advance(1_000)
    expect(gate.waiting).toBe(1)
    await db.todos.add({ id: 'b', title: 'b' })
    await db.todos.add({ id: 'c', title: 'c' })
    await advance(100)
    gate.open()
    await advance(3_000)
    expect(pushedRecordIds(server)).toEqual([['a'], ['b', 'c']])
  })
})

describe('sessions', () => {
  it("a reconnect never runs a round beside the previous session's round that is still ending", async () => {
    const { db, client } = setup()
    await db.todos.add({ id: 'a', title: 'a' })
    let running = 0
    let most = 0
    let calls = 0
    let release = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const slow = {
      ...connector,
      // Ignores the abort signal, as an app's own upload may.
      async uploadData(upload: UploadClient) {
        calls++
        running++
        most = Math.max(most, running)
        if (calls === 1) {
          // Disconnected meanwhile: gives up without completing anything.
          await gate
          running--
          return
        }
        const batch = await upload.getCrudBatch()
        await batch?.complete()
        running--
      },
    }
    await client.connect(slow)
    await advance(100)
    expect(calls).toBe(1)
    await client.disconnect()
    await client.connect(slow)
    await advance(1_000)
    expect(calls).toBe(1)
    release()
    await advance(1_000)
    expect(calls).toBe(2)
    expect(most).toBe(1)
  })
})

describe('credentials', () => {
  function tokenSource(lifetimeMs?: number) {
    let issued = 0
    const fetchCredentials = vi.fn(async () => {
      issued++
      return {
        endpoint: 'https://sync.test',
        token: `token-${issued}`,
        ...(lifetimeMs === undefined ? {} : { expiresAt: Date.now() + lifetimeMs }),
      }
    })
    return fetchCredentials
  }
  const tokensSent = (server: FakeSyncServer) =>
    server.requests.map((request) => request.headers.authorization)

  it('are fetched once and reused for many pushes', async () => {
    const { server, db, client } = setup()
    const fetchCredentials = tokenSource()
    await client.connect({ fetchCredentials })
    for (let i = 0; i < 5; i++) {
      await db.todos.add({ id: `r${i}`, title: 'x' })
      await advance(200)
    }
    expect(pushedRecordIds(server).length).toBeGreaterThanOrEqual(5)
    expect(fetchCredentials).toHaveBeenCalledTimes(1)
  })

  it('are refreshed in the background with 30 seconds or less left, the old token still in use meanwhile', async () => {
    const { server, db, client } = setup()
    const fetchCredentials = tokenSource(60_000)
    await client.connect({ fetchCredentials })
    await advance(100)
    await advance(35_000, 1_000)
    expect(fetchCredentials).toHaveBeenCalledTimes(1)
    const before = server.requests.length
    await db.todos.add({ id: 'a', title: 'a' })
    await advance(100)
    expect(fetchCredentials).toHaveBeenCalledTimes(2)
    expect(server.requests[before]?.headers.authorization).toBe('Bearer token-1')
    await db.todos.add({ id: 'b', title: 'b' })
    await advance(100)
    expect(server.requests.at(-1)?.headers.authorization).toBe('Bearer token-2')
  })

  it('an expired token is refetched before the next request, which never carries it', async () => {
    const { server, db, client } = setup()
    const fetchCredentials = tokenSource(60_000)
    server.requireToken('token-1')
    await client.connect({ fetchCredentials })
    await advance(100)
    await advance(70_000, 5_000)
    server.requireToken('token-2')
    const before = server.requests.length
    await db.todos.add({ id: 'a', title: 'a' })
    await advance(100)
    expect(fetchCredentials).toHaveBeenCalledTimes(2)
    expect(
      tokensSent(server)
        .slice(before)
        .every((header) => header === 'Bearer token-2'),
    ).toBe(true)
    expect(server.get('todos', 'a')).toBeDefined()
  })

  it('a failing fetchCredentials is reported in status and events and retried with backoff', async () => {
    const { server, db, client } = setup({ retryDelayMs: 1_000 })
    const events: SyncEvent[] = []
    client.onSync((event) => events.push(event))
    let failures = 2
    const calls: number[] = []
    const fetchCredentials = async () => {
      calls.push(Date.now())
      if (failures-- > 0) throw new Error('auth server down')
      return { endpoint: 'https://sync.test', token: 'ok' }
    }
    await db.todos.add({ id: 'a', title: 'a' })
    await client.connect({ fetchCredentials })
    await advance(100)
    expect(client.getSnapshot().uploadError).toMatch(/fetchCredentials\(\) failed: auth server down/)
    expect(client.getSnapshot().lastError).toMatch(/auth server down/)
    expect(events).toContainEqual(expect.objectContaining({ phase: 'error', stage: 'credentials' }))
    await advance(5_000)
    expect(calls).toHaveLength(3)
    const gaps = calls.slice(1).map((at, i) => at - calls[i]!)
    expect(gaps[0]).toBeGreaterThanOrEqual(900)
    expect(gaps[1]).toBeGreaterThanOrEqual(1_800)
    expect(server.get('todos', 'a')).toBeDefined()
    expect(client.getSnapshot()).toMatchObject({ uploadError: null, lastError: null })
  })

  it('the token never reaches IndexedDB, the logs, the status or the events', async () => {
    const secret = 'sEcReT-t0ken-value'
    const { server, db, client, env } = setup({ retryMaxAttempts: 1 })
    const events: SyncEvent[] = []
    client.onSync((event) => events.push(event))
    const statuses: SyncStatus[] = []
    client.subscribe((status) => statuses.push(status))
    server.requireToken(secret)
    server.rejectChange = (change) => (change.recordId === 'bad' ? 'rejected' : undefined)
    server.failNext(1, 500).failNext(1, 'network').failNext(1, 401)
    let first = true
    await db.todos.bulkAdd([
      { id: 'a', title: 'a' },
      { id: 'bad', title: 'bad' },
    ])
    await client.connect({
      async fetchCredentials() {
        if (first) {
          first = false
          throw new Error('not yet')
        }
        return { endpoint: 'https://sync.test', token: secret }
      },
    })
    await advance(20_000, 200)
    expect(server.get('todos', 'a')).toBeDefined()
    expect(env.logged.length + events.length).toBeGreaterThan(0)
    for (const table of db.tables) {
      expect(JSON.stringify(await table.toArray())).not.toContain(secret)
    }
    const logged = env.logged.map((entry) =>
      [entry.message, ...entry.details.map((detail) => (detail instanceof Error ? detail.message : detail))]
        .map((part) => JSON.stringify(part))
        .join(' '),
    )
    expect(logged.join('\n')).not.toContain(secret)
    const eventText = events.map(
      (event) => JSON.stringify(event) + ('error' in event ? event.error.message : ''),
    )
    expect(eventText.join('\n')).not.toContain(secret)
    expect(JSON.stringify(statuses)).not.toContain(secret)
  })
})

describe('crash recovery', () => {
  it('changes left syncing by a crashed client are pushed once by the next client on the database', async () => {
    const server = new FakeSyncServer({ now: () => Date.now() })
    const crashed = setup({ server })
    const never = gatedFetch(server.fetch)
    never.close()
    crashed.env.fetch = never.fetch
    await crashed.db.todos.bulkAdd([
      { id: 'a', title: 'a' },
      { id: 'b', title: 'b' },
    ])
    await crashed.client.connect(connector)
    await advance(100)
    expect((await crashed.client.listChanges()).map((entry) => entry.status)).toEqual(['syncing', 'syncing'])

    const next = setup({ server, dbName: crashed.db.name })
    await next.client.connect(connector)
    await advance(200)
    expect(server.recordIds()).toEqual(['a', 'b'])
    expect(server.pushedChangeIds).toHaveLength(2)
    expect(new Set(server.pushedChangeIds).size).toBe(2)
    expect(await next.client.listChanges()).toEqual([])
  })

  it('a push whose answer was lost before the crash is sent again and applied once', async () => {
    const server = new FakeSyncServer({ now: () => Date.now() })
    const crashed = setup({ server })
    // The server applies the push, then the tab dies before the answer arrives.
    const lostAnswer: FetchLike = async (input, init) => {
      await server.fetch(input, init)
      return new Promise<Response>(() => {})
    }
    crashed.env.fetch = lostAnswer
    await crashed.db.todos.add({ id: 'a', title: 'a' })
    await crashed.client.connect(connector)
    await advance(100)
    const [entry] = await crashed.client.listChanges()
    expect(entry?.status).toBe('syncing')

    const next = setup({ server, dbName: crashed.db.name })
    await next.client.connect(connector)
    await advance(200)
    expect(server.pushedChangeIds).toEqual([entry!.id, entry!.id])
    expect(server.changes.filter((change) => change.recordId === 'a')).toHaveLength(1)
    expect(await next.client.listChanges()).toEqual([])
  })

  it('a lost response without a crash is retried and still applied once', async () => {
    const { server, db, client } = setup()
    server.failNext(1, 'lost-response')
    await db.todos.add({ id: 'a', title: 'a' })
    await client.connect(connector)
    await advance(2_000)
    const [id] = server.pushedChangeIds
    expect(server.pushedChangeIds).toEqual([id, id])
    expect(server.changes.filter((change) => change.recordId === 'a')).toHaveLength(1)
    expect(await client.listChanges()).toEqual([])
  })
})

describe('status', () => {
  it('a status subscriber that throws is reported to env.logger and stops neither connect() nor the others', async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      const { db, client, env, server } = setup()
      client.subscribe(() => {
        throw new Error('subscriber bug')
      })
      const heard: SyncStatus[] = []
      client.subscribe((status) => heard.push(status))
      await client.connect(connector)
      await db.todos.add({ id: 'a', title: 'milk' })
      await advance(500)
      expect(server.get('todos', 'a')?.data).toEqual({ id: 'a', title: 'milk' })
      expect(heard.at(-1)).toMatchObject({ isConnected: true, pendingChanges: 0 })
      expect(env.logged).toContainEqual(
        expect.objectContaining({
          level: 'error',
          details: [expect.objectContaining({ message: 'subscriber bug' })],
        }),
      )
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })

  it('pendingChanges and failedChanges follow writes made through another Dexie instance', async () => {
    const { db, client } = setup()
    const other = secondInstance(db.name)
    await other.db.todos.bulkAdd([
      { id: 'a', title: 'a' },
      { id: 'b', title: 'b' },
    ])
    await advance(100)
    expect(client.getSnapshot()).toMatchObject({ pendingChanges: 2, failedChanges: 0 })
    const [taken] = await other.outbox.takeBatch(1)
    await other.outbox.recordError(taken!.id, 'no', 1)
    await advance(100)
    expect(client.getSnapshot()).toMatchObject({ pendingChanges: 1, failedChanges: 1 })
  })

  it('isOnline follows the online and offline events', async () => {
    const { client, env } = setup()
    expect(client.getSnapshot().isOnline).toBe(true)
    env.goOffline()
    expect(client.getSnapshot().isOnline).toBe(false)
    env.goOnline()
    expect(client.getSnapshot().isOnline).toBe(true)
  })

  it('replaces the snapshot only when something changed', async () => {
    const { client, env } = setup()
    await advance(100)
    const listener = vi.fn()
    client.subscribe(listener)
    const before = client.getSnapshot()
    env.goOnline()
    await advance(100)
    expect(listener).not.toHaveBeenCalled()
    expect(client.getSnapshot()).toBe(before)
    env.goOffline()
    expect(listener).toHaveBeenCalledOnce()
    expect(client.getSnapshot()).not.toBe(before)
  })

  it('isUploading is true only while pushing, not while pulling', async () => {
    const { server, db, client, env } = setup()
    await client.connect(connector)
    await advance(100)
    const seen: boolean[] = [client.getSnapshot().isUploading]
    client.subscribe((status) => {
      if (status.isUploading !== seen.at(-1)) seen.push(status.isUploading)
    })
    const pushGate = gatedFetch(server.fetch)
    const pullGate = gatedFetch(server.fetch)
    env.fetch = (input, init) => (input.endsWith('/push') ? pushGate : pullGate).fetch(input, init)
    pushGate.close()
    pullGate.close()
    expect(client.getSnapshot().isUploading).toBe(false)
    await db.todos.add({ id: 'a', title: 'a' })
    await advance(100)
    expect(client.getSnapshot()).toMatchObject({ isUploading: true, isDownloading: false })
    pushGate.open()
    await advance(100)
    expect(pullGate.waiting).toBe(1)
    expect(client.getSnapshot()).toMatchObject({ isUploading: false, isDownloading: true, isSyncing: true })
    pullGate.open()
    await advance(100)
    expect(client.getSnapshot()).toMatchObject({ isUploading: false, isSyncing: false })
    expect(seen).toEqual([false, true, false])
  })

  it('isSyncing stays true from the upload through the download of one round, without a blink between', async () => {
    const { db, client } = setup()
    await client.connect(connector)
    await advance(100)
    const seen: boolean[] = [client.getSnapshot().isSyncing]
    client.subscribe((status) => {
      if (status.isSyncing !== seen.at(-1)) seen.push(status.isSyncing)
    })
    await db.todos.add({ id: 'a', title: 'a' })
    await advance(100)
    expect(await client.listChanges()).toEqual([])
    expect(seen).toEqual([false, true, false])
  })

  it('rounds that only find changes held back after a rejection do not show isUploading', async () => {
    const { server, db, client } = setup({
      autoSync: { intervalMs: 1_000, debounceMs: 0 },
      retryDelayMs: 60_000,
      maxRetryDelayMs: 60_000,
    })
    server.rejectChange = () => 'not now'
    await db.todos.add({ id: 'a', title: 'a' })
    await client.connect(connector)
    await advance(500)
    expect(await client.listChanges()).toEqual([expect.objectContaining({ retries: 1, status: 'pending' })])
    const seen: boolean[] = []
    client.subscribe((status) => seen.push(status.isUploading))
    await advance(5_000)
    expect(client.getSnapshot().pendingChanges).toBe(1)
    expect(seen).not.toContain(true)
  })

  it('offline, writes make no requests and no upload error; they go out when back online', async () => {
    const { server, db, client, env } = setup({ autoSync: { intervalMs: 1_000, debounceMs: 0 } })
    await client.connect(connector)
    await advance(100)
    env.goOffline()
    const before = server.requests.length
    await db.todos.add({ id: 'a', title: 'a' })
    await advance(10_000, 500)
    expect(server.requests.length).toBe(before)
    expect(client.getSnapshot()).toMatchObject({ isOnline: false, pendingChanges: 1, uploadError: null })
    env.goOnline()
    await advance(100)
    expect(server.get('todos', 'a')).toBeDefined()
  })

  it('a round with nothing to upload never shows isUploading', async () => {
    const { client } = setup({ autoSync: { intervalMs: 1_000, debounceMs: 0 } })
    const seen: boolean[] = []
    client.subscribe((status) => seen.push(status.isUploading))
    await client.connect(connector)
    await advance(5_000)
    expect(seen).not.toContain(true)
  })
})

describe('events and stats', () => {
  it('onSync reports push, conflict, pull, complete and error phases', async () => {
    const { server, db, client } = setup({ strategy: 'server-wins' })
    const phases: string[] = []
    client.onSync((event) => phases.push(event.phase))
    await db.todos.add({ id: 'a', title: 'local' })
    server.write('todos', 'a', { id: 'a', title: 'remote' }, Date.now() + 60_000)
    await client.connect(connector)
    await advance(200)
    expect(phases).toEqual(['conflict', 'push', 'pull', 'complete'])
    server.failNext(1, 500)
    await db.todos.add({ id: 'b', title: 'b' })
    await advance(100)
    expect(phases.slice(4)).toEqual(['error'])
  })

  it('createSyncEventLog(client, size) keeps the last size events', async () => {
    const { db, client } = setup()
    const all: SyncEvent[] = []
    client.onSync((event) => all.push(event))
    const log = createSyncEventLog(client, 3)
    await client.connect(connector)
    for (const id of ['a', 'b', 'c']) {
      await db.todos.add({ id, title: id })
      await advance(100)
    }
    expect(all.length).toBeGreaterThan(3)
    expect(log.events).toEqual(all.slice(-3))
  })

  it('getSyncStats(client) counts the outbox by status', async () => {
    const { server, db, client } = setup({ retryMaxAttempts: 1 })
    server.rejectChange = (change) => (change.recordId === 'bad' ? 'no' : undefined)
    await db.todos.bulkAdd([
      { id: 'a', title: 'a' },
      { id: 'bad', title: 'bad' },
      { id: 'c', title: 'c' },
    ])
    expect(await getSyncStats(client)).toEqual({ total: 3, pending: 3, syncing: 0, failed: 0 })
    await client.connect(connector)
    await advance(100)
    expect(await getSyncStats(client)).toEqual({ total: 1, pending: 0, syncing: 0, failed: 1 })
  })

  it('getSyncStats says what to do for a database without an outbox', async () => {
    const plain = createTodoDb()
    extraDbs.push(plain)
    await expect(getSyncStats({ db: plain })).rejects.toThrow(/createSyncClient/)
  })
})
