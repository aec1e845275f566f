import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { FetchLike } from '../shared/env.js'
import type { SyncEvent } from '../shared/events.js'
import { useEngineTimers } from '../test/engineHarness.js'
import { FakeSyncServer } from '../test/fakeServer.js'
import { closeClients, connector, createDevice, json, storedCursor } from '../test/syncSetup.js'

beforeEach(() => useEngineTimers())
afterEach(async () => {
  await closeClients()
  vi.useRealTimers()
})

const T = Date.UTC(2026, 10, 22, 12)

/**
 * A backend whose data can be replaced by another's, as after a restore or a reset. Its cursors name the
 * data they were issued by (`<epoch>.<cursor>`), as the reference server's name its database, so a cursor
 * issued before is answered `410 Gone` `{ "error": "cursor-unknown" }` from then on.
 */
function resettableBackend(first: FakeSyncServer) {
  let current = first
  let epoch = 1
  const fetch: FetchLike = async (url, init) => {
    if (!url.endsWith('/pull')) return current.fetch(url, init)
    const request = JSON.parse(String(init.body)) as { cursor: string | null }
    const [issuedIn, cursor] = request.cursor === null ? [epoch, null] : request.cursor.split('.')
    if (Number(issuedIn) !== epoch) {
      return json({ error: 'cursor-unknown', message: 'This cursor was not issued by this server.' }, 410)
    }
    const response = await current.fetch(url, { ...init, body: JSON.stringify({ ...request, cursor }) })
    const answer = (await response.json()) as { cursor: string | null }
    return json(
      { ...answer, cursor: answer.cursor === null ? null : `${epoch}.${answer.cursor}` },
      response.status,
    )
  }
  return {
    fetch,
    reset(next: FakeSyncServer) {
      current = next
      epoch++
    },
  }
}

describe('a server that no longer knows our cursor', () => {
  it('starts the local copy over from the server, keeps pending edits, and says so', async () => {
    const before = new FakeSyncServer()
    before.write('todos', 't0', { id: 't0', title: 'only the old data had it' }, T + 5_000)
    before.write('todos', 't1', { id: 't1', title: 'old one' }, T + 5_000)
    before.write('todos', 't2', { id: 't2', title: 'old two' }, T + 5_000)
    const backend = resettableBackend(before)
    const { client, db, events } = createDevice(before, { fetch: backend.fetch })
    await client.connect(connector)
    await client.sync()
    expect(await storedCursor(client)).toBe('1.3')

    // The server's data is restored from an older backup: other rows, older timestamps than we saw.
    const after = new FakeSyncServer()
    after.write('todos', 't2', { id: 't2', title: 'restored two' }, T + 1_000)
    after.write('todos', 't3', { id: 't3', title: 'restored three' }, T + 1_000)
    backend.reset(after)
    await client.disconnect()
    await db.todos.put({ id: 't1', title: 'edited while it was down' })
    await client.connect(connector)
    await client.sync()

    expect(events.filter((event) => event.phase === 'reset')).toMatchObject([{ reason: 'cursor-unknown' }])
    expect(await db.todos.orderBy('id').toArray()).toEqual([
      { id: 't1', title: 'edited while it was down' },
      { id: 't2', title: 'restored two' },
      { id: 't3', title: 'restored three' },
    ])
    expect(after.get('todos', 't1')?.data).toEqual({ id: 't1', title: 'edited while it was down' })
    expect(after.get('todos', 't0')).toBeUndefined()
    expect(await storedCursor(client)).toBe('2.3')
    expect(client.getSnapshot()).toMatchObject({ hasSynced: true, downloadError: null, pendingChanges: 0 })
  })

  it('does not loop when the server refuses even a pull from the start', async () => {
    const server = new FakeSyncServer()
    const refusing: FetchLike = async (url, init) =>
      url.endsWith('/pull') ? json({ error: 'cursor-unknown' }, 410) : server.fetch(url, init)
    const { client, events } = createDevice(server, { fetch: refusing })
    await client.connect(connector)
    await client.sync().catch(() => {})
    expect(events.some((event: SyncEvent) => event.phase === 'reset')).toBe(false)
    expect(client.getSnapshot().downloadError).toMatch(/410/)
  })
})
