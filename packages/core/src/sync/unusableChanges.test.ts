import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useEngineTimers } from '../test/engineHarness.js'
import { FakeSyncServer } from '../test/fakeServer.js'
import { SeedServer } from '../test/seedServer.js'
import {
  closeClients,
  connector,
  createDevice,
  interceptPulls,
  json,
  storedCursor,
} from '../test/syncSetup.js'

beforeEach(() => useEngineTimers())
afterEach(async () => {
  await closeClients()
  vi.useRealTimers()
})

const now = () => new Date().toISOString()

describe('a pulled page with one unusable change', () => {
  it('a numeric recordId is taken as its string form, and the page applies', async () => {
    const server = new SeedServer()
    server.appendRaw({
      collection: 'todos',
      recordId: 7,
      type: 'create',
      data: { id: 7, title: 'seven' },
      timestamp: now(),
    })
    server.write('todos', 'b', { id: 'b', title: 'after it' })
    const device = createDevice(server)
    await device.client.connect(connector)
    await device.client.sync()

    expect(await device.db.todos.toArray()).toEqual([
      { id: '7', title: 'seven' },
      { id: 'b', title: 'after it' },
    ])
    expect(device.client.getSnapshot().downloadError).toBeNull()
  })

  it('a change to a collection this client does not sync is skipped with a reported error; the cursor moves on', async () => {
    const server = new SeedServer()
    server.write('todos', 'a', { id: 'a', title: 'before it' })
    server.appendRaw({
      collection: 'notes',
      recordId: 'n',
      type: 'create',
      data: { id: 'n' },
      timestamp: now(),
    })
    server.write('todos', 'b', { id: 'b', title: 'after it' })
    const device = createDevice(server, { pullBatchSize: 2 })
    await device.client.connect(connector)
    await device.client.sync()

    expect((await device.db.todos.toArray()).map((row) => row.id)).toEqual(['a', 'b'])
    const errors = device.events.filter((event) => event.phase === 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ stage: 'pull', error: { code: 'UNUSABLE_CHANGE' } })
    expect(String((errors[0] as { error: Error }).error.message)).toMatch(/"notes"/)
    expect(device.env.logged.filter((entry) => entry.message.includes('"notes"'))).toHaveLength(1)

    server.write('todos', 'c', { id: 'c', title: 'later' })
    await device.client.sync()
    expect((await device.db.todos.toArray()).map((row) => row.id)).toEqual(['a', 'b', 'c'])
    expect(device.events.filter((event) => event.phase === 'error')).toHaveLength(1)
  })

  it('a change of an unknown type is skipped with an error naming it and what was wrong; the rest applies and the cursor moves on', async () => {
    const server = new SeedServer()
    server.write('todos', 'a', { id: 'a', title: 'before it' })
    server.appendRaw({
      collection: 'todos',
      recordId: 'u',
      type: 'upsert',
      data: { id: 'u', title: 'unknown type' },
      timestamp: now(),
    })
    server.write('todos', 'b', { id: 'b', title: 'after it' })
    const unusableId = server.changes[1]!.id
    const device = createDevice(server)
    await device.client.connect(connector)
    await device.client.sync()

    expect((await device.db.todos.toArray()).map((row) => row.id)).toEqual(['a', 'b'])
    const errors = device.events.filter((event) => event.phase === 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ stage: 'pull', error: { code: 'UNUSABLE_CHANGE' } })
    const message = String((errors[0] as { error: Error }).error.message)
    expect(message).toContain(`change ${unusableId}`)
    expect(message).toContain('type: expected "create" or "update" or "delete", got "upsert"')
    expect(device.env.logged.filter((entry) => entry.message.includes(unusableId))).toHaveLength(1)
    expect(device.client.getSnapshot()).toMatchObject({ hasSynced: true, downloadError: null })

    server.write('todos', 'c', { id: 'c', title: 'later' })
    await device.client.sync()
    expect((await device.db.todos.toArray()).map((row) => row.id)).toEqual(['a', 'b', 'c'])
    expect(device.events.filter((event) => event.phase === 'error')).toHaveLength(1)
  })

  it('changes without an id or with no usable record id or data are skipped one by one, each reported', async () => {
    const server = new FakeSyncServer()
    const good = (id: string) => ({
      id: `change-${id}`,
      collection: 'todos',
      recordId: id,
      type: 'create',
      data: { id, title: id },
      timestamp: 1,
    })
    const fetch = interceptPulls(server, (n) =>
      n === 1
        ? json({
            changes: [
              good('a'),
              { ...good('x'), id: 42 },
              { ...good('y'), recordId: '' },
              { ...good('z'), data: 'not a row' },
              'not a change',
              good('b'),
            ],
            cursor: 'after-page',
            hasMore: false,
          })
        : json({ changes: [], cursor: 'after-page', hasMore: false }),
    )
    const device = createDevice(server, { fetch })
    await device.client.connect(connector)
    await device.client.sync()

    expect((await device.db.todos.toArray()).map((row) => row.id)).toEqual(['a', 'b'])
    expect(await storedCursor(device.client)).toBe('after-page')
    const messages = device.events
      .filter((event) => event.phase === 'error')
      .map((event) => String((event as { error: Error }).error.message))
    expect(messages).toHaveLength(4)
    expect(messages[0]).toMatch(/change #2 of the page .*id: expected a string, got number/)
    expect(messages[1]).toMatch(/change change-y .*recordId/)
    expect(messages[2]).toMatch(/change change-z .*data: expected an object, got string/)
    expect(messages[3]).toMatch(/change #5 of the page .*expected an object, got string/)
    expect(device.client.getSnapshot().downloadError).toBeNull()
  })
})
