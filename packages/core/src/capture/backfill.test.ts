import Dexie from 'dexie'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { ConfigError } from '../shared/errors.js'
import { versionKey } from '../sync/knownVersions.js'
import { clientFixture, closeClients } from '../test/clientFixture.js'
import { advance, createTodoDb, credentials, useEngineTimers } from '../test/engineHarness.js'
import { backfill } from './backfill.js'
import { attachOutbox, runUncaptured, type SyncedTables } from './capture.js'
import { META_TABLE, type Outbox } from './outbox.js'

const names: string[] = []
const open: Dexie[] = []
let counter = 0

afterEach(async () => {
  await closeClients()
  vi.useRealTimers()
  for (const db of open.splice(0)) db.close()
  for (const name of names.splice(0)) await Dexie.delete(name)
})

/** An app's database as it was before Driftless: plain Dexie, rows written and kept. */
async function existingDatabase(rows: number, extra: Record<string, unknown[]> = {}): Promise<string> {
  const name = `backfill-${++counter}`
  names.push(name)
  const db = new Dexie(name)
  db.version(1).stores({ todos: 'id', lists: 'id' })
  await db
    .table('todos')
    .bulkAdd(
      Array.from({ length: rows }, (_, i) => ({ id: `t${String(i).padStart(5, '0')}`, title: `Todo ${i}` })),
    )
  for (const [table, values] of Object.entries(extra)) await db.table(table).bulkAdd(values)
  db.close()
  return name
}

/** The same app after adopting Driftless (a new release with one more version, or a reload of it). */
async function adopt(name: string, tables: SyncedTables = { todos: true, lists: true }) {
  const db = new Dexie(name)
  db.version(1).stores({ todos: 'id', lists: 'id' })
  db.version(2).stores({})
  let clock = 1_000
  const outbox = attachOutbox(db, { tables, timestamp: () => ++clock })
  await db.open()
  open.push(db)
  return { db, outbox }
}

const recordIds = async (outbox: Outbox) => (await outbox.list()).map((entry) => entry.recordId)

describe('backfill: queueing the rows that existed before Driftless', () => {
  it('queues a create for each existing row of every synced table, and says how many', async () => {
    const name = await existingDatabase(3, { lists: [{ id: 'l1', title: 'Home' }] })
    const { outbox } = await adopt(name)

    const result = await backfill(outbox)

    expect(result).toEqual({ queued: 4, tables: { todos: 3, lists: 1 }, invalid: [] })
    const entries = await outbox.list()
    expect(
      entries.map(({ collection, recordId, type, data, prevData, status }) => [
        collection,
        recordId,
        type,
        data,
        prevData,
        status,
      ]),
    ).toEqual([
      ['todos', 't00000', 'create', { id: 't00000', title: 'Todo 0' }, null, 'pending'],
      ['todos', 't00001', 'create', { id: 't00001', title: 'Todo 1' }, null, 'pending'],
      ['todos', 't00002', 'create', { id: 't00002', title: 'Todo 2' }, null, 'pending'],
      ['lists', 'l1', 'create', { id: 'l1', title: 'Home' }, null, 'pending'],
    ])
    expect(new Set(entries.map((entry) => entry.id)).size).toBe(4)
  })

  it('queues nothing the second time', async () => {
    const name = await existingDatabase(3)
    const { outbox } = await adopt(name)
    await backfill(outbox)

    expect(await backfill(outbox)).toEqual({ queued: 0, tables: { todos: 0, lists: 0 }, invalid: [] })
    expect(await outbox.list()).toHaveLength(3)
  })

  it('queues nothing after a reload, even once the first changes were uploaded', async () => {
    const name = await existingDatabase(3)
    const first = await adopt(name)
    await backfill(first.outbox)
    await first.outbox.complete((await first.outbox.list()).slice(0, 2).map((entry) => entry.id))
    first.db.close()

    const { outbox } = await adopt(name)

    expect((await backfill(outbox)).queued).toBe(0)
    expect(await recordIds(outbox)).toEqual(['t00002'])
  })

  it('picks up after the last chunk when a reload interrupts it, queueing every row once', async () => {
    const name = await existingDatabase(5)
    const first = await adopt(name)
    let stamps = 0
    const crashing = backfill(first.outbox, {
      tables: 'todos',
      chunkSize: 2,
      timestamp: () => {
        if (++stamps === 3) throw new Error('tab closed')
        return stamps
      },
    })
    await expect(crashing).rejects.toThrow('tab closed')
    expect(await recordIds(first.outbox)).toEqual(['t00000', 't00001'])
    first.db.close()

    const { outbox } = await adopt(name)
    const result = await backfill(outbox, { chunkSize: 2 })

    expect(result.tables.todos).toBe(3)
    expect(await recordIds(outbox)).toEqual(['t00000', 't00001', 't00002', 't00003', 't00004'])
  })

  it('queues every row once when two tabs backfill at the same time', async () => {
    const name = await existingDatabase(7)
    const tabA = await adopt(name)
    const tabB = await adopt(name)

    const [a, b] = await Promise.all([
      backfill(tabA.outbox, { chunkSize: 2 }),
      backfill(tabB.outbox, { chunkSize: 2 }),
    ])

    expect(a.queued + b.queued).toBe(7)
    const ids = await recordIds(tabA.outbox)
    expect(ids).toHaveLength(7)
    expect(new Set(ids).size).toBe(7)
  })

  it('leaves rows the server already has (pulled or uploaded) and rows already queued alone', async () => {
    const name = await existingDatabase(0)
    const { db, outbox } = await adopt(name)
    // As the engine leaves them: a pulled row, and an edit that is waiting for upload.
    await runUncaptured(db, ['todos'], async () => {
      await db.table('todos').put({ id: 'pulled', title: 'From the server' })
      await db
        .table(META_TABLE)
        .put({ key: versionKey('todos', 'pulled'), value: { timestamp: 5, changeId: 's1', seenAtSeq: 0 } })
      await db.table('todos').put({ id: 'before', title: 'Existing' })
    })
    await db.table('todos').add({ id: 'queued', title: 'Written with Driftless' })

    const result = await backfill(outbox)

    expect(result.queued).toBe(1)
    expect(await recordIds(outbox)).toEqual(['queued', 'before'])
    expect(await db.table('todos').get('pulled')).toEqual({ id: 'pulled', title: 'From the server' })
  })

  it('reports rows the server could not store instead of queueing them, and goes on', async () => {
    const name = await existingDatabase(1, {
      lists: [
        { id: 'l1', title: 'ok' },
        { id: 'l2', title: '🎉'.slice(0, 1) },
        { id: 'l3', title: '' },
      ],
    })
    const { outbox } = await adopt(name, {
      todos: true,
      lists: { schema: z.object({ title: z.string().min(1) }) },
    })

    const result = await backfill(outbox)

    expect(result.queued).toBe(2)
    expect(result.invalid.map((error) => [error.table, error.key, error.issues[0]?.path])).toEqual([
      ['lists', 'l2', ['title']],
      ['lists', 'l3', ['title']],
    ])
    expect(await recordIds(outbox)).toEqual(['t00000', 'l1'])
  })

  it('queues a table of 10,000 rows in chunks, each row exactly once', async () => {
    const name = await existingDatabase(10_000)
    const { db, outbox } = await adopt(name)

    const result = await backfill(outbox, { tables: ['todos'] })

    expect(result.queued).toBe(10_000)
    const ids = await recordIds(outbox)
    expect(new Set(ids).size).toBe(10_000)
    expect(await db.table('todos').count()).toBe(10_000)
    // Chunks are transactions of their own: 500 rows share one txId.
    expect(new Set((await outbox.list()).map((entry) => entry.txId)).size).toBe(20)
    expect((await backfill(outbox)).queued).toBe(0)
  }, 60_000)

  it('refuses a table that is not synced, or a chunk size below one, queueing nothing', async () => {
    const name = await existingDatabase(2)
    const { outbox } = await adopt(name, { todos: true })

    await expect(backfill(outbox, { tables: ['todos', 'lists'] })).rejects.toThrow(ConfigError)
    await expect(backfill(outbox, { tables: 'lists' })).rejects.toThrow(/"lists" is not a synced table/)
    await expect(backfill(outbox, { chunkSize: 0 })).rejects.toThrow(/chunkSize must be a positive integer/)
    expect(await outbox.list()).toEqual([])
  })
})

describe('client.backfill()', () => {
  it('uploads the rows of a database that was used without Driftless, once, across a reload', async () => {
    useEngineTimers()
    const dbName = `backfill-client-${++counter}`
    names.push(dbName)
    const plain = createTodoDb(dbName)
    await plain.todos.bulkAdd([
      { id: 'a', title: 'Milk' },
      { id: 'b', title: 'Bread' },
    ])
    plain.close()
    const first = clientFixture({ dbName })

    expect(await first.client.backfill()).toMatchObject({ queued: 2, tables: { todos: 2 } })
    expect(await first.client.listChanges()).toHaveLength(2)
    await first.client.connect({ fetchCredentials: credentials() })
    await advance(500)

    expect(first.server.recordIds()).toEqual(['a', 'b'])
    expect(first.client.getSnapshot().pendingChanges).toBe(0)
    expect(first.server.get('todos', 'a')?.data).toEqual({ id: 'a', title: 'Milk' })
    await closeClients()
    first.db.close()

    const again = clientFixture({ dbName, server: first.server })
    expect(await again.client.backfill()).toMatchObject({ queued: 0 })
    expect(await again.client.listChanges()).toEqual([])
  })
})
