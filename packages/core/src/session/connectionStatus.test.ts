import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DEFAULT_CONNECTION_GRACE_MS } from '../shared/connection.js'
import type { FetchLike } from '../shared/env.js'
import type { SyncStatus } from '../shared/status.js'
import { clientFixture, closeClients } from '../test/clientFixture.js'
import { advance, createTodoDb, credentials, useEngineTimers } from '../test/engineHarness.js'
import { FakeSyncServer } from '../test/fakeServer.js'

beforeEach(() => useEngineTimers())
afterEach(async () => {
  await closeClients()
  vi.useRealTimers()
})

const connector = { fetchCredentials: credentials() }
const GRACE = DEFAULT_CONNECTION_GRACE_MS

/** A client whose server can be taken down and brought back. */
function withServerSwitch(options: Parameters<typeof clientFixture>[0] = {}) {
  const server = new FakeSyncServer()
  const power = { down: false }
  const fetch: FetchLike = (url, init) =>
    power.down ? Promise.reject(new TypeError('Failed to fetch')) : server.fetch(url, init)
  return { ...clientFixture({ ...options, server, env: { fetch } }), power }
}

function record(client: { subscribe(listener: (status: SyncStatus) => void): () => void }) {
  const seen: SyncStatus[] = []
  client.subscribe((status) => seen.push(status))
  return seen
}

describe('connection in the status', () => {
  it('is disconnected before connect(), connecting at once after it, connected after the first answer', async () => {
    const { client } = clientFixture()
    await advance(100)
    expect(client.getSnapshot().connection).toBe('disconnected')
    const seen = record(client)
    await client.connect(connector)
    expect(client.getSnapshot().connection).toBe('connecting')
    await advance(100)
    expect(client.getSnapshot().connection).toBe('connected')
    expect(seen.map((status) => status.connection).filter((c, i, all) => c !== all[i - 1])).toEqual([
      'connecting',
      'connected',
    ])
  })

  it('shows a server that stopped answering only after the grace period, with the next retry time', async () => {
    const { client, power, db, env } = withServerSwitch()
    await client.connect(connector)
    await advance(100)
    power.down = true
    await db.todos.add({ id: 'a', title: 'milk' })
    await advance(GRACE - 500)
    expect(client.getSnapshot().connection).toBe('connected')
    await advance(1_000)
    const status = client.getSnapshot()
    expect(status.connection).toBe('unreachable')
    expect(status.nextRetryAt).toBeGreaterThan(env.now())
    expect(status.lastError).toMatch(/Failed to fetch/)
  })

  it('shows recovery at once and forgets the retry time', async () => {
    const { client, power, db } = withServerSwitch({ retryDelayMs: 1_000, maxRetryDelayMs: 1_000 })
    await client.connect(connector)
    await advance(100)
    power.down = true
    await db.todos.add({ id: 'a', title: 'milk' })
    await advance(GRACE + 500)
    expect(client.getSnapshot().connection).toBe('unreachable')
    power.down = false
    const seen = record(client)
    await advance(1_100)
    expect(client.getSnapshot()).toMatchObject({
      connection: 'connected',
      nextRetryAt: null,
      pendingChanges: 0,
    })
    // Straight from unreachable to connected: no grace, no state in between.
    expect(seen.map((status) => status.connection).filter((c, i, all) => c !== all[i - 1])).toEqual([
      'unreachable',
      'connected',
    ])
  })

  it('never shows a server blip shorter than the grace period', async () => {
    const { client, server, db } = clientFixture({ retryDelayMs: 1_000, maxRetryDelayMs: 1_000 })
    await client.connect(connector)
    await advance(100)
    const seen = record(client)
    server.failNext(1, 'network')
    await db.todos.add({ id: 'a', title: 'milk' })
    await advance(GRACE * 2)
    expect(client.getSnapshot().pendingChanges).toBe(0)
    expect(seen.some((status) => status.connection !== 'connected')).toBe(false)
  })

  it('says needs-auth when the server refuses the credentials, even fresh ones', async () => {
    const { client, server } = clientFixture()
    server.requireToken('someone-else')
    await client.connect(connector)
    await advance(GRACE + 100)
    expect(client.getSnapshot().connection).toBe('needs-auth')
  })

  it('says unreachable, not needs-auth, when fetchCredentials() fails on the network', async () => {
    const { client } = clientFixture()
    await client.connect({
      fetchCredentials: async () => {
        throw new TypeError('Failed to fetch')
      },
    })
    await advance(GRACE + 100)
    expect(client.getSnapshot().connection).toBe('unreachable')
  })

  it('says offline after the grace period without a network, and connecting at once when it is back', async () => {
    const { client, env } = clientFixture()
    await client.connect(connector)
    await advance(100)
    env.goOffline()
    await advance(GRACE - 100)
    expect(client.getSnapshot().connection).toBe('connected')
    await advance(100)
    expect(client.getSnapshot().connection).toBe('offline')
    env.goOnline()
    expect(client.getSnapshot().connection).toBe('connecting')
    await advance(100)
    expect(client.getSnapshot().connection).toBe('connected')
  })
})

describe('what a reload remembers', () => {
  it('that the device synced, and when, before it connects again', async () => {
    const server = new FakeSyncServer()
    const dbName = `reload-${Math.random()}`
    const first = clientFixture({ server, dbName })
    await first.client.connect(connector)
    await advance(100)
    const { lastSyncedAt } = first.client.getSnapshot()
    expect(lastSyncedAt).not.toBeNull()
    await first.client.close()
    first.db.close()

    const reloaded = clientFixture({ server, dbName })
    await advance(100)
    expect(reloaded.client.getSnapshot()).toMatchObject({
      isLoaded: true,
      hasSynced: true,
      lastSyncedAt,
      connection: 'disconnected',
    })
  })

  it('never says "0 pending" while changes are queued: the counts come with isLoaded', async () => {
    const dbName = `queued-${Math.random()}`
    const before = clientFixture({ dbName })
    await before.db.todos.bulkAdd([
      { id: 'a', title: 'a' },
      { id: 'b', title: 'b' },
      { id: 'c', title: 'c' },
    ])
    await before.client.close()
    before.db.close()

    const db = createTodoDb(dbName)
    const after = clientFixture({ dbName: db.name })
    db.close()
    const first = after.client.getSnapshot()
    const seen = [first, ...record(after.client)]
    await advance(100)
    expect(first.isLoaded).toBe(false)
    expect(seen.filter((status) => status.isLoaded).map((status) => status.pendingChanges)).toEqual(
      seen.filter((status) => status.isLoaded).map(() => 3),
    )
    expect(after.client.getSnapshot()).toMatchObject({ isLoaded: true, pendingChanges: 3 })
  })
})
