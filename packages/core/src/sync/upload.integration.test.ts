import { afterEach, describe, expect, it, vi } from 'vitest'
import type { SyncClient } from '../session/syncClient.js'
import { createSyncClient } from '../session/syncClient.js'
import { createTestEnvironment, createTodoDb } from '../test/engineHarness.js'
import { FakeSyncServer } from '../test/fakeServer.js'
import { serveOverHttp, type TestHttpServer } from '../test/httpServer.js'
import { HttpTransport } from '../transport/http.js'

// Real timers and real HTTP on 127.0.0.1: short delays, and vi.waitFor instead of sleeps.
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function setup() {
  const server = new FakeSyncServer()
  const http: TestHttpServer = await serveOverHttp(server.fetch)
  cleanups.push(() => http.close())
  server.requireToken('integration-token')
  // The test environment's online switch and logger, but the global fetch and real timers.
  const env = createTestEnvironment(server, { fetch: (input, init) => globalThis.fetch(input, init) })
  const db = createTodoDb()
  const client: SyncClient = createSyncClient(db, {
    tables: { todos: true },
    env,
    transport: new HttpTransport({ env, timeoutMs: 2_000 }),
    autoSync: { intervalMs: 0, debounceMs: 5 },
    uploadThrottleMs: 10,
    retryDelayMs: 50,
    maxRetryDelayMs: 200,
  })
  cleanups.push(async () => {
    await client.close()
    db.close()
  })
  const connector = {
    fetchCredentials: async () => ({ endpoint: `${http.url}/sync`, token: 'integration-token' }),
  }
  return { server, http, env, db, client, connector }
}

describe('upload over real HTTP', () => {
  it('writes made offline reach the server once the client is online and connected', async () => {
    const { server, env, db, client, connector } = await setup()
    env.goOffline()
    await db.todos.bulkAdd([
      { id: 'a', title: 'written offline' },
      { id: 'b', title: 'also offline' },
    ])
    expect(client.getSnapshot()).toMatchObject({ isOnline: false })
    env.goOnline()
    await client.connect(connector)
    await vi.waitFor(
      () => {
        expect(server.get('todos', 'a')?.data).toEqual({ id: 'a', title: 'written offline' })
        expect(server.get('todos', 'b')?.data).toEqual({ id: 'b', title: 'also offline' })
      },
      { timeout: 5_000, interval: 20 },
    )
    await vi.waitFor(() => expect(client.getSnapshot()).toMatchObject({ pendingChanges: 0, hasSynced: true }))
    expect(server.requests[0]).toMatchObject({
      path: '/sync/push',
      headers: expect.objectContaining({ authorization: 'Bearer integration-token' }),
    })
    expect(await client.listChanges()).toEqual([])
  })

  it('retries after an HTTP 500 and recovers without losing or doubling a change', async () => {
    const { server, db, client, connector } = await setup()
    await client.connect(connector)
    await vi.waitFor(() => expect(client.getSnapshot().hasSynced).toBe(true))
    server.failNext(1, 500)
    await db.todos.add({ id: 'a', title: 'after a 500' })
    await vi.waitFor(() => expect(server.get('todos', 'a')).toBeDefined(), { timeout: 5_000, interval: 20 })
    await vi.waitFor(() =>
      expect(client.getSnapshot()).toMatchObject({ pendingChanges: 0, uploadError: null, lastError: null }),
    )
    const pushes = server.requests.filter((request) => request.path === '/sync/push')
    expect(pushes).toHaveLength(2)
    expect(server.changes.filter((change) => change.recordId === 'a')).toHaveLength(1)
  })
})
