import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { attachOutbox } from '../capture/capture.js'
import { META_TABLE } from '../capture/outbox.js'
import type { ConflictStrategy } from '../session/options.js'
import { advance, createTodoDb, useEngineTimers } from '../test/engineHarness.js'
import { SeedServer } from '../test/seedServer.js'
import { closeClients, connector, createDevice, interceptPulls } from '../test/syncSetup.js'
import { forgetThrough, readEchoes, rememberEchoes } from './echoes.js'

beforeEach(() => useEngineTimers())
afterEach(async () => {
  await closeClients()
  vi.useRealTimers()
})

const SECOND = 1_000
const MINUTE = 60 * SECOND

/** A device against a server that restamps ids and timestamps; `beforePull` runs before its next pull. */
function deviceAgainst(server: SeedServer, strategy: ConflictStrategy = 'lww') {
  let beforePull: (() => Promise<unknown>) | null = null
  const fetch = interceptPulls(server, async () => {
    const hook = beforePull
    beforePull = null
    await hook?.()
    return undefined
  })
  const device = createDevice(server, { fetch, strategy })
  return {
    /** Connects and lets the first round finish, so later hooks see only the rounds a test starts. */
    async connect() {
      await device.client.connect(connector)
      await device.client.sync()
    },
    ...device,
    /** A local write made after the outbox drained, just before the next pull applies. */
    editBeforeNextPull(edit: () => Promise<unknown>) {
      beforePull = edit
    },
  }
}

function serverRow(server: SeedServer, recordId: string) {
  return server.records().find((record) => record.recordId === recordId)?.data
}

describe('echoes from a server that restamps ids and timestamps', () => {
  for (const ahead of [200, SECOND, 2 * MINUTE]) {
    it(`another device's edit made while this clock is ${ahead} ms ahead of the server is pulled, not skipped`, async () => {
      const server = new SeedServer({ offsetMs: -ahead })
      const device = deviceAgainst(server)
      await device.connect()
      await device.db.todos.add({ id: 'a', title: 'mine' })
      await device.client.sync()

      await advance(100)
      server.write('todos', 'a', { id: 'a', title: 'theirs' })
      await device.client.sync()

      expect(await device.db.todos.get('a')).toEqual({ id: 'a', title: 'theirs' })
      expect(serverRow(server, 'a')).toEqual({ id: 'a', title: 'theirs' })
    })
  }

  for (const skew of [-SECOND, SECOND, -2 * MINUTE, 2 * MINUTE]) {
    const label = skew > 0 ? `${skew} ms ahead` : `${-skew} ms behind`
    for (const strategy of ['lww', 'server-wins', 'client-wins'] as const) {
      it(`${strategy}, clock ${label}: the echo of its own push is no conflict, and a newer local edit stands`, async () => {
        const server = new SeedServer({ offsetMs: -skew })
        const device = deviceAgainst(server, strategy)
        await device.connect()
        await device.db.todos.add({ id: 'a', title: 'first' })
        device.editBeforeNextPull(() => device.db.todos.update('a', { title: 'second' }))
        await device.client.sync()

        expect(await device.db.todos.get('a')).toEqual({ id: 'a', title: 'second' })
        await advance(SECOND)
        await device.client.sync()
        expect(await device.db.todos.get('a')).toEqual({ id: 'a', title: 'second' })
        expect(serverRow(server, 'a')).toEqual({ id: 'a', title: 'second' })
        expect(await device.client.listChanges()).toEqual([])
        expect(device.events.filter((event) => event.phase === 'conflict')).toEqual([])
      })
    }
  }

  for (const strategy of ['server-wins', 'client-wins'] as const) {
    it(`${strategy}, clock behind: two edits of one record in one push; the server's copy of the first is no conflict for the second`, async () => {
      const server = new SeedServer({ offsetMs: 5 * SECOND })
      const device = deviceAgainst(server, strategy)
      await device.connect()
      await device.db.todos.add({ id: 'a', title: 'first' })
      await device.db.todos.update('a', { title: 'second' })
      await device.client.sync()

      expect(await device.db.todos.get('a')).toEqual({ id: 'a', title: 'second' })
      expect(serverRow(server, 'a')).toEqual({ id: 'a', title: 'second' })
      expect(device.events.filter((event) => event.phase === 'conflict')).toEqual([])
    })
  }

  it("server-wins: another device's edit still wins over a pending local edit", async () => {
    const server = new SeedServer({ offsetMs: SECOND })
    const device = deviceAgainst(server, 'server-wins')
    await device.connect()
    await device.db.todos.add({ id: 'a', title: 'first' })
    await device.client.sync()

    server.write('todos', 'a', { id: 'a', title: 'theirs' })
    device.editBeforeNextPull(() => device.db.todos.update('a', { title: 'mine' }))
    await device.client.sync()

    expect(await device.db.todos.get('a')).toEqual({ id: 'a', title: 'theirs' })
    expect(await device.client.listChanges()).toEqual([])
    expect(device.events.filter((event) => event.phase === 'conflict')).toHaveLength(1)
  })
})

describe('remembered echoes, stored a batch at a time', () => {
  it('keep their order through a pull that brings some back, and later batches come after the rest', async () => {
    const db = createTodoDb()
    attachOutbox(db, { tables: { todos: true } })
    const ctx = { db }
    const echo = (recordId: string, title: string, seq: number) => ({
      collection: 'todos',
      recordId,
      changeId: `change-${seq}`,
      data: { id: recordId, title },
      seq,
    })
    const inTransaction = <T>(work: () => PromiseLike<T>) => db.transaction('rw', META_TABLE, () => work())
    const titles = async (recordId: string) =>
      (await inTransaction(() => readEchoes(ctx, 'todos', recordId))).map((e) => e.data?.title)

    await inTransaction(() => rememberEchoes(ctx, [echo('a', 'a1', 1), echo('b', 'b1', 2)]))
    await inTransaction(() => rememberEchoes(ctx, [echo('a', 'a2', 3), echo('c', 'c1', 4)]))
    const [a1] = await inTransaction(() => readEchoes(ctx, 'todos', 'a'))
    await inTransaction(() => forgetThrough(ctx, 'todos', 'a', a1!))
    await inTransaction(() => rememberEchoes(ctx, [echo('a', 'a3', 5), echo('b', 'b2', 6)]))

    expect(await titles('a')).toEqual(['a2', 'a3'])
    expect(await titles('b')).toEqual(['b1', 'b2'])
    expect(await titles('c')).toEqual(['c1'])
    db.close()
    await db.delete()
  })
})
