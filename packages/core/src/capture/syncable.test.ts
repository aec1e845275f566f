import Dexie from 'dexie'
import { afterEach, describe, expect, it } from 'vitest'
import { SyncValidationError } from '../shared/errors.js'
import { attachOutbox } from './capture.js'
import type { Outbox } from './outbox.js'

let counter = 0
let opened: Dexie[] = []

function createDb(): { db: Dexie; outbox: Outbox } {
  const db = new Dexie(`syncable-${++counter}`)
  db.version(1).stores({ todos: 'id', local: 'id' })
  const outbox = attachOutbox(db, { tables: { todos: true } })
  opened.push(db)
  return { db, outbox }
}

afterEach(async () => {
  for (const db of opened) await db.delete()
  opened = []
})

const HALF_EMOJI = '🎉'.slice(0, 1)

/** Writes `row` to the synced table and returns the error it was refused with. */
async function refusal(row: Record<string, unknown>): Promise<SyncValidationError> {
  const { db, outbox } = createDb()
  const error = await db
    .table('todos')
    .put(row)
    .then(
      () => null,
      (e: unknown) => e,
    )
  expect(error).toBeInstanceOf(SyncValidationError)
  expect(await db.table('todos').count()).toBe(0)
  expect(await outbox.list()).toEqual([])
  return error as SyncValidationError
}

describe('strings PostgreSQL cannot store are refused at write time', () => {
  it('refuses a lone surrogate (an emoji cut in half), naming table, key and field', async () => {
    const error = await refusal({ id: 'a', title: `Party ${HALF_EMOJI}` })

    expect(error).toMatchObject({ code: 'VALIDATION', table: 'todos', key: 'a' })
    expect(error.issues.map((issue) => issue.path)).toEqual([['title']])
    expect(error.message).toMatch(/table "todos" \(key "a"\): title: .*lone surrogate \\ud83c at index 6/)
  })

  it('refuses the other half of an emoji too, and a half at the very end', async () => {
    expect((await refusal({ id: 'a', title: `${'🎉'.slice(1)}🎉` })).message).toMatch(
      /lone surrogate \\udf89 at index 0/,
    )
    expect((await refusal({ id: 'a', title: `🎉ab${HALF_EMOJI}` })).message).toMatch(
      /lone surrogate \\ud83c at index 4/,
    )
  })

  it('refuses the NUL character', async () => {
    const error = await refusal({ id: 'a', title: 'a\u0000b' })
    expect(error.message).toMatch(/title: .*NUL character \(\\u0000\) at index 1/)
  })

  it('finds them in nested objects and arrays, and names the path', async () => {
    const error = await refusal({ id: 'a', meta: { tags: ['ok', `bad${HALF_EMOJI}`] } })
    expect(error.issues[0]?.path).toEqual(['meta', 'tags', 1])
    expect(error.message).toMatch(/meta\.tags\.1: /)
  })

  it('finds them in object keys', async () => {
    const error = await refusal({ id: 'a', meta: { [`x${'\u0000'}`]: 1 } })
    expect(error.issues[0]?.path).toEqual(['meta', 'x\u0000'])
    expect(error.message).toMatch(/the key "x\\u0000" .*NUL character/)
  })

  it('refuses them in the primary key', async () => {
    const error = await refusal({ id: `k${HALF_EMOJI}`, title: 'A' })
    expect(error.issues[0]?.path).toEqual(['id'])
  })

  it('accepts whole emoji, other scripts and every other control character', async () => {
    const { db, outbox } = createDb()
    const row = { id: 'a', title: '🎉 Ünïcødé 日本語 \u0001\t\n\u2028 \uFEFFlead', nested: { '🔑': ['🎉'] } }
    await db.table('todos').put(row)
    expect(await db.table('todos').get('a')).toEqual(row)
    expect((await outbox.list())[0]?.data).toEqual(row)
  })

  it('refuses a whole bulkPut inside a transaction, leaving every row and change as it was', async () => {
    const { db, outbox } = createDb()
    await db.table('todos').add({ id: 'a', title: 'A' })
    const write = db.transaction('rw', 'todos', async () => {
      await db.table('todos').put({ id: 'a', title: 'A2' })
      await db.table('todos').bulkPut([
        { id: 'b', title: 'B' },
        { id: 'c', title: `C${HALF_EMOJI}` },
      ])
    })
    await expect(write).rejects.toThrow(/key "c"/)
    expect(await db.table('todos').toArray()).toEqual([{ id: 'a', title: 'A' }])
    expect((await outbox.list()).map((entry) => entry.recordId)).toEqual(['a'])
  })

  it('checks the merged row of an update and modify', async () => {
    const { db } = createDb()
    await db.table('todos').add({ id: 'a', title: 'A' })
    await expect(db.table('todos').update('a', { title: `x${'\u0000'}` })).rejects.toThrow(
      SyncValidationError,
    )
    await expect(
      db
        .table('todos')
        .toCollection()
        .modify((row: { title: string }) => {
          row.title = HALF_EMOJI
        }),
    ).rejects.toThrow(/lone surrogate/)
    expect(await db.table('todos').get('a')).toEqual({ id: 'a', title: 'A' })
  })

  it('leaves tables that are not synced alone', async () => {
    const { db } = createDb()
    await db.table('local').put({ id: 'a', title: HALF_EMOJI, when: new Date(0) })
    expect(await db.table('local').count()).toBe(1)
  })
})

describe('values JSON cannot carry are refused at write time, with what to store instead', () => {
  const cases: [string, unknown, RegExp, PropertyKey[]?][] = [
    ['undefined inside an array', [1, undefined], /undefined inside an array.*use null/, [1]],
    ['a hole in an array', Object.assign(new Array(3), { 0: 1, 2: 3 }), /missing element.*use null/, [1]],
    ['NaN', Number.NaN, /is NaN.*store null or a string/],
    ['Infinity', Number.POSITIVE_INFINITY, /is Infinity.*store null or a string/],
    ['-Infinity', Number.NEGATIVE_INFINITY, /is -Infinity/],
    ['a Date', new Date(0), /is a Date.*toISOString\(\) or getTime\(\)/],
    ['a Map', new Map([['a', 1]]), /is a Map.*plain object/],
    ['a Set', new Set([1]), /is a Set.*array/],
    ['a BigInt', 10n, /is a bigint.*string/],
    ['a function', () => 1, /is a function/],
    ['a symbol', Symbol('s'), /is a symbol/],
    ['a typed array', new Uint8Array([1]), /is a Uint8Array.*base64/],
    ['an ArrayBuffer', new ArrayBuffer(2), /is an ArrayBuffer.*base64/],
    ['a Blob', new Blob(['x']), /is a Blob/],
    ['a RegExp', /x/, /is a RegExp/],
  ]

  for (const [what, value, message, below = []] of cases) {
    it(`refuses ${what}, naming the field`, async () => {
      const error = await refusal({ id: 'a', nested: { field: value } })
      expect(error.issues[0]?.path).toEqual(['nested', 'field', ...below])
      expect(error.message).toMatch(message)
    })
  }

  it('refuses a cyclic object, naming where the cycle closes', async () => {
    const node: Record<string, unknown> = { name: 'loop' }
    node.self = node
    const error = await refusal({ id: 'a', node })
    expect(error.issues[0]?.path).toEqual(['node', 'self'])
    expect(error.message).toMatch(/refers back to one of its own containers/)
  })

  it('round-trips through JSON exactly what it accepts: null, booleans, finite numbers, strings, arrays, objects, shared references', async () => {
    const { db, outbox } = createDb()
    const shared = { n: 1 }
    const row = {
      id: 'a',
      none: null,
      yes: true,
      count: 1.5e300,
      small: -2,
      text: 'plain',
      list: [1, 'two', null, [shared]],
      object: { a: shared, b: shared },
    }
    await db.table('todos').put(row)
    const [entry] = await outbox.list()
    expect(JSON.parse(JSON.stringify(entry?.data))).toEqual(row)
  })

  it('treats a property whose value is undefined as absent, as JSON does', async () => {
    const { db, outbox } = createDb()
    await db.table('todos').put({ id: 'a', title: 'A', due: undefined })
    const [entry] = await outbox.list()
    expect(JSON.parse(JSON.stringify(entry?.data))).toEqual({ id: 'a', title: 'A' })
  })

  it('accepts instances of app classes (Dexie mapToClass) as their own fields', async () => {
    class Todo {
      id = 'a'
      title = 'A'
      get label(): string {
        return this.title.toUpperCase()
      }
    }
    const { db, outbox } = createDb()
    await db.table('todos').put(new Todo())
    expect(JSON.parse(JSON.stringify((await outbox.list())[0]?.data))).toEqual({ id: 'a', title: 'A' })
  })
})
