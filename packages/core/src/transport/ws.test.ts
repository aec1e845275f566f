import { nanoid } from 'nanoid'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createSyncClient } from '../session/syncClient.js'
import type { FetchLike, SyncEnvironment } from '../shared/env.js'
import { closeClients, QUICK_OPTIONS, trackClient } from '../test/clientFixture.js'
import {
  advance,
  createTestEnvironment,
  createTodoDb,
  credentials,
  useEngineTimers,
} from '../test/engineHarness.js'
import { FakeBroadcastHub } from '../test/fakeBroadcastHub.js'
import { FakeLiveServer, VIA_SOCKET } from '../test/fakeLiveServer.js'
import { FakeLockManager } from '../test/fakeLockManager.js'
import { FakeSyncServer } from '../test/fakeServer.js'
import { createTabEnvironment } from '../test/tabEnvironment.js'
import { WsTransport, type WsTransportOptions } from './ws.js'

beforeEach(() => useEngineTimers())
afterEach(async () => {
  await closeClients()
  vi.useRealTimers()
})

function setup(
  options: {
    transport?: Omit<WsTransportOptions, 'env'>
    env?: Partial<SyncEnvironment>
    tokens?: string[]
    server?: FakeSyncServer
  } = {},
) {
  const server = options.server ?? new FakeSyncServer({ now: () => Date.now() })
  const live = new FakeLiveServer(server)
  const env = createTestEnvironment(server, { webSocket: live.webSocket, ...options.env })
  const transport = new WsTransport({ env, ...options.transport })
  const db = createTodoDb()
  const client = trackClient(
    createSyncClient(db, { tables: { todos: true }, env, transport, ...QUICK_OPTIONS }),
  )
  const tokens = options.tokens ?? ['token-1']
  let fetched = 0
  const connector = {
    fetchCredentials: async () => ({
      endpoint: 'https://sync.test/api',
      token: tokens[Math.min(fetched++, tokens.length - 1)]!,
    }),
  }
  const pulls = (via: 'socket' | 'http') =>
    server.requests.filter(
      (request) => request.path.endsWith('/pull') && VIA_SOCKET in request.headers === (via === 'socket'),
    ).length
  return { server, live, env, db, client, connector, pulls, credentialFetches: () => fetched }
}

describe('WsTransport: a poke runs the ordinary pull', () => {
  it("brings another device's change into the table with no interval configured", async () => {
    const { server, live, db, client, connector } = setup()
    await client.connect(connector)
    await advance(100)
    expect(live.open.map((socket) => socket.url)).toEqual(['wss://sync.test/api/live'])

    server.write('todos', 'r1', { id: 'r1', title: 'from the phone' })
    await advance(60_000)
    expect(await db.todos.get('r1')).toBeUndefined()

    live.poke('v1.1')
    await advance(100)
    expect(await db.todos.get('r1')).toEqual({ id: 'r1', title: 'from the phone' })
  })

  it('coalesces pokes that arrive while a pull runs into one more pull', async () => {
    const { live, client, connector, pulls } = setup()
    await client.connect(connector)
    await advance(100)
    const before = pulls('socket')

    live.holdAnswers = true
    live.poke()
    await advance(100)
    for (let i = 0; i < 5; i++) live.poke()
    await advance(100)
    live.release()
    await advance(100)
    expect(pulls('socket') - before).toBe(2)
  })

  it('carries push and pull over the open socket', async () => {
    const { server, live, db, client, connector, pulls } = setup()
    await client.connect(connector)
    await advance(100)
    await db.todos.add({ id: 'a', title: 'milk' })
    await advance(100)
    expect(server.get('todos', 'a')?.data).toEqual({ id: 'a', title: 'milk' })
    const pushes = server.requests.filter((request) => request.path.endsWith('/push'))
    expect(pushes.map((request) => VIA_SOCKET in request.headers)).toEqual([true])
    expect(pulls('socket')).toBeGreaterThan(0)
    expect(live.open).toHaveLength(1)
  })
})

describe('WsTransport: when the socket cannot open or drops', () => {
  it('falls back to HTTP, polling every fallbackPollMs, and moves back to the socket once it opens', async () => {
    const { server, live, db, client, connector, pulls } = setup({
      transport: { fallbackPollMs: 10_000, reconnectDelayMs: 1_000, maxReconnectDelayMs: 60_000 },
    })
    live.reachable = false
    await client.connect(connector)
    await advance(100)
    expect(client.getSnapshot().isConnected).toBe(true) // HTTP answers
    const afterConnect = pulls('http')

    server.write('todos', 'r1', { id: 'r1', title: 'polled' })
    await advance(10_000)
    expect(pulls('http')).toBeGreaterThan(afterConnect)
    expect(await db.todos.get('r1')).toEqual({ id: 'r1', title: 'polled' })

    live.reachable = true
    await advance(120_000)
    expect(live.open).toHaveLength(1)
    const httpPulls = pulls('http')
    await advance(60_000)
    expect(pulls('http')).toBe(httpPulls) // no polling while the socket is open
  })

  it('reconnects with growing delays, and pulls once when it is back', async () => {
    const { server, live, client, connector, pulls } = setup({
      transport: { reconnectDelayMs: 1_000, maxReconnectDelayMs: 8_000, fallbackPollMs: 600_000 },
    })
    await client.connect(connector)
    await advance(100)
    live.reachable = false
    live.dropAll()
    await advance(100)
    // After three sockets in a row fail, the fourth try is the Server-Sent Events stream.
    const attempts = () =>
      live.sockets.length + server.requests.filter((request) => request.path.endsWith('/events')).length
    expect(attempts()).toBe(2) // the first reconnect is immediate
    await advance(1_000)
    expect(attempts()).toBe(3)
    await advance(2_000)
    expect(attempts()).toBe(4)
    await advance(2_000)
    expect(attempts()).toBe(4) // the next one waits 4 s
    await advance(2_000)
    expect(attempts()).toBe(5)

    const socketPulls = pulls('socket')
    live.reachable = true
    await advance(8_000)
    expect(live.open).toHaveLength(1)
    expect(pulls('socket')).toBe(socketPulls + 1)
  })

  it('replaces a socket that stops answering: the request fails and a new socket opens', async () => {
    const { live, db, client, connector, server } = setup({ transport: { timeoutMs: 5_000 } })
    await client.connect(connector)
    await advance(100)
    live.holdAnswers = true
    await db.todos.add({ id: 'a', title: 'milk' })
    await advance(5_100)
    expect(live.sockets[0]?.closedByClient).not.toBeNull()
    live.holdAnswers = false
    await advance(10_000)
    expect(live.open).toHaveLength(1)
    expect(live.open[0]).not.toBe(live.sockets[0])
    expect(server.get('todos', 'a')?.data).toEqual({ id: 'a', title: 'milk' })
  })

  it('reports isConnected from the socket: false when it drops and HTTP does not answer either', async () => {
    const { server, live, client, connector } = setup({ transport: { fallbackPollMs: 600_000 } })
    await client.connect(connector)
    await advance(100)
    expect(client.getSnapshot().isConnected).toBe(true)
    live.reachable = false
    server.failNext(100, 'network')
    live.dropAll()
    await advance(100)
    expect(client.getSnapshot().isConnected).toBe(false)
  })
})

describe('WsTransport: Server-Sent Events where WebSockets are blocked', () => {
  /** A fetch that answers `GET …/events` with a stream the test writes to, and the rest with `inner`. */
  function eventStreams(inner: FetchLike) {
    const streams: { url: string; headers: Record<string, string>; push(text: string): void }[] = []
    const fetch: FetchLike = async (input, init) => {
      if (!input.endsWith('/events')) return inner(input, init)
      let controller!: ReadableStreamDefaultController<Uint8Array>
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          controller = c
        },
      })
      const headers = Object.fromEntries(new Headers(init.headers).entries())
      streams.push({
        url: input,
        headers,
        push: (text) => controller.enqueue(new TextEncoder().encode(text)),
      })
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } })
    }
    return { streams, fetch }
  }

  it('takes its pokes from GET /events with the token in the Authorization header', async () => {
    const server = new FakeSyncServer({ now: () => Date.now() })
    const events = eventStreams(server.fetch)
    const { live, db, client, connector } = setup({
      server,
      env: { fetch: events.fetch },
      transport: { reconnectDelayMs: 1_000, fallbackPollMs: 600_000 },
    })
    live.reachable = false
    await client.connect(connector)
    await advance(10_000)
    expect(live.sockets).toHaveLength(3)
    expect(events.streams.map((stream) => [stream.url, stream.headers.authorization])).toEqual([
      ['https://sync.test/api/events', 'Bearer token-1'],
    ])
    events.streams[0]?.push('event: ready\ndata: {}\n\n')
    await advance(100)
    expect(client.getSnapshot().isConnected).toBe(true)

    server.write('todos', 'r1', { id: 'r1', title: 'over SSE' })
    await advance(60_000)
    expect(await db.todos.get('r1')).toBeUndefined()
    events.streams[0]?.push(': keepalive\n\nevent: poke\ndata: {"cursor":"v1.1"}\n\n')
    await advance(100)
    expect(await db.todos.get('r1')).toEqual({ id: 'r1', title: 'over SSE' })
  })
})

describe('WsTransport: credentials', () => {
  it('takes fresh credentials when the server closes the socket for an expired token', async () => {
    const { live, client, connector, credentialFetches } = setup({ tokens: ['old', 'new'] })
    await client.connect(connector)
    await advance(100)
    expect(live.open.map((socket) => socket.token)).toEqual(['old'])
    const fetchesBefore = credentialFetches()

    live.refuses = (token) => token === 'old'
    live.dropAll(4401)
    await advance(100)
    expect(credentialFetches()).toBe(fetchesBefore + 1)
    expect(live.open.map((socket) => socket.token)).toEqual(['new'])
  })

  it('re-authenticates the open socket when the session hands it a refreshed token', async () => {
    const { server, live, db, client, connector } = setup({ tokens: ['first', 'second'] })
    await client.connect(connector)
    await advance(100)
    // The server refuses the first token from now on: the push answers 401, the session refreshes.
    server.requireToken('second')
    await db.todos.add({ id: 'a', title: 'milk' })
    await advance(100)
    expect(server.get('todos', 'a')?.data).toEqual({ id: 'a', title: 'milk' })
    expect(live.open).toHaveLength(1)
    expect(live.open[0]?.token).toBe('second')
  })
})

describe('WsTransport: hidden pages', () => {
  function visibility() {
    let visible = true
    const listeners = new Set<(visible: boolean) => void>()
    return {
      env: {
        isVisible: () => visible,
        onVisibilityChange(listener: (visible: boolean) => void) {
          listeners.add(listener)
          return () => listeners.delete(listener)
        },
      },
      set(value: boolean) {
        visible = value
        for (const listener of listeners) listener(value)
      },
    }
  }

  it('closes the socket after the page is hidden for hiddenPauseMs and reopens it, pulling, when shown', async () => {
    const page = visibility()
    const { server, live, db, client, connector } = setup({
      env: page.env,
      transport: { hiddenPauseMs: 60_000 },
    })
    await client.connect(connector)
    await advance(100)
    page.set(false)
    await advance(59_000)
    expect(live.open).toHaveLength(1)
    await advance(2_000) // and one second for another tab to say it is shown
    expect(live.open).toHaveLength(0)
    expect(live.sockets[0]?.closedByClient?.code).toBe(1000)
    await advance(600_000)
    expect(live.sockets).toHaveLength(1) // no reconnecting, no polling while paused

    server.write('todos', 'r1', { id: 'r1', title: 'while hidden' })
    page.set(true)
    await advance(100)
    expect(live.open).toHaveLength(1)
    expect(await db.todos.get('r1')).toEqual({ id: 'r1', title: 'while hidden' })
  })

  it('opens the socket when connecting in a hidden page, and pauses it after hiddenPauseMs', async () => {
    const page = visibility()
    page.set(false)
    const { live, client, connector } = setup({ env: page.env, transport: { hiddenPauseMs: 60_000 } })
    await client.connect(connector)
    await advance(100)
    expect(live.open).toHaveLength(1)
    await advance(62_000)
    expect(live.open).toHaveLength(0)
  })

  it('keeps the socket when the page is shown again before the pause', async () => {
    const page = visibility()
    const { live, client, connector } = setup({ env: page.env, transport: { hiddenPauseMs: 60_000 } })
    await client.connect(connector)
    await advance(100)
    page.set(false)
    await advance(30_000)
    page.set(true)
    await advance(60_000)
    expect(live.open).toHaveLength(1)
    expect(live.sockets).toHaveLength(1)
  })
})

describe('WsTransport: session lifecycle', () => {
  it('closes the socket on disconnect() and opens none while disconnected', async () => {
    const { live, client, connector } = setup()
    await client.connect(connector)
    await advance(100)
    await client.disconnect()
    expect(live.open).toHaveLength(0)
    live.poke()
    await advance(60_000)
    expect(live.sockets).toHaveLength(1)
  })

  it('refuses a non-positive fallbackPollMs with a ConfigError', () => {
    expect(() => new WsTransport({ fallbackPollMs: 0 })).toThrow(/fallbackPollMs must be a positive/)
  })
})

describe('WsTransport: tabs', () => {
  it('opens one socket for all tabs, in the leader; the next leader opens its own', async () => {
    const server = new FakeSyncServer()
    const live = new FakeLiveServer(server)
    const hub = new FakeBroadcastHub()
    const locks = new FakeLockManager()
    const name = `live-tabs-${nanoid()}`
    const tabs = [0, 1, 2].map(() => {
      const env = createTabEnvironment(hub, locks, { fetch: server.fetch, webSocket: live.webSocket })
      const db = createTodoDb(name)
      const transport = new WsTransport({ env })
      const client = trackClient(
        createSyncClient(db, { tables: { todos: true }, env, transport, ...QUICK_OPTIONS }),
      )
      return { env, db, client }
    })
    for (const tab of tabs) await tab.client.connect({ fetchCredentials: credentials() })
    await advance(500)
    expect(live.open).toHaveLength(1)

    // A poke to the leader's socket reaches every tab through the shared database.
    server.write('todos', 'r1', { id: 'r1', title: 'from another device' })
    live.poke()
    await advance(500)
    for (const tab of tabs) expect(await tab.db.todos.get('r1')).toBeDefined()

    const leader = tabs.find((tab) => tab.client.getSnapshot().isLeader)!
    await leader.client.close()
    await advance(2_000)
    expect(live.open).toHaveLength(1)
    expect(live.sockets).toHaveLength(2)
  })
})

describe('WsTransport: hidden tabs', () => {
  it('keeps the socket while another tab shows its page, and pauses once every tab is hidden', async () => {
    const server = new FakeSyncServer()
    const live = new FakeLiveServer(server)
    const hub = new FakeBroadcastHub()
    const locks = new FakeLockManager()
    const name = `live-hidden-${nanoid()}`
    const tabs = [0, 1].map(() => {
      let visible = true
      const listeners = new Set<(visible: boolean) => void>()
      const env = createTabEnvironment(hub, locks, {
        fetch: server.fetch,
        webSocket: live.webSocket,
        isVisible: () => visible,
        onVisibilityChange(listener) {
          listeners.add(listener)
          return () => listeners.delete(listener)
        },
      })
      const db = createTodoDb(name)
      const transport = new WsTransport({ env, hiddenPauseMs: 60_000 })
      const client = trackClient(
        createSyncClient(db, { tables: { todos: true }, env, transport, ...QUICK_OPTIONS }),
      )
      const show = (value: boolean) => {
        visible = value
        for (const listener of listeners) listener(value)
      }
      return { client, show }
    })
    for (const tab of tabs) await tab.client.connect({ fetchCredentials: credentials() })
    await advance(500)
    const leader = tabs.find((tab) => tab.client.getSnapshot().isLeader)!
    const follower = tabs.find((tab) => tab !== leader)!

    leader.show(false)
    await advance(180_000)
    expect(live.open).toHaveLength(1)

    follower.show(false)
    await advance(62_000)
    expect(live.open).toHaveLength(0)

    follower.show(true)
    await advance(500)
    expect(live.open).toHaveLength(1)
  })
})
