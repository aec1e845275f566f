import { afterEach, describe, expect, it, vi } from 'vitest'

vi.setConfig({ testTimeout: 20_000 })

import type { SyncClient } from '../session/syncClient.js'
import { createSyncClient } from '../session/syncClient.js'
import { createEnvironment } from '../shared/env.js'
import { createTodoDb, type TodoRow } from '../test/engineHarness.js'
import { FakeSyncServer } from '../test/fakeServer.js'
import { serveOverHttp, type TestHttpServer } from '../test/httpServer.js'
import { HttpTransport } from '../transport/http.js'

let clients: SyncClient[] = []
let http: TestHttpServer | null = null

afterEach(async () => {
  for (const client of clients) await client.close()
  clients = []
  await http?.close()
  http = null
})

const quietLogger = { warn: () => {}, error: () => {} }

/** One device: its own database, real fetch over HTTP, real timers with short intervals. */
function device(url: string) {
  const env = createEnvironment({
    locks: undefined,
    broadcastChannel: () => undefined,
    onOnlineChange: () => () => {},
    isOnline: () => true,
    logger: quietLogger,
  })
  const db = createTodoDb()
  const client = createSyncClient(db, {
    tables: { todos: true },
    env,
    transport: new HttpTransport({ url: `${url}/sync`, env, timeoutMs: 5_000 }),
    autoSync: { intervalMs: 40, debounceMs: 5 },
    uploadThrottleMs: 5,
    retryDelayMs: 20,
    maxRetryDelayMs: 100,
  })
  clients.push(client)
  return { client, db }
}

async function start() {
  const server = new FakeSyncServer()
  http = await serveOverHttp(server.fetch)
  const a = device(http.url)
  const b = device(http.url)
  const endpoint = http.url
  await a.client.connect({ fetchCredentials: async () => ({ endpoint, token: 'device-a' }) })
  await b.client.connect({ fetchCredentials: async () => ({ endpoint, token: 'device-b' }) })
  return { server, a, b }
}

function serverRows(server: FakeSyncServer): TodoRow[] {
  return server
    .records()
    .filter((record) => record.data !== null)
    .map((record) => record.data as unknown as TodoRow)
    .sort((x, y) => x.id.localeCompare(y.id))
}

/** Both devices and the server hold the same rows and nothing is left to upload. */
async function expectConverged(
  server: FakeSyncServer,
  devices: { client: SyncClient; db: ReturnType<typeof createTodoDb> }[],
): Promise<TodoRow[]> {
  let rows: TodoRow[] = []
  await vi.waitFor(
    async () => {
      rows = serverRows(server)
      for (const { client, db } of devices) {
        expect(await client.listChanges()).toEqual([])
        expect(await db.todos.orderBy('id').toArray()).toEqual(rows)
      }
    },
    { timeout: 10_000, interval: 20 },
  )
  return rows
}

/**
 * The next write is later on every device's clock. Each device corrects its clock by the server offset it
 * estimated from its own round trips, so two devices can disagree by a few milliseconds on a loaded
 * machine: "later" must exceed that error, not just the next millisecond.
 */
async function nextMillisecond(): Promise<void> {
  const now = Date.now()
  await vi.waitFor(() => expect(Date.now()).toBeGreaterThan(now + 250), { interval: 5, timeout: 2_000 })
}

describe('two devices over HTTP', () => {
  it('converge after concurrent edits and deletes; the later edit of a record wins everywhere', async () => {
    const { server, a, b } = await start()
    await a.db.todos.bulkAdd([
      { id: 'a', title: 'a' },
      { id: 'b', title: 'b' },
      { id: 'c', title: 'c' },
    ])
    await b.db.todos.add({ id: 'd', title: 'd' })
    expect((await expectConverged(server, [a, b])).map((row) => row.id)).toEqual(['a', 'b', 'c', 'd'])

    await a.db.todos.update('a', { title: 'edited on A' })
    await nextMillisecond()
    await b.db.todos.update('a', { title: 'edited on B, later' })
    await b.db.todos.delete('b')
    await a.db.todos.update('c', { done: true })
    await a.db.todos.delete('d')

    expect(await expectConverged(server, [a, b])).toEqual([
      { id: 'a', title: 'edited on B, later' },
      { id: 'c', title: 'c', done: true },
    ])
    expect(new Set(server.pushedChangeIds).size).toBe(server.pushedChangeIds.length)
  })

  it('converge after both devices edit and delete the same records many times while syncing', async () => {
    const { server, a, b } = await start()
    const ids = ['p', 'q', 'r', 's']
    await a.db.todos.bulkAdd(ids.map((id) => ({ id, title: 'start' })))
    await expectConverged(server, [a, b])

    for (let step = 0; step < 12; step++) {
      const writer = step % 2 === 0 ? a : b
      const id = ids[step % ids.length]!
      if (step % 5 === 4) await writer.db.todos.delete(id)
      else await writer.db.todos.put({ id, title: `step ${step}` })
      await nextMillisecond()
    }
    const rows = await expectConverged(server, [a, b])
    expect(rows.map((row) => row.id).sort()).toEqual(
      server
        .records()
        .filter((record) => record.data !== null)
        .map((record) => record.recordId)
        .sort(),
    )
    expect(new Set(server.pushedChangeIds).size).toBe(server.pushedChangeIds.length)
  })
})
