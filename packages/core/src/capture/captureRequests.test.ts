import Dexie, { type EntityTable } from 'dexie'
import { afterEach, describe, expect, it } from 'vitest'
import { attachOutbox } from './capture.js'
import { OUTBOX_TABLE, type Outbox, type OutboxEntry } from './outbox.js'

/**
 * What a captured write asks of IndexedDB. A write costs what its requests cost, and in a browser every
 * request that waits for the answer of another costs a round trip to the storage process.
 */

interface Todo {
  id: string
  title: string
}

type TestDb = Dexie & { todos: EntityTable<Todo, 'id'> }

let opened: Dexie[] = []
let counter = 0

function createDb(): { db: TestDb; outbox: Outbox } {
  const db = new Dexie(`capture-requests-${++counter}`) as TestDb
  db.version(1).stores({ todos: 'id' })
  const outbox = attachOutbox(db, { tables: { todos: true } })
  opened.push(db)
  return { db, outbox }
}

afterEach(async () => {
  for (const db of opened) await db.delete()
  opened = []
})

const METHODS = [
  'get',
  'getAll',
  'getAllKeys',
  'count',
  'openCursor',
  'openKeyCursor',
  'put',
  'add',
  'delete',
] as const
type Method = (typeof METHODS)[number]

/** Logs every request made on an object store (`todos.get`) and each answer (`answer`), in order. */
async function logRequests<T>(run: () => Promise<T>): Promise<{ result: T; log: string[] }> {
  const log: string[] = []
  const proto = IDBObjectStore.prototype as unknown as Record<Method, (...args: unknown[]) => IDBRequest>
  const originals = METHODS.map((method) => [method, proto[method]] as const)
  for (const [method, original] of originals) {
    proto[method] = function (this: IDBObjectStore, ...args: unknown[]) {
      const request = original.apply(this, args)
      log.push(`${this.name === OUTBOX_TABLE ? 'outbox' : this.name}.${method}`)
      const answered = () => log.push('answer')
      request.addEventListener('success', answered)
      request.addEventListener('error', answered)
      return request
    }
  }
  try {
    return { result: await run(), log }
  } finally {
    for (const [method, original] of originals) proto[method] = original
  }
}

/** The requests made before the first answer came back. */
const firstRound = (log: string[]) => log.slice(0, Math.max(0, log.indexOf('answer')))
const count = (log: string[], request: string) => log.filter((line) => line === request).length

const summary = (entries: OutboxEntry[]) =>
  entries.map(({ type, recordId, data, prevData }) => ({ type, recordId, data, prevData }))

const todos = (count: number, prefix = 't', title = 'T') =>
  Array.from({ length: count }, (_, i) => ({
    id: `${prefix}${String(i).padStart(5, '0')}`,
    title: `${title}${i}`,
  }))

describe('the requests of a captured put', () => {
  it('issues the row, its read of the previous row and its outbox entry together, waiting for no answer', async () => {
    const { db, outbox } = createDb()
    await db.open()
    const { log } = await logRequests(() => db.todos.put({ id: 'a', title: 'Milk' }))
    expect(firstRound(log).sort()).toEqual(['outbox.add', 'todos.get', 'todos.put'])
    expect(log.filter((line) => line !== 'answer')).toHaveLength(3)
    expect(summary(await outbox.list())).toEqual([
      { type: 'create', recordId: 'a', data: { id: 'a', title: 'Milk' }, prevData: null },
    ])
  })

  it('still queues a put over an existing row as an update carrying the row before it', async () => {
    const { db, outbox } = createDb()
    await db.todos.put({ id: 'a', title: 'Milk' })
    const { log } = await logRequests(() =>
      db.transaction('rw', db.todos, async () => {
        await db.todos.put({ id: 'a', title: 'Oat milk' })
        await db.todos.put({ id: 'a', title: 'Soy milk' })
      }),
    )
    expect(firstRound(log).sort()).toEqual(['outbox.add', 'todos.get', 'todos.put'])
    expect(summary((await outbox.list()).slice(1))).toEqual([
      {
        type: 'update',
        recordId: 'a',
        data: { id: 'a', title: 'Oat milk' },
        prevData: { id: 'a', title: 'Milk' },
      },
      {
        type: 'update',
        recordId: 'a',
        data: { id: 'a', title: 'Soy milk' },
        prevData: { id: 'a', title: 'Oat milk' },
      },
    ])
  })
})

describe('the requests of a captured bulkPut', () => {
  it('reads a table that holds none of the rows with one request, not one per row', async () => {
    const { db, outbox } = createDb()
    await db.todos.bulkPut(todos(50, 'other'))
    const rows = todos(1000)
    const { log } = await logRequests(() => db.todos.bulkPut(rows))
    const reads = log.filter((line) => line.startsWith('todos.') && line !== 'todos.put')
    expect(reads.length).toBeLessThanOrEqual(2)
    expect(count(log, 'todos.put')).toBe(1000)
    expect(count(log, 'outbox.add')).toBe(1000)
    const entries = (await outbox.list()).slice(50)
    expect(entries).toHaveLength(1000)
    expect(entries.every((entry) => entry.type === 'create' && entry.prevData === null)).toBe(true)
    expect(entries.map((entry) => entry.recordId)).toEqual(rows.map((row) => row.id))
  })

  it('queues the rows that existed as updates with their old rows, reading only those one by one', async () => {
    const { db, outbox } = createDb()
    const existing = todos(100).filter((_, i) => i % 10 === 0)
    await db.todos.bulkPut(existing)
    const rows = todos(100, 't', 'New')
    const { log } = await logRequests(() => db.todos.bulkPut(rows))
    expect(count(log, 'todos.get')).toBeLessThanOrEqual(existing.length)
    const entries = summary((await outbox.list()).slice(existing.length))
    expect(entries).toEqual(
      rows.map((row, i) =>
        i % 10 === 0
          ? { type: 'update', recordId: row.id, data: row, prevData: existing[i / 10] }
          : { type: 'create', recordId: row.id, data: row, prevData: null },
      ),
    )
  })

  it('queues the right previous rows when the table holds many other rows between the written keys', async () => {
    const { db, outbox } = createDb()
    const others = todos(3000, 'm')
    const old = [
      { id: 'a', title: 'old a' },
      { id: 'n', title: 'old n' },
    ]
    await db.todos.bulkPut([...others, ...old])
    const rows = [
      ...todos(40, 'b', 'B'),
      { id: 'a', title: 'new a' },
      { id: 'n', title: 'new n' },
      { id: 'z', title: 'z' },
    ]
    await db.todos.bulkPut([...rows, { id: 'a', title: 'newer a' }])
    const entries = summary((await outbox.list()).slice(others.length + old.length))
    expect(entries.slice(40)).toEqual([
      { type: 'update', recordId: 'a', data: { id: 'a', title: 'new a' }, prevData: old[0] },
      { type: 'update', recordId: 'n', data: { id: 'n', title: 'new n' }, prevData: old[1] },
      { type: 'create', recordId: 'z', data: { id: 'z', title: 'z' }, prevData: null },
      {
        type: 'update',
        recordId: 'a',
        data: { id: 'a', title: 'newer a' },
        prevData: { id: 'a', title: 'new a' },
      },
    ])
    expect(entries.slice(0, 40).every((entry) => entry.type === 'create')).toBe(true)
  })
})
