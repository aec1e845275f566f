import type Dexie from 'dexie'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { StorageManagerLike } from '../shared/env.js'
import { isStorageFullError, StorageFullError } from '../shared/errors.js'
import { createTodoDb, useEngineTimers } from '../test/engineHarness.js'
import { FakeSyncServer } from '../test/fakeServer.js'
import { closeClients, connector, createDevice } from '../test/syncSetup.js'

beforeEach(() => useEngineTimers())
afterEach(async () => {
  await closeClients()
  vi.useRealTimers()
})

/** `navigator.storage` as a browser that grants persistence when asked. */
function fakeStorage(usage = 2_000_000, quota = 500_000_000) {
  let persisted = false
  const storage = {
    persist: vi.fn(async () => {
      persisted = true
      return true
    }),
    persisted: vi.fn(async () => persisted),
    estimate: vi.fn(async () => ({ usage, quota })),
  } satisfies StorageManagerLike
  return storage
}

describe('persistent storage', () => {
  it('reports the estimate at once and asks for persistence only after a local write has synced', async () => {
    const storage = fakeStorage()
    const { client, db } = createDevice(new FakeSyncServer(), { storage })
    await vi.waitFor(() =>
      expect(client.getSnapshot().storage).toEqual({
        persisted: false,
        usage: 2_000_000,
        quota: 500_000_000,
        full: false,
      }),
    )
    await client.connect(connector)
    await client.sync()
    expect(storage.persist).not.toHaveBeenCalled()

    await db.todos.add({ id: 't1', title: 'first' })
    await client.sync()
    await vi.waitFor(() => expect(client.getSnapshot().storage.persisted).toBe(true))
    expect(storage.persist).toHaveBeenCalledTimes(1)

    await db.todos.add({ id: 't2', title: 'second' })
    await client.sync()
    expect(storage.persist).toHaveBeenCalledTimes(1)
  })

  it('never asks when the app turns it off, and still reports the estimate', async () => {
    const storage = fakeStorage()
    const { client, db } = createDevice(new FakeSyncServer(), { persistStorage: false, storage })
    await client.connect(connector)
    await db.todos.add({ id: 't1', title: 'first' })
    await client.sync()
    await vi.waitFor(() => expect(client.getSnapshot().storage.usage).toBe(2_000_000))
    expect(storage.persist).not.toHaveBeenCalled()
    expect(client.getSnapshot().storage.persisted).toBe(false)
  })

  it('leaves the storage unknown where the browser has no navigator.storage', async () => {
    const { client, db } = createDevice(new FakeSyncServer())
    await client.connect(connector)
    await db.todos.add({ id: 't1', title: 'first' })
    await client.sync()
    expect(client.getSnapshot().storage).toEqual({ persisted: false, usage: null, quota: null, full: false })
  })
})

/**
 * IndexedDB refusing writes to `todos` for lack of space while `full` is set, as a browser at its quota: the
 * request fails and the transaction aborts with it.
 */
function quotaAtIndexedDb(db: Dexie) {
  const state = { full: false }
  db.use({
    stack: 'dbcore',
    name: 'test-quota',
    level: 0,
    create(down) {
      return {
        ...down,
        table(name) {
          const table = down.table(name)
          return {
            ...table,
            mutate: (req) => {
              if (!state.full || name !== 'todos') return table.mutate(req)
              const error = new DOMException('The quota has been exceeded.', 'QuotaExceededError')
              ;(req.trans as unknown as IDBTransaction).abort()
              return Promise.reject(error)
            },
          }
        },
      }
    },
  })
  return state
}

/**
 * IndexedDB refusing, while `full` is set, the commit of every transaction that writes `store`, as
 * Chromium does at its quota: each request succeeds, then the transaction aborts with QuotaExceededError.
 */
function quotaAtCommit(store: string) {
  const state = { full: false }
  const refuse = (write: (...args: never[]) => IDBRequest) =>
    function (this: IDBObjectStore, ...args: never[]): IDBRequest {
      const request = write.apply(this, args)
      if (state.full && this.name === store) {
        const transaction = this.transaction
        request.addEventListener('success', () => {
          const error = new DOMException('The quota has been exceeded.', 'QuotaExceededError')
          Object.defineProperty(transaction, 'error', { get: () => error, configurable: true })
          transaction.abort()
        })
      }
      return request
    }
  const { put, add } = IDBObjectStore.prototype
  IDBObjectStore.prototype.put = refuse(put)
  IDBObjectStore.prototype.add = refuse(add)
  return Object.assign(state, {
    restore() {
      IDBObjectStore.prototype.put = put
      IDBObjectStore.prototype.add = add
    },
  })
}

describe('storage full', () => {
  it.each([
    ['after its outbox entry is written', '_driftless_outbox'],
    ['while its outbox entry is being written', 'todos'],
  ])(
    'a write the browser refuses at commit (%s) rejects with an error isStorageFullError knows, and loses nothing',
    async (_, store) => {
      const quota = quotaAtCommit(store)
      try {
        const db = createTodoDb()
        const { client } = createDevice(new FakeSyncServer(), { db })
        await db.todos.add({ id: 't1', title: 'saved before' })
        const queuedBefore = await client.listChanges()

        quota.full = true
        const refused = await db.todos.add({ id: 't2', title: 'no room' }).catch((error: unknown) => error)
        expect(isStorageFullError(refused)).toBe(true)
        expect(isStorageFullError(new Error('something else'))).toBe(false)
        expect(client.getSnapshot().storage.full).toBe(true)
        quota.full = false
        expect(await db.todos.toArray()).toEqual([{ id: 't1', title: 'saved before' }])
        expect(await client.listChanges()).toEqual(queuedBefore)

        await db.todos.add({ id: 't3', title: 'room again' })
        await vi.waitFor(() => expect(client.getSnapshot().storage.full).toBe(false))
        expect((await client.listChanges()).map((change) => change.recordId)).toEqual(['t1', 't3'])
      } finally {
        quota.restore()
      }
    },
  )

  it('refuses the write with StorageFullError, loses nothing stored or queued, and says storage is full', async () => {
    const db = createTodoDb()
    const quota = quotaAtIndexedDb(db)
    const { client } = createDevice(new FakeSyncServer(), { db })
    await db.todos.add({ id: 't1', title: 'saved before' })
    const queuedBefore = await client.listChanges()

    quota.full = true
    const refused = await db.todos.add({ id: 't2', title: 'no room' }).catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(StorageFullError)
    expect(refused).toMatchObject({
      code: 'STORAGE_FULL',
      message: expect.stringMatching(/storage .* is full/),
    })
    expect(client.getSnapshot().storage.full).toBe(true)
    expect(await db.todos.toArray()).toEqual([{ id: 't1', title: 'saved before' }])
    expect(await client.listChanges()).toEqual(queuedBefore)

    quota.full = false
    await db.todos.add({ id: 't3', title: 'room again' })
    await vi.waitFor(() => expect(client.getSnapshot().storage.full).toBe(false))
    expect((await client.listChanges()).map((change) => change.recordId)).toEqual(['t1', 't3'])
  })

  it("keeps saying storage is full through the engine's own writes, until the app's next write is stored", async () => {
    const db = createTodoDb()
    const quota = quotaAtIndexedDb(db)
    const { client } = createDevice(new FakeSyncServer(), { db })
    await client.connect(connector)
    quota.full = true
    await db.todos.add({ id: 't1', title: 'no room' }).catch(() => {})
    expect(client.getSnapshot().storage.full).toBe(true)

    // A round writes the engine's own state (clock, last sync): that says nothing about the refused write.
    await client.sync()
    expect(client.getSnapshot().storage.full).toBe(true)

    quota.full = false
    await db.todos.add({ id: 't2', title: 'room again' })
    await vi.waitFor(() => expect(client.getSnapshot().storage.full).toBe(false))
  })
})
