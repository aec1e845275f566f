import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useEngineTimers } from '../test/engineHarness.js'
import { SeedServer } from '../test/seedServer.js'
import { closeClients, connector, createDevice } from '../test/syncSetup.js'

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
})
