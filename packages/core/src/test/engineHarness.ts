import Dexie, { type DBCoreMutateRequest, type DBCoreMutateResponse } from 'dexie'
import { nanoid } from 'nanoid'
import { vi } from 'vitest'
import { createEnvironment, type FetchLike, type Logger, type SyncEnvironment } from '../shared/env.js'

/** Lets fake-indexeddb (which schedules with the real setImmediate) finish what is queued. */
export async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}

/** Fake timers for the engine, real scheduling for IndexedDB. Call in beforeEach. */
export function useEngineTimers(start = Date.UTC(2026, 10, 22, 12)): void {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    now: start,
  })
}

/** Advances fake time in steps, letting IndexedDB work settle between them. */
export async function advance(ms: number, step = 50): Promise<void> {
  await settle()
  for (let elapsed = 0; elapsed < ms; elapsed += step) {
    await vi.advanceTimersByTimeAsync(Math.min(step, ms - elapsed))
    await settle()
  }
}

export interface LoggedMessage {
  level: 'warn' | 'error'
  message: string
  details: unknown[]
}

export interface TestEnvironment extends SyncEnvironment {
  readonly logged: LoggedMessage[]
  goOffline(): void
  goOnline(): void
}

/** Any test backend that answers fetch-style requests (the fake server, the seed server). */
export interface TestNetwork {
  readonly fetch: FetchLike
}

/** One tab, no Web Locks (it leads alone), the test server as its network. */
export function createTestEnvironment(
  server: TestNetwork,
  overrides: Partial<SyncEnvironment> = {},
): TestEnvironment {
  const logged: LoggedMessage[] = []
  const listeners = new Set<(online: boolean) => void>()
  let online = true
  const logger: Logger = {
    warn: (message, ...details) => logged.push({ level: 'warn', message, details }),
    error: (message, ...details) => logged.push({ level: 'error', message, details }),
  }
  const env = createEnvironment({
    fetch: server.fetch,
    random: () => 0.5,
    isOnline: () => online,
    onOnlineChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    broadcastChannel: () => undefined,
    locks: undefined,
    logger,
    ...overrides,
  })
  const set = (value: boolean) => {
    online = value
    for (const listener of listeners) listener(value)
  }
  return { ...env, logged, goOffline: () => set(false), goOnline: () => set(true) }
}

export interface TodoRow {
  id: string
  title: string
  done?: boolean
}

/** A fresh database with a synced `todos` table and an unsynced `drafts` table. */
export function createTodoDb(
  name = `driftless-test-${nanoid()}`,
): Dexie & { todos: Dexie.Table<TodoRow, string> } {
  const db = new Dexie(name) as Dexie & { todos: Dexie.Table<TodoRow, string> }
  db.version(1).stores({ todos: 'id, title', drafts: 'id' })
  return db
}

export const credentials =
  (token = 'token-1') =>
  async () => ({ endpoint: 'https://sync.test', token })

/**
 * Runs `around` in place of every write to the table `name` as it reaches IndexedDB (Dexie's DBCore, below
 * its API and the engine's capture); `around` calls `write()` to let it through.
 */
export function aroundWrites(
  db: Dexie,
  name: string,
  around: (
    request: DBCoreMutateRequest,
    write: () => Promise<DBCoreMutateResponse>,
  ) => Promise<DBCoreMutateResponse>,
): void {
  db.use({
    stack: 'dbcore',
    name: `around-writes-${name}`,
    create: (down) => ({
      ...down,
      table: (tableName) => {
        const table = down.table(tableName)
        if (tableName !== name) return table
        return { ...table, mutate: (request) => around(request, () => table.mutate(request)) }
      },
    }),
  })
}
