import { nanoid } from 'nanoid'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { SyncPausedError } from '../shared/errors.js'
import { advance, createTodoDb, credentials, useEngineTimers } from '../test/engineHarness.js'
import { FakeBroadcastHub } from '../test/fakeBroadcastHub.js'
import { FakeLockManager } from '../test/fakeLockManager.js'
import { FakeSyncServer } from '../test/fakeServer.js'
import { createTabEnvironment } from '../test/tabEnvironment.js'
import { createSyncClient, type SyncClient } from './syncClient.js'

interface Tab {
  client: SyncClient
  db: ReturnType<typeof createTodoDb>
}

let open: Tab[] = []

beforeEach(() => useEngineTimers())
afterEach(async () => {
  for (const tab of open) {
    await tab.client.close()
    tab.db.close()
  }
  open = []
  vi.useRealTimers()
})

/** Tabs of one app in one browser: one database, one BroadcastChannel hub, one Web Locks manager. */
function browser() {
  const server = new FakeSyncServer()
  const hub = new FakeBroadcastHub()
  const locks = new FakeLockManager()
  const name = `pause-${nanoid()}`
  const openTab = async (): Promise<Tab> => {
    const env = createTabEnvironment(hub, locks, { fetch: server.fetch, random: () => 0.5 })
    const db = createTodoDb(name)
    const client = createSyncClient(db, {
      tables: { todos: true },
      env,
      autoSync: { intervalMs: 30_000, debounceMs: 100 },
      uploadThrottleMs: 100,
    })
    const tab = { client, db }
    open.push(tab)
    await client.connect({ fetchCredentials: credentials() })
    await advance(300)
    return tab
  }
  const closeTab = async (tab: Tab) => {
    open = open.filter((other) => other !== tab)
    await tab.client.close()
    tab.db.close()
  }
  return { server, name, openTab, closeTab }
}

describe('pause and resume', () => {
  it('after a reload, a paused tab never shows a loaded state other than paused, leading or not yet', async () => {
    const app = browser()
    const first = await app.openTab()
    await first.client.pause()
    await first.db.todos.add({ id: 'a', title: 'queued while paused' })
    await advance(300)
    await app.closeTab(first)

    // The old page still holds leadership for a moment (its lock is released late), so this tab loads first.
    const locks = new FakeLockManager()
    let release = () => {}
    void locks.forTab('old page').request(
      `driftless:leader:${app.name}`,
      { mode: 'exclusive' },
      () =>
        new Promise<void>((done) => {
          release = done
        }),
    )
    const env = createTabEnvironment(new FakeBroadcastHub(), locks, { fetch: app.server.fetch })
    const db = createTodoDb(app.name)
    const client = createSyncClient(db, { tables: { todos: true }, env })
    open.push({ client, db })
    const seen: string[] = []
    client.subscribe((status) => {
      if (status.isLoaded) seen.push(status.connection)
    })
    await client.connect({ fetchCredentials: credentials() })
    await advance(300)
    expect(client.getSnapshot()).toMatchObject({ isLoaded: true, isPaused: true, isLeader: false })
    release()
    await advance(300)
    expect(client.getSnapshot()).toMatchObject({
      isLoaded: true,
      isPaused: true,
      pendingChanges: 1,
      isLeader: true,
    })
    expect(new Set(seen)).toEqual(new Set(['paused']))
  })

  it('paused in a follower tab, the leader stops syncing and every tab says so', async () => {
    const app = browser()
    const leader = await app.openTab()
    const follower = await app.openTab()
    expect(leader.client.getSnapshot().isLeader).toBe(true)

    await follower.client.pause()
    await advance(300)
    for (const tab of [leader, follower]) {
      expect(tab.client.getSnapshot()).toMatchObject({ isPaused: true, connection: 'paused' })
    }
    const pushedBefore = app.server.pushedChangeIds.length
    await follower.db.todos.add({ id: 'a', title: 'written while paused' })
    await leader.db.todos.add({ id: 'b', title: 'also while paused' })
    await advance(60_000)
    expect(app.server.pushedChangeIds.length).toBe(pushedBefore)
    expect(leader.client.getSnapshot().pendingChanges).toBe(2)
  })

  it('is kept across a reload and resumed from any tab: the queued writes go out then', async () => {
    const app = browser()
    const first = await app.openTab()
    await first.client.pause()
    await first.db.todos.add({ id: 'a', title: 'queued' })
    await app.closeTab(first)

    const reloaded = await app.openTab()
    const other = await app.openTab()
    expect(reloaded.client.getSnapshot()).toMatchObject({
      isPaused: true,
      connection: 'paused',
      pendingChanges: 1,
    })
    expect(app.server.get('todos', 'a')).toBeUndefined()

    await other.client.resume()
    await advance(1_000)
    expect(app.server.get('todos', 'a')?.data).toEqual({ id: 'a', title: 'queued' })
    for (const tab of [reloaded, other]) {
      expect(tab.client.getSnapshot()).toMatchObject({
        isPaused: false,
        connection: 'connected',
        pendingChanges: 0,
      })
    }
  })

  it('refuses sync() while paused with an error that says to resume', async () => {
    const app = browser()
    const tab = await app.openTab()
    await tab.client.pause()
    await expect(tab.client.sync()).rejects.toBeInstanceOf(SyncPausedError)
    await expect(tab.client.sync()).rejects.toMatchObject({ code: 'PAUSED', message: /resume\(\)/ })
  })
})
