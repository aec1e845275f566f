import { META_TABLE } from '../capture/outbox.js'
import type { SyncClient } from '../session/syncClient.js'
import { createSyncClient, type SyncClientOptions } from '../session/syncClient.js'
import type { FetchLike, StorageManagerLike } from '../shared/env.js'
import type { SyncEvent } from '../shared/events.js'
import { CURSOR_KEY } from '../sync/pullLoop.js'
import { trackClient } from './clientFixture.js'
import { createTestEnvironment, createTodoDb, credentials, type TestNetwork } from './engineHarness.js'

/** Runs before a pull request reaches the server; returning a Response answers it instead. */
export type PullHook = (pull: number, body: unknown) => Promise<Response | undefined> | Response | undefined

/** The server's fetch, with a hook on every pull request (counted from 1). */
export function interceptPulls(server: TestNetwork, hook: PullHook): FetchLike {
  let pulls = 0
  return async (url, init) => {
    if (new URL(url).pathname.endsWith('/pull')) {
      const answer = await hook(++pulls, JSON.parse(String(init.body)))
      if (answer) return answer
    }
    return server.fetch(url, init)
  }
}

export interface Device {
  client: SyncClient
  db: ReturnType<typeof createTodoDb>
  env: ReturnType<typeof createTestEnvironment>
  events: SyncEvent[]
}

/** One device (its own database) against `server`, autoSync off so tests decide when rounds run. */
export function createDevice(
  server: TestNetwork,
  options: Partial<SyncClientOptions> & {
    fetch?: FetchLike
    now?: () => number
    dbName?: string
    /** `navigator.storage` as this device's browser has it. */
    storage?: StorageManagerLike
    /** A database made by the test (e.g. with its own middleware), instead of a fresh one. */
    db?: ReturnType<typeof createTodoDb>
  } = {},
): Device {
  const { fetch, now, dbName, storage, db: given, ...clientOptions } = options
  const env = createTestEnvironment(server, {
    ...(fetch ? { fetch } : {}),
    ...(now ? { now } : {}),
    ...(storage ? { storage } : {}),
  })
  const db = given ?? createTodoDb(dbName)
  const client = trackClient(
    createSyncClient(db, { tables: { todos: true }, env, autoSync: false, ...clientOptions }),
  )
  const events: SyncEvent[] = []
  client.onSync((event) => events.push(event))
  return { client, db, env, events }
}

export const connector = { fetchCredentials: credentials() }

/** Close every device (and fixture client) made by the test; for afterEach. */
export { closeClients } from './clientFixture.js'

/** The pull cursor as stored in the meta table. */
export async function storedCursor(client: SyncClient): Promise<unknown> {
  return (await client.db.table(META_TABLE).get(CURSOR_KEY))?.value
}

/** Resolves with the error a promise rejects with; fails if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  )
  if (!(outcome instanceof Error)) throw new Error('expected the promise to reject')
  return outcome
}

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
}
