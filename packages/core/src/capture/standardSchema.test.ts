import type { StandardSchemaV1 } from '@standard-schema/spec'
import Dexie, { type EntityTable } from 'dexie'
import * as v from 'valibot'
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest'
import { z as z4 } from 'zod'
import { z as z3 } from 'zod3'
import { ConfigError, SyncValidationError } from '../shared/errors.js'
import { attachOutbox } from './capture.js'
import type { Outbox } from './outbox.js'
import type { StandardSchema } from './standardSchema.js'

interface Todo {
  id: string
  title: string
  tags?: { name: string }[]
}

type TestDb = Dexie & { todos: EntityTable<Todo, 'id'> }

let opened: Dexie[] = []
let counter = 0

function createDb(schema: unknown): { db: TestDb; outbox: Outbox } {
  const db = new Dexie(`standard-schema-${++counter}`) as TestDb
  opened.push(db)
  db.version(1).stores({ todos: 'id' })
  const outbox = attachOutbox(db, { tables: { todos: { schema: schema as StandardSchema } } })
  return { db, outbox }
}

afterEach(async () => {
  for (const db of opened) await db.delete()
  opened = []
})

const libraries = [
  {
    name: 'zod 3',
    todo: z3.object({
      id: z3.string(),
      title: z3.string().min(1),
      tags: z3.array(z3.object({ name: z3.string() })).optional(),
    }),
  },
  {
    name: 'zod 4',
    todo: z4.object({
      id: z4.string(),
      title: z4.string().min(1),
      tags: z4.array(z4.object({ name: z4.string() })).optional(),
    }),
  },
  {
    name: 'valibot',
    todo: v.object({
      id: v.string(),
      title: v.pipe(v.string(), v.minLength(1)),
      tags: v.optional(v.array(v.object({ name: v.string() }))),
    }),
  },
]

describe.each(libraries)('a table schema from $name', ({ todo }) => {
  it('lets a valid row through and queues it', async () => {
    const { db, outbox } = createDb(todo)
    await db.todos.add({ id: 'a', title: 'Milk', tags: [{ name: 'shop' }] })
    expect(await db.todos.get('a')).toEqual({ id: 'a', title: 'Milk', tags: [{ name: 'shop' }] })
    expect((await outbox.list()).map((entry) => entry.recordId)).toEqual(['a'])
  })

  it('refuses an invalid row with a SyncValidationError naming the nested field, and stores nothing', async () => {
    const { db, outbox } = createDb(todo)
    const write = db.todos.bulkAdd([
      { id: 'ok', title: 'fine' },
      { id: 'bad', title: 'fine', tags: [{ name: 7 as unknown as string }] },
    ])
    const error = (await write.catch((e: unknown) => e)) as SyncValidationError
    expect(error).toBeInstanceOf(SyncValidationError)
    expect(error).toMatchObject({ code: 'VALIDATION', table: 'todos', key: 'bad' })
    expect(error.issues.map((issue) => issue.path)).toEqual([['tags', 0, 'name']])
    expect(error.message).toMatch(/table "todos" \(key "bad"\): tags\.0\.name: .+\. Nothing was stored\./)
    expect(await db.todos.count()).toBe(0)
    expect(await outbox.list()).toEqual([])
  })
})

describe('schemas that cannot be used', () => {
  it('refuses an async valibot schema when the table is declared, with a ConfigError saying why', () => {
    const asyncTodo = v.objectAsync({ id: v.string(), title: v.string() })
    expect(() => createDb(asyncTodo)).toThrow(ConfigError)
    expect(() => createDb(asyncTodo)).toThrow(/"todos" validates asynchronously.*IndexedDB transaction/)
  })

  it('refuses a write that only an async refinement can check, and stores nothing', async () => {
    const checkedRemotely = z4.object({ id: z4.string(), title: z4.string().refine(async () => true) })
    const { db, outbox } = createDb(checkedRemotely)
    const write = db.todos.add({ id: 'a', title: 'Milk' })
    await expect(write).rejects.toBeInstanceOf(ConfigError)
    await expect(write).rejects.toThrow(/validates asynchronously/)
    expect(await db.todos.count()).toBe(0)
    expect(await outbox.list()).toEqual([])
  })

  it('refuses something that is not a Standard Schema, naming the table', () => {
    expect(() => createDb({ parse: () => true })).toThrow(ConfigError)
    expect(() => createDb({ parse: () => true })).toThrow(/"todos" is not a Standard Schema/)
  })
})

describe('the StandardSchema type', () => {
  it('is what every Standard Schema v1 library builds', () => {
    expectTypeOf<StandardSchemaV1<unknown, { id: string }>>().toExtend<StandardSchema>()
    expectTypeOf(libraries[0]!.todo).toExtend<StandardSchema>()
    expectTypeOf(libraries[1]!.todo).toExtend<StandardSchema>()
    expectTypeOf(libraries[2]!.todo).toExtend<StandardSchema>()
  })
})
