import { createEnvironment, createSyncClient, type SyncClient } from '@driftless/core'
import { act, render } from '@testing-library/react'
import Dexie from 'dexie'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { OfflineBanner } from './OfflineBanner.js'
import { SyncProvider } from './SyncProvider.js'
import { SyncStatus } from './SyncStatus.js'

const GRACE_MS = 3_000

/** A backend that answers pushes and pulls, or, while down, fails every request as a dead network does. */
function backend() {
  const power = { down: false }
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    if (power.down) throw new TypeError('Failed to fetch')
    if (url.endsWith('/push')) {
      const { changes } = JSON.parse(String(init.body)) as { changes: { id: string }[] }
      return Response.json({
        accepted: changes.map((change) => ({ id: change.id, serverTimestamp: Date.now() })),
        conflicts: [],
        errors: [],
      })
    }
    return Response.json({ changes: [], cursor: null, hasMore: false })
  }
  return { power, fetch }
}

let client: SyncClient
/** Every text the live region took, in order. */
let heard: string[] = []
let db: Dexie & { todos: Dexie.Table<{ id: string; title: string }, string> }

/** Lets IndexedDB work (real timers of fake-indexeddb) settle, then moves fake time by `ms`. */
async function pass(ms: number): Promise<void> {
  for (let elapsed = 0; elapsed <= ms; elapsed += 100) {
    await act(async () => {
      await new Promise<void>((resolve) => setImmediate(resolve))
      await vi.advanceTimersByTimeAsync(Math.min(100, ms - elapsed))
    })
    const text = document.querySelector('[role="status"]')?.textContent ?? ''
    if (text !== '' && text !== heard.at(-1)) heard.push(text)
  }
}

beforeEach(() => {
  heard = []
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] })
})

afterEach(async () => {
  await client.close()
  db.close()
  vi.useRealTimers()
})

describe('the components over a real sync client', () => {
  it('paint nothing, then synced; a waiting change through the grace period, unreachable after it, and recovery at once', async () => {
    const server = backend()
    db = new Dexie(`status-${Math.random()}`) as typeof db
    db.version(1).stores({ todos: 'id' })
    const env = createEnvironment({
      fetch: server.fetch,
      random: () => 0.5,
      isOnline: () => true,
      onOnlineChange: () => () => {},
      broadcastChannel: () => undefined,
      locks: undefined,
      logger: { warn: () => {}, error: () => {} },
    })
    client = createSyncClient(db, {
      tables: { todos: true },
      env,
      autoSync: { intervalMs: 0, debounceMs: 0 },
      uploadThrottleMs: 0,
      retryDelayMs: 10_000,
      maxRetryDelayMs: 10_000,
    })
    render(
      <SyncProvider client={client}>
        <OfflineBanner />
        <SyncStatus />
      </SyncProvider>,
    )
    const state = () => document.querySelector<HTMLElement>('.driftless-sync-status')?.dataset.state
    expect(state()).toBe('loading')
    await act(() =>
      client.connect({ fetchCredentials: async () => ({ endpoint: 'https://sync.test', token: 't' }) }),
    )
    await pass(500)
    expect(state()).toBe('synced')

    server.power.down = true
    await act(() => db.todos.add({ id: 'a', title: 'milk' }))
    await pass(GRACE_MS - 1_000)
    expect(state()).toBe('pending')
    await pass(1_500)
    expect(state()).toBe('unreachable')
    expect(document.querySelector('.driftless-offline-banner')?.textContent).toMatch(
      /^Can't reach the server\. 1 change is saved on this device and will sync when it's back\. Trying again in \d s\./,
    )

    server.power.down = false
    await pass(10_000)
    expect(state()).toBe('synced')
    // Once each, in order, and nothing for the retry rounds in between.
    expect(heard).toEqual([
      "Can't reach the server. Changes you make are saved on this device.",
      'Back online.',
      'All changes synced.',
    ])
  })
})
