import 'fake-indexeddb/auto'
import {
  createEnvironment,
  createSyncClient,
  type SyncClient,
  type WebSocketLike,
  WsTransport,
} from '@driftless/core'
import Dexie from 'dexie'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import WebSocket from 'ws'
import type { Database } from './database.js'
import { type RunningServer, startServer } from './node.js'
import { testBackends } from './test/backends.js'
import { signToken, TEST_SECRET } from './test/tokens.js'

interface Todo {
  id: string
  title: string
}

let deviceCount = 0

/** A device of `user`: its own database, a WsTransport over a real socket, no interval round at all. */
async function device(url: string, user: string, options: { webSockets?: boolean } = {}) {
  const env = createEnvironment({
    locks: undefined,
    broadcastChannel: () => undefined,
    webSocket: (socketUrl) =>
      options.webSockets === false ? undefined : (new WebSocket(socketUrl) as unknown as WebSocketLike),
    logger: { warn() {}, error() {} },
  })
  const db = new Dexie(`live-device-${++deviceCount}-${Date.now()}`)
  db.version(1).stores({ todos: 'id' })
  const client: SyncClient = createSyncClient(db, {
    tables: { todos: true },
    env,
    transport: new WsTransport({ env }),
    autoSync: { intervalMs: 0, debounceMs: 0 },
    uploadThrottleMs: 0,
  })
  const token = await signToken(user, { audience: 'any' })
  await client.connect({ fetchCredentials: async () => ({ endpoint: url, token }) })
  await vi.waitFor(() => expect(client.getSnapshot().hasSynced).toBe(true))
  return { client, db, todos: db.table<Todo, string>('todos') }
}

describe.each(testBackends())('two devices over the live socket on $name', (backend) => {
  let database: Database
  let server: RunningServer
  const clients: SyncClient[] = []

  beforeAll(async () => {
    database = await backend.open()
    server = await startServer({ port: 0, database, auth: { secret: TEST_SECRET }, logger: { error() {} } })
  })
  afterAll(async () => {
    for (const client of clients) await client.close()
    await server?.close()
    await database?.close()
  })

  it("shows each device the other's edits with no interval configured, and none of another user's", async () => {
    const phone = await device(server.url, 'alice')
    const laptop = await device(server.url, 'alice')
    const stranger = await device(server.url, 'mallory')
    clients.push(phone.client, laptop.client, stranger.client)

    await phone.todos.add({ id: 't1', title: 'milk' })
    await vi.waitFor(async () => expect(await laptop.todos.get('t1')).toEqual({ id: 't1', title: 'milk' }))

    await laptop.todos.update('t1', { title: 'oat milk' })
    await vi.waitFor(async () => expect((await phone.todos.get('t1'))?.title).toBe('oat milk'))

    await stranger.todos.add({ id: 's1', title: 'secret' })
    await vi.waitFor(async () => expect(await stranger.client.listChanges()).toEqual([]))
    await phone.todos.add({ id: 't2', title: 'bread' })
    await vi.waitFor(async () => expect(await laptop.todos.get('t2')).toBeDefined())
    expect(await laptop.todos.get('s1')).toBeUndefined()
    expect(phone.client.getSnapshot().isConnected).toBe(true)
  })

  it('pokes a device without WebSockets through Server-Sent Events', async () => {
    const phone = await device(server.url, 'sam')
    const oldBrowser = await device(server.url, 'sam', { webSockets: false })
    clients.push(phone.client, oldBrowser.client)
    await phone.todos.add({ id: 'e1', title: 'via events' })
    await vi.waitFor(async () =>
      expect(await oldBrowser.todos.get('e1')).toEqual({ id: 'e1', title: 'via events' }),
    )
    expect(oldBrowser.client.getSnapshot().isConnected).toBe(true)
  })
})

describe.each(testBackends())("the README's endpoint shape, {origin}/sync, on $name", (backend) => {
  let database: Database
  let server: RunningServer
  const clients: SyncClient[] = []

  beforeAll(async () => {
    database = await backend.open()
    server = await startServer({
      port: 0,
      database,
      basePath: '/sync',
      auth: { secret: TEST_SECRET },
      logger: { error() {} },
    })
  })
  afterAll(async () => {
    for (const client of clients) await client.close()
    await server?.close()
    await database?.close()
  })

  it('syncs two devices live through a server started with basePath /sync', async () => {
    const endpoint = `${server.url}/sync`
    const phone = await device(endpoint, 'alice')
    const laptop = await device(endpoint, 'alice')
    clients.push(phone.client, laptop.client)

    await phone.todos.add({ id: 'b1', title: 'under a base path' })
    await vi.waitFor(async () =>
      expect(await laptop.todos.get('b1')).toEqual({ id: 'b1', title: 'under a base path' }),
    )
    expect(laptop.client.getSnapshot().isConnected).toBe(true)
    expect((await fetch(`${server.url}/health`)).status).toBe(404)
    expect((await fetch(`${endpoint}/health`)).status).toBe(200)
  })
})
