import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { TransferProgress } from '../shared/progress.js'
import type { SyncStatus } from '../shared/status.js'
import { aroundWrites, createTodoDb, useEngineTimers } from '../test/engineHarness.js'
import { FakeSyncServer } from '../test/fakeServer.js'
import {
  closeClients,
  connector,
  createDevice,
  interceptPulls,
  rejection,
  storedCursor,
} from '../test/syncSetup.js'

beforeEach(() => useEngineTimers())
afterEach(async () => {
  await closeClients()
  vi.useRealTimers()
})

function seed(server: FakeSyncServer, count: number): void {
  for (let i = 1; i <= count; i++) server.write('todos', `t${i}`, { id: `t${i}`, title: `todo ${i}` })
}

/** Every status the client published, from now on. */
function record(client: { subscribe(listener: (status: SyncStatus) => void): () => void }): SyncStatus[] {
  const seen: SyncStatus[] = []
  client.subscribe((status) => seen.push(status))
  return seen
}

/** The distinct values a progress field took, in order. */
function steps(
  seen: SyncStatus[],
  field: 'downloadProgress' | 'uploadProgress',
): (TransferProgress | null)[] {
  const values: (TransferProgress | null)[] = []
  for (const status of seen) {
    const value = status[field]
    const last = values.at(-1)
    if (values.length === 0 || JSON.stringify(last) !== JSON.stringify(value)) values.push(value)
  }
  return values
}

describe('catch-up progress', () => {
  it('counts the changes received out of the total the server announces, page by page, and clears at the end', async () => {
    const server = new FakeSyncServer({ countRemaining: true })
    seed(server, 5)
    const { client } = createDevice(server, { pullBatchSize: 2 })
    const seen = record(client)
    await client.connect(connector)
    await client.sync()
    expect(steps(seen, 'downloadProgress')).toEqual([
      null,
      { done: 2, total: 5 },
      { done: 4, total: 5 },
      null,
    ])
  })

  it('has no total when the server does not say how much remains', async () => {
    const server = new FakeSyncServer()
    seed(server, 5)
    const { client } = createDevice(server, { pullBatchSize: 2 })
    const seen = record(client)
    await client.connect(connector)
    await client.sync()
    expect(steps(seen, 'downloadProgress')).toEqual([
      null,
      { done: 2, total: null },
      { done: 4, total: null },
      null,
    ])
  })

  it('shows no progress for a pull that fits in one page', async () => {
    const server = new FakeSyncServer({ countRemaining: true })
    seed(server, 3)
    const { client } = createDevice(server, { pullBatchSize: 10 })
    const seen = record(client)
    await client.connect(connector)
    await client.sync()
    expect(seen.every((status) => status.downloadProgress === null)).toBe(true)
    expect(client.getSnapshot().hasSynced).toBe(true)
  })

  it('reports hasSynced only once the last page of the catch-up is applied', async () => {
    const server = new FakeSyncServer({ countRemaining: true })
    seed(server, 5)
    const { client, db } = createDevice(server, { pullBatchSize: 2 })
    const rowsWhenSynced: number[] = []
    client.subscribe((status) => {
      if (status.hasSynced && rowsWhenSynced.length === 0)
        void db.todos.count().then((n) => rowsWhenSynced.push(n))
    })
    const seen = record(client)
    await client.connect(connector)
    await client.sync()
    const firstSynced = seen.findIndex((status) => status.hasSynced)
    expect(seen.slice(0, firstSynced).some((status) => status.downloadProgress?.done === 4)).toBe(true)
    expect(seen[firstSynced]?.downloadProgress).toBeNull()
    await vi.waitFor(() => expect(rowsWhenSynced).toEqual([5]))
  })

  it('an interrupted catch-up is not synced, clears its progress, and resumes from the last applied page', async () => {
    const server = new FakeSyncServer({ countRemaining: true })
    seed(server, 5)
    let failing = true
    const fetch = interceptPulls(server, (pull) => {
      if (failing && pull >= 3) throw new TypeError('fetch failed')
      return undefined
    })
    const { client, db } = createDevice(server, { pullBatchSize: 2, fetch })
    await client.connect(connector)
    await client.sync().catch(() => {})
    expect(client.getSnapshot()).toMatchObject({ hasSynced: false, downloadProgress: null })
    expect(await storedCursor(client)).toBe('4')
    expect(await db.todos.count()).toBe(4)

    failing = false
    await client.sync()
    expect(client.getSnapshot()).toMatchObject({ hasSynced: true, downloadProgress: null })
    expect(await db.todos.count()).toBe(5)
  })
})

describe('upload progress', () => {
  it('counts the queued changes that left the queue while it drains, and clears once it is empty', async () => {
    const server = new FakeSyncServer()
    const { client, db } = createDevice(server, { pushBatchSize: 2 })
    for (let i = 1; i <= 5; i++) await db.todos.add({ id: `l${i}`, title: `local ${i}` })
    await vi.waitFor(() => expect(client.getSnapshot().pendingChanges).toBe(5))
    const seen = record(client)
    await client.connect(connector)
    await client.sync()
    expect(steps(seen, 'uploadProgress')).toEqual([
      null,
      { done: 0, total: 5 },
      { done: 2, total: 5 },
      { done: 4, total: 5 },
      { done: 5, total: 5 },
      null,
    ])
  })
})

describe('applying a large page', () => {
  it('applies a page bigger than one transaction in full, keeps a pending edit, and stores the last cursor', async () => {
    const server = new FakeSyncServer({ countRemaining: true })
    seed(server, 1100)
    server.write('todos', 't300', { id: 't300', title: 'renamed on the server' })
    const { client, db } = createDevice(server, { pullBatchSize: 1000 })
    vi.setSystemTime(Date.now() + 60_000)
    await db.todos.put({ id: 't1050', title: 'edited here later' })
    await client.connect(connector)
    await client.sync()
    expect(await db.todos.count()).toBe(1100)
    expect(await db.todos.get('t300')).toEqual({ id: 't300', title: 'renamed on the server' })
    expect(await db.todos.get('t1050')).toEqual({ id: 't1050', title: 'edited here later' })
    expect(server.get('todos', 't1050')?.data).toEqual({ id: 't1050', title: 'edited here later' })
    expect(await storedCursor(client)).toBe('1102')
  })
})

/** Counts the IndexedDB read requests issued from now until `stop()`. */
function countReads(): { stop(): number } {
  const reads = ['get', 'getKey', 'getAll', 'getAllKeys', 'count', 'openCursor', 'openKeyCursor'] as const
  const spies = [IDBObjectStore.prototype, IDBIndex.prototype].flatMap((proto) =>
    reads.map((method) => vi.spyOn(proto, method)),
  )
  return {
    stop() {
      const requests = spies.reduce((sum, spy) => sum + spy.mock.calls.length, 0)
      for (const spy of spies) spy.mockRestore()
      return requests
    },
  }
}

describe('applying a page with nothing queued', () => {
  it('reads a few times per transaction, not once per pulled change', async () => {
    const server = new FakeSyncServer()
    seed(server, 1000)
    const { client, db } = createDevice(server, { pullBatchSize: 1000 })
    await client.connect(connector)
    const reads = countReads()
    await client.sync()
    const requests = reads.stop()
    expect(await db.todos.count()).toBe(1000)
    expect(requests).toBeLessThan(100)
  })
})

describe('a large page cut short', () => {
  it('keeps the part it applied; pulled again, that part is not applied twice over a local edit made since', async () => {
    const server = new FakeSyncServer()
    seed(server, 1300)
    // The database refuses the write that holds t1300 once, as a reload in the middle of the page would end it.
    let refuse = true
    const db = createTodoDb()
    aroundWrites(db, 'todos', (request, write) =>
      refuse && request.type === 'put' && request.values.some((row: { id?: string }) => row.id === 't1300')
        ? Promise.reject(new Error('refused once'))
        : write(),
    )
    const { client } = createDevice(server, { db, pullBatchSize: 2000, strategy: 'server-wins' })
    await client.connect(connector)
    expect((await rejection(client.sync())).message).toMatch(/refused once/)
    const kept = await db.todos.count()
    expect(kept).toBeGreaterThan(0)
    expect(kept).toBeLessThan(1300)
    expect(await storedCursor(client)).toBeUndefined()

    await db.todos.put({ id: 't1', title: 'edited here since' })
    refuse = false
    await client.sync()
    expect(await db.todos.count()).toBe(1300)
    expect(await db.todos.get('t1')).toEqual({ id: 't1', title: 'edited here since' })
    expect(server.get('todos', 't1')?.data).toEqual({ id: 't1', title: 'edited here since' })
    expect(await storedCursor(client)).toBe('1301')
  })
})
