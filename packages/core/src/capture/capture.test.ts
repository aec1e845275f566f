import Dexie, { type EntityTable, liveQuery } from 'dexie'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { ConfigError, SyncValidationError } from '../shared/errors.js'
import { attachOutbox, runUncaptured } from './capture.js'
import { OUTBOX_TABLE, type Outbox, type OutboxEntry } from './outbox.js'

interface Todo {
  id: string
  title: string
  done?: boolean
  tags?: string[]
}

interface Note {
  id: number
  text: string
}

type TestDb = Dexie & { todos: EntityTable<Todo, 'id'>; notes: EntityTable<Note, 'id'> }

const todoSchema = z.object({ id: z.string(), title: z.string().min(1), done: z.boolean().optional() })

let opened: Dexie[] = []
let counter = 0

function createDb(options: { schema?: boolean; name?: string } = {}): { db: TestDb; outbox: Outbox } {
  const db = new Dexie(options.name ?? `capture-${++counter}`) as TestDb
  db.version(1).stores({ todos: 'id, done, *tags', notes: '++id' })
  let clock = 1000
  const outbox = attachOutbox(db, {
    tables: { todos: options.schema ? { schema: todoSchema } : true },
    timestamp: () => ++clock,
  })
  opened.push(db)
  return { db, outbox }
}

afterEach(async () => {
  for (const db of opened) await db.delete()
  opened = []
})

const summary = (entries: OutboxEntry[]) =>
  entries.map(({ type, recordId, data, prevData }) => ({ type, recordId, data, prevData }))

describe('capturing writes to a synced table', () => {
  it('captures add as a create with no previous data', async () => {
    const { db, outbox } = createDb()
    await db.todos.add({ id: 'a', title: 'Milk' })
    const [entry] = await outbox.list()
    expect(entry).toMatchObject({
      collection: 'todos',
      recordId: 'a',
      type: 'create',
      data: { id: 'a', title: 'Milk' },
      prevData: null,
      status: 'pending',
      retries: 0,
      errorMessage: null,
      timestamp: 1001,
    })
    expect(entry?.id).toMatch(/^[\w-]{21}$/)
    expect(entry?.seq).toBeTypeOf('number')
  })

  it('captures put as a create when the row is new and an update with the old row otherwise', async () => {
    const { db, outbox } = createDb()
    await db.todos.put({ id: 'a', title: 'Milk' })
    await db.todos.put({ id: 'a', title: 'Oat milk' })
    expect(summary(await outbox.list())).toEqual([
      { type: 'create', recordId: 'a', data: { id: 'a', title: 'Milk' }, prevData: null },
      {
        type: 'update',
        recordId: 'a',
        data: { id: 'a', title: 'Oat milk' },
        prevData: { id: 'a', title: 'Milk' },
      },
    ])
  })

  it('captures update, upsert and bulkUpdate with the row before and after', async () => {
    const { db, outbox } = createDb()
    await db.todos.bulkAdd([
      { id: 'a', title: 'A' },
      { id: 'b', title: 'B' },
    ])
    await db.todos.update('a', { done: true })
    await db.todos.upsert('c', { title: 'C' })
    await db.todos.upsert('c', { done: false })
    await db.todos.bulkUpdate([
      { key: 'a', changes: { title: 'A2' } },
      { key: 'b', changes: { done: true } },
      { key: 'missing', changes: { done: true } },
    ])
    expect(summary((await outbox.list()).slice(2))).toEqual([
      {
        type: 'update',
        recordId: 'a',
        data: { id: 'a', title: 'A', done: true },
        prevData: { id: 'a', title: 'A' },
      },
      { type: 'create', recordId: 'c', data: { id: 'c', title: 'C' }, prevData: null },
      {
        type: 'update',
        recordId: 'c',
        data: { id: 'c', title: 'C', done: false },
        prevData: { id: 'c', title: 'C' },
      },
      {
        type: 'update',
        recordId: 'a',
        data: { id: 'a', title: 'A2', done: true },
        prevData: { id: 'a', title: 'A', done: true },
      },
      {
        type: 'update',
        recordId: 'b',
        data: { id: 'b', title: 'B', done: true },
        prevData: { id: 'b', title: 'B' },
      },
    ])
  })

  it('captures bulkAdd and bulkPut as one entry per row, in order', async () => {
    const { db, outbox } = createDb()
    await db.todos.bulkAdd([
      { id: 'a', title: 'A' },
      { id: 'b', title: 'B' },
    ])
    await db.todos.bulkPut([
      { id: 'b', title: 'B2' },
      { id: 'c', title: 'C' },
    ])
    expect((await outbox.list()).map((e) => `${e.type} ${e.recordId}`)).toEqual([
      'create a',
      'create b',
      'update b',
      'create c',
    ])
  })

  it('treats the same key twice in one bulkPut as a create followed by an update', async () => {
    const { db, outbox } = createDb()
    await db.todos.bulkPut([
      { id: 'a', title: 'A' },
      { id: 'a', title: 'A2' },
    ])
    expect(summary(await outbox.list())).toEqual([
      { type: 'create', recordId: 'a', data: { id: 'a', title: 'A' }, prevData: null },
      { type: 'update', recordId: 'a', data: { id: 'a', title: 'A2' }, prevData: { id: 'a', title: 'A' } },
    ])
  })

  it('captures delete and bulkDelete with the deleted row, and nothing for keys that did not exist', async () => {
    const { db, outbox } = createDb()
    await db.todos.bulkAdd([
      { id: 'a', title: 'A' },
      { id: 'b', title: 'B' },
      { id: 'c', title: 'C' },
    ])
    await db.todos.delete('a')
    await db.todos.delete('nope')
    await db.todos.bulkDelete(['b', 'c', 'c', 'ghost'])
    expect(summary((await outbox.list()).slice(3))).toEqual([
      { type: 'delete', recordId: 'a', data: null, prevData: { id: 'a', title: 'A' } },
      { type: 'delete', recordId: 'b', data: null, prevData: { id: 'b', title: 'B' } },
      { type: 'delete', recordId: 'c', data: null, prevData: { id: 'c', title: 'C' } },
    ])
  })

  it('captures Collection.modify and Collection.delete, by index and by primary key', async () => {
    const { db, outbox } = createDb()
    await db.todos.bulkAdd([
      { id: 'a', title: 'A', tags: ['x'] },
      { id: 'b', title: 'B', tags: ['x'] },
      { id: 'c', title: 'C' },
    ])
    await db.todos.where('tags').equals('x').modify({ done: true })
    await db.todos
      .where('id')
      .equals('c')
      .modify((todo) => {
        todo.title = 'C2'
      })
    await db.todos.where('id').between('a', 'b', true, true).delete()
    expect(
      (await outbox.list()).slice(3).map((e) => `${e.type} ${e.recordId} ${JSON.stringify(e.data)}`),
    ).toEqual([
      'update a {"id":"a","title":"A","tags":["x"],"done":true}',
      'update b {"id":"b","title":"B","tags":["x"],"done":true}',
      'update c {"id":"c","title":"C2"}',
      'delete a null',
      'delete b null',
    ])
  })

  it('captures a modify that deletes rows through the callback', async () => {
    const { db, outbox } = createDb()
    await db.todos.bulkAdd([
      { id: 'a', title: 'A' },
      { id: 'b', title: 'B' },
    ])
    await db.todos
      .filter((todo) => todo.id === 'b')
      .modify((_todo, ctx) => {
        delete (ctx as { value?: Todo }).value
      })
    const last = (await outbox.list()).at(-1)
    expect(last).toMatchObject({ type: 'delete', recordId: 'b', prevData: { id: 'b', title: 'B' } })
    expect(await db.todos.count()).toBe(1)
  })

  it('captures Table.clear as one delete per row', async () => {
    const { db, outbox } = createDb()
    await db.todos.bulkAdd([
      { id: 'a', title: 'A' },
      { id: 'b', title: 'B' },
    ])
    await db.todos.clear()
    expect((await outbox.list()).slice(2).map((e) => `${e.type} ${e.recordId}`)).toEqual([
      'delete a',
      'delete b',
    ])
  })

  it('gives the entries of one transaction one txId, and each transaction its own', async () => {
    const { db, outbox } = createDb()
    await db.transaction('rw', db.todos, async () => {
      await db.todos.add({ id: 'a', title: 'A' })
      await db.todos.put({ id: 'b', title: 'B' })
      await db.todos.delete('a')
    })
    await db.todos.add({ id: 'c', title: 'C' })
    const entries = await outbox.list()
    expect(entries.map((e) => e.type)).toEqual(['create', 'create', 'delete', 'create'])
    expect(new Set(entries.slice(0, 3).map((e) => e.txId)).size).toBe(1)
    expect(entries[3]?.txId).not.toBe(entries[0]?.txId)
  })

  it('keeps the order of writes issued without awaiting inside one transaction', async () => {
    const { db, outbox } = createDb()
    await db.transaction('rw', db.todos, () =>
      Promise.all([
        db.todos.put({ id: 'a', title: 'A' }),
        db.todos.put({ id: 'a', title: 'A2' }),
        db.todos.add({ id: 'b', title: 'B' }),
      ]),
    )
    expect(summary(await outbox.list())).toEqual([
      { type: 'create', recordId: 'a', data: { id: 'a', title: 'A' }, prevData: null },
      { type: 'update', recordId: 'a', data: { id: 'a', title: 'A2' }, prevData: { id: 'a', title: 'A' } },
      { type: 'create', recordId: 'b', data: { id: 'b', title: 'B' }, prevData: null },
    ])
  })

  it('leaves unsynced tables alone', async () => {
    const { db, outbox } = createDb()
    await db.notes.add({ text: 'local only' } as Note)
    await db.notes.clear()
    expect(await outbox.stats()).toEqual({ total: 0, pending: 0, syncing: 0, failed: 0 })
  })

  it('keeps strict order across 10,000 writes', async () => {
    const { db, outbox } = createDb()
    const ids = Array.from({ length: 10_000 }, (_, i) => `r${String(i).padStart(5, '0')}`)
    await db.todos.bulkPut(ids.slice(0, 5000).map((id) => ({ id, title: id })))
    for (let start = 5000; start < 10_000; start += 500) {
      await db.transaction('rw', db.todos, async () => {
        for (const id of ids.slice(start, start + 500)) await db.todos.put({ id, title: id })
      })
    }
    const entries = await outbox.list()
    expect(entries.map((e) => e.recordId)).toEqual(ids)
    expect(entries.every((e, i) => i === 0 || e.seq > entries[i - 1]!.seq)).toBe(true)
    expect(entries.every((e, i) => i === 0 || e.timestamp > entries[i - 1]!.timestamp)).toBe(true)
  }, 30_000)
})

describe('atomicity', () => {
  it('stores neither data nor outbox entries when the transaction throws', async () => {
    const { db, outbox } = createDb()
    await expect(
      db.transaction('rw', db.todos, async () => {
        await db.todos.add({ id: 'a', title: 'A' })
        await db.todos.bulkPut([{ id: 'b', title: 'B' }])
        throw new Error('changed my mind')
      }),
    ).rejects.toThrow('changed my mind')
    expect(await db.todos.count()).toBe(0)
    expect(await outbox.list()).toEqual([])
  })

  it('queues only the rows that were written when a bulkAdd partly fails', async () => {
    const { db, outbox } = createDb()
    await db.todos.add({ id: 'a', title: 'A' })
    await expect(
      db.todos.bulkAdd([
        { id: 'b', title: 'B' },
        { id: 'a', title: 'duplicate' },
        { id: 'c', title: 'C' },
      ]),
    ).rejects.toThrow(/1 of 3 operations failed/)
    expect((await outbox.list()).map((e) => `${e.type} ${e.recordId} ${e.data?.title}`)).toEqual([
      'create a A',
      'create b B',
      'create c C',
    ])
  })

  it('queues only the rows that were written when a bulkPut breaks a unique index', async () => {
    const db = new Dexie(`unique-${++counter}`)
    opened.push(db)
    db.version(1).stores({ users: 'id, &email' })
    const outbox = attachOutbox(db, { tables: { users: true } })
    const users = db.table<{ id: string; email: string }, string>('users')
    await users.put({ id: 'a', email: 'a@x' })
    await expect(
      users.bulkPut([
        { id: 'a', email: 'a2@x' },
        { id: 'b', email: 'a2@x' },
        { id: 'c', email: 'c@x' },
      ]),
    ).rejects.toThrow(/1 of 3 operations failed/)
    const entries = await outbox.list()
    expect(entries.map((e) => `${e.type} ${e.recordId} ${e.data?.email}`)).toEqual([
      'create a a@x',
      'update a a2@x',
      'create c c@x',
    ])
    expect(entries.every((e, i) => i === 0 || e.seq > entries[i - 1]!.seq)).toBe(true)
  })

  it('rejects a row without a string id before anything is stored', async () => {
    const { db, outbox } = createDb()
    const put = db.todos.put({ id: 42 as unknown as string, title: 'A' })
    await expect(put).rejects.toBeInstanceOf(SyncValidationError)
    await expect(put).rejects.toThrow(
      /Invalid record for table "todos" \(key 42\): id: synced rows need a non-empty string id/,
    )
    expect(await db.todos.count()).toBe(0)
    expect(await outbox.list()).toEqual([])
  })
})

describe('schema validation', () => {
  it('rejects an invalid write with an error naming the table, key and field, and stores nothing', async () => {
    const { db, outbox } = createDb({ schema: true })
    const write = db.todos.bulkPut([
      { id: 'ok', title: 'fine' },
      { id: 'bad', title: '' },
    ])
    await expect(write).rejects.toBeInstanceOf(SyncValidationError)
    await expect(write).rejects.toThrow(/table "todos" \(key "bad"\): title: /)
    const error = (await write.catch((e: unknown) => e)) as SyncValidationError
    expect(error).toMatchObject({ code: 'VALIDATION', table: 'todos', key: 'bad' })
    expect(error.issues[0]?.path).toEqual(['title'])
    expect(await db.todos.count()).toBe(0)
    expect(await outbox.list()).toEqual([])
  })

  it('checks the merged row of an update, and aborts the enclosing transaction when uncaught', async () => {
    const { db, outbox } = createDb({ schema: true })
    await db.todos.add({ id: 'a', title: 'A' })
    await expect(
      db.transaction('rw', db.todos, async () => {
        await db.todos.add({ id: 'b', title: 'B' })
        await db.todos.update('a', { done: 'yes' as unknown as boolean })
      }),
    ).rejects.toThrow(/key "a"\): done: /)
    expect(await db.todos.toArray()).toEqual([{ id: 'a', title: 'A' }])
    expect((await outbox.list()).map((e) => e.recordId)).toEqual(['a'])
  })

  it('stores the row as given, not zod’s parsed output', async () => {
    const db = new Dexie(`capture-${++counter}`) as TestDb
    opened.push(db)
    db.version(1).stores({ todos: 'id' })
    const outbox = attachOutbox(db, {
      tables: { todos: { schema: z.object({ id: z.string(), title: z.string().trim() }) } },
    })
    await db.todos.put({ id: 'a', title: '  spaced  ' })
    expect((await db.todos.get('a'))?.title).toBe('  spaced  ')
    expect((await outbox.list())[0]?.data?.title).toBe('  spaced  ')
  })
})

describe('uncaptured writes', () => {
  it('applies server rows without queueing them, while reading the outbox and meta in the same transaction', async () => {
    const { db, outbox } = createDb()
    await db.todos.add({ id: 'mine', title: 'local' })
    const seen = await runUncaptured(db, ['todos'], async () => {
      await db.todos.bulkPut([{ id: 'server', title: 'from server' }])
      await db.todos.delete('mine')
      await outbox.setMeta('cursor', 'c1')
      return outbox.entriesFor('todos', 'mine')
    })
    expect(seen.map((e) => e.type)).toEqual(['create'])
    expect(await db.todos.toArray()).toEqual([{ id: 'server', title: 'from server' }])
    expect((await outbox.list()).map((e) => e.recordId)).toEqual(['mine'])
    expect(await outbox.getMeta('cursor')).toBe('c1')
  })

  it('still captures app writes made after or alongside an uncaptured transaction', async () => {
    const { db, outbox } = createDb()
    await Promise.all([
      runUncaptured(db, ['todos'], () => db.todos.put({ id: 'server', title: 'S' })),
      db.todos.put({ id: 'app', title: 'A' }),
    ])
    await db.todos.put({ id: 'app2', title: 'A2' })
    expect((await outbox.list()).map((e) => e.recordId)).toEqual(['app', 'app2'])
  })

  it('rolls back server rows and meta together when the transaction throws', async () => {
    const { db, outbox } = createDb()
    await expect(
      runUncaptured(db, ['todos'], async () => {
        await db.todos.put({ id: 'server', title: 'S' })
        await outbox.setMeta('cursor', 'c2')
        throw new Error('bad page')
      }),
    ).rejects.toThrow('bad page')
    expect(await db.todos.count()).toBe(0)
    expect(await outbox.getMeta('cursor')).toBeUndefined()
  })
})

describe('observability', () => {
  it('wakes a liveQuery on the outbox when a synced write lands', async () => {
    const { db, outbox } = createDb()
    const seen: number[] = []
    let wake: () => void = () => {}
    const subscription = liveQuery(() => outbox.stats()).subscribe((stats) => {
      seen.push(stats.pending)
      wake()
    })
    await new Promise<void>((resolve) => {
      wake = resolve
    })
    const next = new Promise<void>((resolve) => {
      wake = resolve
    })
    await db.todos.put({ id: 'a', title: 'A' })
    await next
    subscription.unsubscribe()
    expect(seen).toEqual([0, 1])
  })
})

describe('attachOutbox()', () => {
  it('adds the outbox to a database that was already installed at the same version without it', async () => {
    const name = `existing-${++counter}`
    const before = new Dexie(name)
    before.version(1).stores({ todos: 'id' })
    await before.table('todos').put({ id: 'old', title: 'Old' })
    before.close()

    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const { db, outbox } = createDb({ name })
    await db.todos.put({ id: 'new', title: 'New' })
    warn.mockRestore()

    expect(db.tables.map((t) => t.name)).toContain(OUTBOX_TABLE)
    expect(await db.todos.count()).toBe(2)
    expect((await outbox.list()).map((e) => e.recordId)).toEqual(['new'])

    db.close()
    opened = opened.filter((d) => d !== db)
    const again = createDb({ name })
    await again.db.todos.delete('old')
    expect((await again.outbox.list()).map((e) => `${e.type} ${e.recordId}`)).toEqual([
      'create new',
      'delete old',
    ])
  })

  it('upgrades a database from an older version', async () => {
    const name = `upgrade-${++counter}`
    const before = new Dexie(name)
    before.version(1).stores({ todos: 'id' })
    await before.table('todos').put({ id: 'old', title: 'Old' })
    before.close()

    const db = new Dexie(name) as TestDb
    opened.push(db)
    db.version(1).stores({ todos: 'id' })
    db.version(2).stores({ todos: 'id, done' })
    const outbox = attachOutbox(db, { tables: { todos: true } })
    await db.todos.update('old', { done: true })
    expect((await outbox.list()).map((e) => `${e.type} ${e.recordId}`)).toEqual(['update old'])
  })

  it('does not capture the data migrations of a version upgrade', async () => {
    const name = `migrate-${++counter}`
    const before = new Dexie(name)
    before.version(1).stores({ todos: 'id' })
    await before.table('todos').put({ id: 'old', title: 'old' })
    before.close()

    const db = new Dexie(name) as TestDb
    opened.push(db)
    db.version(1).stores({ todos: 'id' })
    db.version(2)
      .stores({ todos: 'id' })
      .upgrade((tx) =>
        tx
          .table('todos')
          .toCollection()
          .modify((todo: Todo) => {
            todo.title = todo.title.toUpperCase()
          }),
      )
    const outbox = attachOutbox(db, { tables: { todos: true } })
    expect(await db.todos.get('old')).toEqual({ id: 'old', title: 'OLD' })
    expect(await outbox.list()).toEqual([])
  })

  const misconfigured: [string, (db: Dexie) => void, RegExp][] = [
    ['no version is declared', () => {}, /declares no version/],
    [
      'a table is not in the schema',
      (db) => db.version(1).stores({ todos: 'id' }),
      /"lists" is not in the schema/,
    ],
    [
      'a key is auto-incremented',
      (db) => db.version(1).stores({ lists: '++id' }),
      /auto-incremented.*nanoid/,
    ],
    ['a key is outbound', (db) => db.version(1).stores({ lists: ', name' }), /outbound primary key.*nanoid/],
    ['a key is compound', (db) => db.version(1).stores({ lists: '[a+b]' }), /compound primary key.*nanoid/],
  ]
  it.each(misconfigured)('throws a ConfigError when %s', (_case, declare, message) => {
    const db = new Dexie(`config-${++counter}`)
    declare(db)
    const attach = () => attachOutbox(db, { tables: { lists: true } })
    expect(attach).toThrow(ConfigError)
    expect(attach).toThrow(message)
  })

  it('throws a ConfigError when the database is already open', async () => {
    const db = new Dexie(`open-${++counter}`)
    opened.push(db)
    db.version(1).stores({ todos: 'id' })
    await db.open()
    expect(() => attachOutbox(db, { tables: { todos: true } })).toThrow(/already open/)
  })

  it('throws a ConfigError when attached twice or with no synced table', () => {
    const db = new Dexie(`twice-${++counter}`)
    db.version(1).stores({ todos: 'id' })
    expect(() => attachOutbox(db, { tables: {} })).toThrow(/no synced tables/)
    attachOutbox(db, { tables: { todos: true } })
    expect(() => attachOutbox(db, { tables: { todos: true } })).toThrow(/already has an outbox/)
  })

  it('accepts only table names of a typed database', () => {
    const db = new Dexie(`typed-${++counter}`) as TestDb
    db.version(1).stores({ todos: 'id', notes: '++id' })
    // @ts-expect-error "todo" is not a table of TestDb
    expect(() => attachOutbox(db, { tables: { todo: true } })).toThrow(ConfigError)
  })
})
