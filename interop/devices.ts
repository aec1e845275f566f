import {
  type ConflictStrategy,
  createEnvironment,
  createSyncClient,
  HttpTransport,
  type SyncClient,
  type SyncEvent,
} from '@driftless/core'
import { expect } from 'vitest'
import { createTodoDb, type TodoRow } from '../packages/core/src/test/engineHarness.js'
import type { ManualClock, TestServer } from './servers.js'

export interface Device {
  readonly client: SyncClient
  readonly db: ReturnType<typeof createTodoDb>
  readonly events: SyncEvent[]
  /** Takes the device off the network (its writes wait in the outbox) or back on (it syncs at once). */
  setOnline(online: boolean): void
}

const quietLogger = { warn: () => {}, error: () => {} }
const open: Device[] = []

/** A device of `user` whose clock is `skewMs` off the test clock; rounds run only when a test calls sync(). */
export async function connectDevice(
  server: TestServer,
  clock: ManualClock,
  options: { skewMs?: number; strategy?: ConflictStrategy; user?: string } = {},
): Promise<Device> {
  let online = true
  const listeners = new Set<(online: boolean) => void>()
  const env = createEnvironment({
    now: () => clock.now() + (options.skewMs ?? 0),
    locks: undefined,
    broadcastChannel: () => undefined,
    onOnlineChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    isOnline: () => online,
    logger: quietLogger,
  })
  const db = createTodoDb()
  const client = createSyncClient(db, {
    tables: { todos: true },
    env,
    transport: new HttpTransport({ env, timeoutMs: 10_000 }),
    autoSync: false,
    strategy: options.strategy ?? 'lww',
  })
  const events: SyncEvent[] = []
  client.onSync((event) => events.push(event))
  const token = await server.token(options.user ?? 'alice')
  await client.connect({ fetchCredentials: async () => ({ endpoint: server.url, token }) })
  const setOnline = (value: boolean) => {
    online = value
    for (const listener of listeners) listener(value)
  }
  const device = { client, db, events, setOnline }
  open.push(device)
  return device
}

export async function closeDevices(): Promise<void> {
  for (const { client, db } of open.splice(0)) {
    await client.close()
    db.close()
  }
}

/** Every device runs a round, twice, so what one uploads the others pull. */
export async function syncAll(devices: readonly Device[]): Promise<void> {
  for (let pass = 0; pass < 2; pass++) for (const { client } of devices) await client.sync()
}

/** Every device and the server hold the same rows, and nothing is left to upload. */
export async function expectConverged(server: TestServer, devices: readonly Device[]): Promise<TodoRow[]> {
  const rows = (await server.rows()) as unknown as TodoRow[]
  for (const { client, db } of devices) {
    expect(await client.listChanges()).toEqual([])
    expect(await db.todos.orderBy('id').toArray()).toEqual(rows)
  }
  return rows
}
