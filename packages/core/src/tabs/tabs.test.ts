import { nanoid } from 'nanoid'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { SyncClient } from '../session/syncClient.js'
import { createSyncClient } from '../session/syncClient.js'
import type { FetchLike } from '../shared/env.js'
import { advance, createTodoDb, credentials, settle, useEngineTimers } from '../test/engineHarness.js'
import { FakeBroadcastHub } from '../test/fakeBroadcastHub.js'
import { FakeLockManager } from '../test/fakeLockManager.js'
import { FakeSyncServer } from '../test/fakeServer.js'
import { createTabEnvironment, type TabEnvironment } from '../test/tabEnvironment.js'

interface Tab {
  client: SyncClient
  db: ReturnType<typeof createTodoDb>
  env: TabEnvironment
  /** Requests this tab sent to the server. */
  requests: string[]
  /** While set, this tab's requests never reach the server and never answer. */
  hang: boolean
}

let tabs: Tab[] = []

beforeEach(() => useEngineTimers())
afterEach(async () => {
  for (const tab of tabs) await tab.client.close()
  tabs = []
  vi.useRealTimers()
})

/** Tabs of one app: one database name, one BroadcastChannel hub, one Web Locks manager, one server. */
function browser() {
  const server = new FakeSyncServer()
  const hub = new FakeBroadcastHub()
  const locks = new FakeLockManager()
  const name = `tabs-${nanoid()}`
  const open = (): Tab => {
    const tab = { requests: [], hang: false } as unknown as Tab
    const fetch: FetchLike = (url, init) => {
      tab.requests.push(new URL(url).pathname)
      if (tab.hang) return new Promise<Response>(() => {})
      return server.fetch(url, init)
    }
    tab.env = createTabEnvironment(hub, locks, { fetch, random: () => 0.5 })
    tab.db = createTodoDb(name)
    tab.client = createSyncClient(tab.db, {
      tables: { todos: true },
      env: tab.env,
      autoSync: { intervalMs: 30_000, debounceMs: 100 },
      uploadThrottleMs: 100,
    })
    tabs.push(tab)
    return tab
  }
  return { server, hub, locks, open }
}

async function openConnected(app: ReturnType<typeof browser>, count: number): Promise<Tab[]> {
  const opened: Tab[] = []
  for (let i = 0; i < count; i++) {
    const tab = app.open()
    await tab.client.connect({ fetchCredentials: credentials() })
    opened.push(tab)
  }
  await advance(500)
  return opened
}

/** Lets fake time run (messages between tabs travel on timers) until `promise` settles. */
async function whenSettled(promise: Promise<unknown>, limitMs = 10_000): Promise<unknown> {
  let outcome: { value: unknown } | null = null
  promise.then(
    () => {
      outcome = { value: 'resolved' }
    },
    (error: unknown) => {
      outcome = { value: error }
    },
  )
  for (let waited = 0; outcome === null && waited < limitMs; waited += 50) await advance(50)
  if (outcome === null) throw new Error(`still pending after ${limitMs} ms of fake time`)
  return (outcome as { value: unknown }).value
}

function expectNoDoublePush(server: FakeSyncServer): void {
  expect(new Set(server.pushedChangeIds).size).toBe(server.pushedChangeIds.length)
}

describe('tabs: one leader', () => {
  it('of three tabs exactly one leads and sends every request; writes from all tabs reach the server', async () => {
    const app = browser()
    const [a, b, c] = await openConnected(app, 3)
    expect([a, b, c].map((tab) => tab!.client.getSnapshot().isLeader)).toEqual([true, false, false])
    await b!.db.todos.add({ id: 'from-b', title: 'b' })
    await c!.db.todos.add({ id: 'from-c', title: 'c' })
    await a!.db.todos.add({ id: 'from-a', title: 'a' })
    await advance(1_000)
    expect(app.server.recordIds()).toEqual(['from-a', 'from-b', 'from-c'])
    expect(a!.requests.length).toBeGreaterThan(0)
    expect(b!.requests).toEqual([])
    expect(c!.requests).toEqual([])
    for (const tab of [a, b, c]) expect(tab!.client.getSnapshot().pendingChanges).toBe(0)
    expectNoDoublePush(app.server)
  })

  it("a follower's sync() runs a round in the leader and resolves after it", async () => {
    const app = browser()
    const [leader, follower] = await openConnected(app, 2)
    app.server.write('todos', 'remote', { id: 'remote', title: 'from another device' })
    await follower!.db.todos.add({ id: 'local', title: 'mine' })
    expect(await whenSettled(follower!.client.sync())).toBe('resolved')
    expect(app.server.get('todos', 'local')?.data).toEqual({ id: 'local', title: 'mine' })
    expect(await follower!.db.todos.get('remote')).toEqual({ id: 'remote', title: 'from another device' })
    expect(follower!.requests).toEqual([])
    expect(leader!.requests.at(-1)).toMatch(/\/pull$/)
  })

  it("a follower's sync() rejects with the leader's error", async () => {
    const app = browser()
    const [, follower] = await openConnected(app, 2)
    app.server.failNext(1, 500)
    const outcome = await whenSettled(follower!.client.sync())
    expect(outcome).toBeInstanceOf(Error)
    expect(String(outcome)).toMatch(/HTTP 500/)
  })
})

describe('tabs: status', () => {
  it("a follower mirrors the leader's connection, sync and error state", async () => {
    const app = browser()
    const [leader, follower] = await openConnected(app, 2)
    await whenSettled(follower!.client.sync())
    await advance(100)
    const mirrored = (tab: Tab) => {
      const { isConnected, hasSynced, lastSyncedAt, uploadError, downloadError, lastError } =
        tab.client.getSnapshot()
      return { isConnected, hasSynced, lastSyncedAt, uploadError, downloadError, lastError }
    }
    expect(mirrored(follower!)).toEqual(mirrored(leader!))
    expect(mirrored(follower!)).toMatchObject({ isConnected: true, hasSynced: true })

    app.server.failNext(1, 503)
    await whenSettled(leader!.client.sync())
    await advance(100)
    expect(
      follower!.client.getSnapshot().uploadError ?? follower!.client.getSnapshot().downloadError,
    ).toMatch(/HTTP 503/)
    expect(mirrored(follower!)).toEqual(mirrored(leader!))
    expect(follower!.client.getSnapshot().isConnected).toBe(false)
  })

  it('pendingChanges is counted by each tab itself and follows writes at once', async () => {
    const app = browser()
    const [leader, follower] = await openConnected(app, 2)
    leader!.hang = true
    await follower!.db.todos.add({ id: 'x', title: 'queued' })
    await settle()
    expect(follower!.client.getSnapshot().pendingChanges).toBe(1)
    expect(follower!.client.getSnapshot().isLeader).toBe(false)
  })
})

describe('tabs: handover', () => {
  it('when the leader closes, another tab takes over within two seconds and keeps uploading', async () => {
    const app = browser()
    const [a, b, c] = await openConnected(app, 3)
    await a!.db.todos.add({ id: 'before', title: 'before' })
    await advance(1_000)
    await a!.client.close()
    await advance(2_000)
    const leaders = [b, c].filter((tab) => tab!.client.getSnapshot().isLeader)
    expect(leaders).toHaveLength(1)
    await c!.db.todos.add({ id: 'after', title: 'after' })
    await advance(1_000)
    expect(app.server.get('todos', 'after')?.data).toEqual({ id: 'after', title: 'after' })
    expect(leaders[0]!.requests.length).toBeGreaterThan(0)
    expect([b, c].find((tab) => tab !== leaders[0])!.requests).toEqual([])
    expectNoDoublePush(app.server)
  })

  it('when the leader tab crashes with changes in flight, the next leader pushes them exactly once', async () => {
    const app = browser()
    const [a, b] = await openConnected(app, 2)
    a!.hang = true
    await b!.db.todos.bulkAdd([
      { id: 'x', title: 'x' },
      { id: 'y', title: 'y' },
    ])
    await advance(500)
    expect((await b!.client.listChanges()).map((entry) => entry.status)).toEqual(['syncing', 'syncing'])
    a!.env.crash()
    await advance(2_000)
    expect(b!.client.getSnapshot().isLeader).toBe(true)
    expect(app.server.get('todos', 'x')?.data).toEqual({ id: 'x', title: 'x' })
    expect(app.server.get('todos', 'y')?.data).toEqual({ id: 'y', title: 'y' })
    expect(await b!.client.listChanges()).toEqual([])
    expectNoDoublePush(app.server)
  })

  it('a change whose push reached the server before the leader crashed is applied once', async () => {
    const app = browser()
    const [a, b] = await openConnected(app, 2)
    const send = a!.env.fetch
    // The server applies the push; the answer never comes back because the tab dies.
    a!.env.fetch = async (url, init) => {
      await send(url, init)
      return new Promise<Response>(() => {})
    }
    await b!.db.todos.add({ id: 'x', title: 'x' })
    await advance(500)
    a!.env.crash()
    await advance(2_000)
    expect(await b!.client.listChanges()).toEqual([])
    expect(app.server.changes.filter((change) => change.recordId === 'x')).toHaveLength(1)
  })

  it('leadership passes down a chain of three tabs (crash, then close) within a second each time', async () => {
    const app = browser()
    const [a, b, c] = await openConnected(app, 3)
    a!.env.crash()
    await advance(1_000)
    expect([b, c].map((tab) => tab!.client.getSnapshot().isLeader)).toEqual([true, false])
    await c!.db.todos.add({ id: 'one', title: 'one' })
    await advance(1_000)
    expect(app.server.get('todos', 'one')).toBeDefined()
    await b!.client.close()
    await advance(1_000)
    expect(c!.client.getSnapshot().isLeader).toBe(true)
    await c!.db.todos.add({ id: 'two', title: 'two' })
    await advance(1_000)
    expect(app.server.get('todos', 'two')).toBeDefined()
    expect(c!.client.getSnapshot()).toMatchObject({ pendingChanges: 0, isConnected: true, hasSynced: true })
    expectNoDoublePush(app.server)
  })

  it("a follower's sync() pending while the leader closes is run by the next leader", async () => {
    const app = browser()
    const [a, b] = await openConnected(app, 2)
    a!.hang = true
    await b!.db.todos.add({ id: 'x', title: 'x' })
    const synced = b!.client.sync().then(
      () => 'resolved',
      (error: unknown) => error,
    )
    await advance(200)
    await a!.client.close()
    await advance(2_000)
    expect(await synced).toBe('resolved')
    expect(app.server.get('todos', 'x')?.data).toEqual({ id: 'x', title: 'x' })
    expectNoDoublePush(app.server)
  })
})
