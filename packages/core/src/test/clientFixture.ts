import type { SyncClient } from '../session/syncClient.js'
import { createSyncClient, type SyncClientOptions } from '../session/syncClient.js'
import type { FetchLike, SyncEnvironment } from '../shared/env.js'
import { HttpTransport } from '../transport/http.js'
import { createTestEnvironment, createTodoDb, type TestEnvironment } from './engineHarness.js'
import { FakeSyncServer } from './fakeServer.js'

/** Clients made by `clientFixture()`, closed by `closeClients()` in afterEach. */
const open: SyncClient[] = []

/** Registers a client made elsewhere, so `closeClients()` closes it too. */
export function trackClient<T extends SyncClient>(client: T): T {
  open.push(client)
  return client
}

export async function closeClients(): Promise<void> {
  for (const client of open.splice(0)) await client.close()
}

/** Quick rounds for tests: no debounce, no throttle, no interval, 1 s first retry delay. */
export const QUICK_OPTIONS = {
  autoSync: { intervalMs: 0, debounceMs: 0 },
  uploadThrottleMs: 0,
  retryDelayMs: 1_000,
  maxRetryDelayMs: 8_000,
} as const

/** A fetch that holds every request until `open()`; `waiting` counts the held ones. */
export function gatedFetch(inner: FetchLike) {
  let gate: Promise<void> | null = null
  let release: (() => void) | null = null
  const gated = {
    waiting: 0,
    close() {
      gate = new Promise<void>((resolve) => {
        release = resolve
      })
    },
    open() {
      release?.()
      gate = null
    },
    fetch: (async (input, init) => {
      if (gate) {
        gated.waiting++
        await gate
        gated.waiting--
      }
      return inner(input, init)
    }) as FetchLike,
  }
  return gated
}

export interface FixtureOptions extends Partial<Omit<SyncClientOptions, 'env'>> {
  server?: FakeSyncServer
  env?: Partial<SyncEnvironment>
  dbName?: string
  /** Gives the client an HttpTransport over the test network with this timeout. */
  timeoutMs?: number
}

/** A client over a fresh `todos` database, talking to a FakeSyncServer, with quick options. */
export function clientFixture(options: FixtureOptions = {}) {
  const { server: given, env: overrides, dbName, timeoutMs, ...rest } = options
  const server = given ?? new FakeSyncServer({ now: () => Date.now() })
  const env: TestEnvironment = createTestEnvironment(server, overrides)
  const db = createTodoDb(dbName)
  const transport = timeoutMs === undefined ? undefined : new HttpTransport({ env, timeoutMs })
  const client = createSyncClient(db, {
    tables: { todos: true },
    env,
    ...QUICK_OPTIONS,
    ...(transport ? { transport } : {}),
    ...rest,
  })
  open.push(client)
  const pushes = () => server.requests.filter((request) => request.path.endsWith('/push'))
  return { server, env, db, client, pushes }
}
