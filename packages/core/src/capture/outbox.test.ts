import Dexie, { type EntityTable } from 'dexie'
import { afterEach, describe, expect, it } from 'vitest'
import { attachOutbox } from './capture.js'
import { getSyncStats, OUTBOX_TABLE, type Outbox } from './outbox.js'

interface Todo {
  id: string
  title: string
}

type TestDb = Dexie & { todos: EntityTable<Todo, 'id'> }

let opened: Dexie[] = []
let counter = 0

function openDb(name = `outbox-${++counter}`): { db: TestDb; outbox: Outbox } {
  const db = new Dexie(name) as TestDb
  db.version(1).stores({ todos: 'id' })
  const outbox = attachOutbox(db, { tables: { todos: true } })
  opened.push(db)
  return { db, outbox }
}

async function write(db: TestDb, ...ids: string[]): Promise<void> {
  for (const id of ids) await db.todos.put({ id, title: id })
}

const ids = (entries: readonly { recordId: string }[]) => entries.map((e) => e.recordId)

function close(db: Dexie): void {
  db.close()
  opened = opened.filter((d) => d !== db)
}

afterEach(async () => {
  for (const db of opened) await db.delete()
  opened = []
})

describe('taking entries', () => {
  it('takeBatch marks the oldest pending entries syncing and returns them in order', async () => {
    const { db, outbox } = openDb()
    await write(db, 'a', 'b', 'c')
    const batch = await outbox.takeBatch(2)
    expect(ids(batch)).toEqual(['a', 'b'])
    expect(batch.every((e) => e.status === 'syncing')).toBe(true)
    expect(await outbox.stats()).toEqual({ total: 3, pending: 1, syncing: 2, failed: 0 })
    expect(ids(await outbox.takeBatch(10))).toEqual(['c'])
    expect(await outbox.takeBatch(10)).toEqual([])
  })

  it('skips failed entries so a poison change never blocks the queue', async () => {
    const { db, outbox } = openDb()
    await write(db, 'poison', 'next')
    const [poison] = await outbox.takeBatch(1)
    expect(await outbox.recordError(poison!.id, 'server said no', 1)).toBe('failed')
    expect(ids(await outbox.takeBatch(10))).toEqual(['next'])
  })

  it('getCrudBatch returns a batch with haveMore, and null when nothing is pending', async () => {
    const { db, outbox } = openDb()
    expect(await outbox.getCrudBatch()).toBeNull()
    await write(db, 'a', 'b', 'c')
    const first = await outbox.getCrudBatch(2)
    expect(ids(first!.crud)).toEqual(['a', 'b'])
    expect(first!.haveMore).toBe(true)
    await first!.complete()
    const second = await outbox.getCrudBatch(2)
    expect(ids(second!.crud)).toEqual(['c'])
    expect(second!.haveMore).toBe(false)
    await second!.complete()
    expect(await outbox.getCrudBatch()).toBeNull()
    expect(await outbox.stats()).toEqual({ total: 0, pending: 0, syncing: 0, failed: 0 })
  })

  it('getNextCrudTransaction returns the pending entries of the oldest local transaction', async () => {
    const { db, outbox } = openDb()
    await db.transaction('rw', db.todos, async () => {
      await write(db, 'a', 'b')
    })
    await write(db, 'c')
    const tx = await outbox.getNextCrudTransaction()
    expect(ids(tx!.crud)).toEqual(['a', 'b'])
    expect(tx!.transactionId).toBe(tx!.crud[0]!.txId)
    expect(tx!.crud.every((e) => e.status === 'syncing')).toBe(true)
    await tx!.complete()
    const next = await outbox.getNextCrudTransaction()
    expect(ids(next!.crud)).toEqual(['c'])
    await next!.complete()
    expect(await outbox.getNextCrudTransaction()).toBeNull()
  })

  it('complete() removes exactly the entries it was given, even when new writes arrived meanwhile', async () => {
    const { db, outbox } = openDb()
    await write(db, 'a', 'b')
    const batch = await outbox.getCrudBatch(10)
    await Promise.all([write(db, 'a', 'c'), batch!.complete()])
    const left = await outbox.list()
    expect(left.map((e) => `${e.type} ${e.recordId}`)).toEqual(['update a', 'create c'])
    expect(left.every((e) => e.status === 'pending')).toBe(true)
  })

  it('complete(ids) deletes exactly those change ids', async () => {
    const { db, outbox } = openDb()
    await write(db, 'a', 'b', 'c')
    const [a, , c] = await outbox.list()
    expect(await outbox.complete([a!.id, c!.id, 'unknown'])).toBe(2)
    expect(ids(await outbox.list())).toEqual(['b'])
  })

  it('completeTaken() deletes the taken entries, but not a position that now holds another change', async () => {
    const { db, outbox } = openDb()
    await write(db, 'a', 'b', 'c')
    const [a, b, c] = await outbox.takeBatch(10)
    expect(await outbox.completeTaken([a!, { seq: b!.seq, id: 'another change' }, c!])).toBe(2)
    expect(ids(await outbox.list())).toEqual(['b'])
  })
})

describe('crash recovery and retries', () => {
  it('init() puts entries left syncing by a crash back to pending, in their order', async () => {
    const name = `crash-${++counter}`
    const first = openDb(name)
    await write(first.db, 'a', 'b', 'c')
    await first.outbox.takeBatch(2)
    close(first.db)

    const { outbox } = openDb(name)
    expect(await outbox.init()).toBe(2)
    expect(await outbox.stats()).toEqual({ total: 3, pending: 3, syncing: 0, failed: 0 })
    expect(ids(await outbox.takeBatch(10))).toEqual(['a', 'b', 'c'])
  })

  it('entries an earlier release stored as syncing count as syncing, and init() puts them back to pending', async () => {
    const { db, outbox } = openDb()
    await write(db, 'a', 'b')
    const [a] = await outbox.list()
    await db.table(OUTBOX_TABLE).put({ ...a!, status: 'syncing', attempts: 1 })
    expect(await outbox.stats()).toEqual({ total: 2, pending: 1, syncing: 1, failed: 0 })
    expect(ids(await outbox.takeBatch(10))).toEqual(['b'])
    expect(await outbox.init()).toBe(2)
    expect((await outbox.list()).map((e) => [e.recordId, e.status, e.attempts])).toEqual([
      ['a', 'pending', 1],
      ['b', 'pending', 1],
    ])
  })

  it('release() puts taken entries (all, or some) back to pending', async () => {
    const { db, outbox } = openDb()
    await write(db, 'a', 'b', 'c')
    const [a] = await outbox.takeBatch(3)
    expect(await outbox.release([a!.id])).toBe(1)
    expect(ids(await outbox.list({ status: 'pending' }))).toEqual(['a'])
    expect(await outbox.release()).toBe(2)
    expect(ids(await outbox.list({ status: 'pending' }))).toEqual(['a', 'b', 'c'])
  })

  it('recordError() counts attempts and fails a change once it reaches maxAttempts', async () => {
    const { db, outbox } = openDb()
    await write(db, 'a')
    const [a] = await outbox.takeBatch(1)
    expect(await outbox.recordError(a!.id, 'timeout', 3)).toBe('pending')
    expect(await outbox.recordError(a!.id, 'timeout', 3)).toBe('pending')
    expect(await outbox.recordError(a!.id, 'rejected: title too long', 3)).toBe('failed')
    expect((await outbox.list())[0]).toMatchObject({
      status: 'failed',
      retries: 3,
      errorMessage: 'rejected: title too long',
    })
    expect(await outbox.recordError('gone', 'x', 3)).toBeUndefined()
  })

  it('retryFailed() and discardFailed() act on failed entries only, all or by id', async () => {
    const { db, outbox } = openDb()
    await write(db, 'a', 'b', 'c', 'd')
    const [a, b, c] = await outbox.takeBatch(3)
    for (const entry of [a!, b!, c!]) await outbox.recordError(entry.id, 'no', 1)
    expect(await outbox.retryFailed([a!.id, 'unknown'])).toBe(1)
    expect((await outbox.list({ status: 'pending' }))[0]).toMatchObject({
      recordId: 'a',
      retries: 0,
      errorMessage: null,
    })
    expect(await outbox.discardFailed([b!.id])).toBe(1)
    expect(await outbox.discardFailed()).toBe(1)
    expect(await outbox.retryFailed()).toBe(0)
    expect(ids(await outbox.list())).toEqual(['a', 'd'])
    expect(await db.todos.count()).toBe(4)
  })
})

describe('reading the queue', () => {
  it('front() is the oldest entry that has not failed', async () => {
    const { db, outbox } = openDb()
    expect(await outbox.front()).toBeUndefined()
    await write(db, 'a', 'b', 'c')
    const [a, b] = await outbox.takeBatch(2)
    await outbox.recordError(a!.id, 'no', 1)
    expect((await outbox.front())?.id).toBe(b!.id)
    await outbox.release()
    expect((await outbox.front())?.id).toBe(b!.id)
  })

  it('list() filters by one or several statuses, oldest first', async () => {
    const { db, outbox } = openDb()
    await write(db, 'a', 'b', 'c')
    const [a, b] = await outbox.takeBatch(2)
    await outbox.recordError(a!.id, 'no', 1)
    expect(ids(await outbox.list())).toEqual(['a', 'b', 'c'])
    expect(ids(await outbox.list({ status: 'failed' }))).toEqual(['a'])
    expect(ids(await outbox.list({ status: ['pending', 'failed', 'syncing'] }))).toEqual(['a', 'b', 'c'])
    expect((await outbox.list({ status: ['syncing'] }))[0]?.id).toBe(b!.id)
  })

  it('entriesFor() returns the queued changes of one record', async () => {
    const { db, outbox } = openDb()
    await write(db, 'a', 'b', 'a')
    await db.todos.delete('a')
    expect((await outbox.entriesFor('todos', 'a')).map((e) => e.type)).toEqual(['create', 'update', 'delete'])
    expect(await outbox.entriesFor('lists', 'a')).toEqual([])
  })

  it('getSyncStats() counts by status from the index, for an outbox or a client holding one', async () => {
    const { db, outbox } = openDb()
    await write(db, 'a', 'b', 'c', 'd')
    const [a] = await outbox.takeBatch(2)
    await outbox.recordError(a!.id, 'no', 1)
    const expected = { total: 4, pending: 2, syncing: 1, failed: 1 }
    expect(await getSyncStats(outbox)).toEqual(expected)
    expect(await getSyncStats({ outbox })).toEqual(expected)
  })

  it('counts without reading a single entry', async () => {
    let reads = 0
    const db = new Dexie(`reads-${++counter}`) as TestDb
    opened.push(db)
    db.version(1).stores({ todos: 'id' })
    const outbox = attachOutbox(db, { tables: { todos: true } })
    db.use({
      stack: 'dbcore',
      name: 'CountOutboxReads',
      create: (down) => ({
        ...down,
        table: (name) => {
          const table = down.table(name)
          if (name !== OUTBOX_TABLE) return table
          const counted =
            <A extends unknown[], R>(fn: (...args: A) => R) =>
            (...args: A) => {
              reads++
              return fn(...args)
            }
          return {
            ...table,
            get: counted(table.get),
            getMany: counted(table.getMany),
            query: counted(table.query),
            openCursor: counted(table.openCursor),
          }
        },
      }),
    })
    await write(db, 'a', 'b')
    await outbox.list()
    expect(reads).toBe(1)
    expect(await outbox.stats()).toMatchObject({ total: 2, pending: 2 })
    expect(reads).toBe(1)
  })
})

describe('meta', () => {
  it('stores engine state that survives a reload', async () => {
    const name = `meta-${++counter}`
    const first = openDb(name)
    expect(await first.outbox.getMeta('cursor')).toBeUndefined()
    await first.outbox.setMeta('cursor', { page: 3 })
    close(first.db)
    const { outbox } = openDb(name)
    expect(await outbox.getMeta<{ page: number }>('cursor')).toEqual({ page: 3 })
  })
})
