import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { advance, useEngineTimers } from '../test/engineHarness.js'
import { FakeSyncServer } from '../test/fakeServer.js'
import { closeClients, connector, createDevice } from '../test/syncSetup.js'

beforeEach(() => useEngineTimers())
afterEach(async () => {
  await closeClients()
  vi.useRealTimers()
})

const SECOND = 1_000

describe('server time from push answers', () => {
  it('a replayed push answered with the original serverTimestamp does not move the clock back: a later edit still wins', async () => {
    // This server answers a change id it has seen with the timestamp of its first application.
    const server = new FakeSyncServer()
    const device = createDevice(server, { retryDelayMs: 500, maxRetryDelayMs: 500 })
    await device.client.connect(connector)
    await device.client.sync()

    server.failNext(1, 'lost-response')
    await device.db.todos.add({ id: 'first', title: 'applied, answer lost' })
    await expect(device.client.sync()).rejects.toThrow()
    device.env.goOffline()
    await advance(20 * SECOND, 1_000)
    device.env.goOnline()
    await device.client.sync()
    expect(await device.client.listChanges()).toEqual([])

    server.write('todos', 'shared', { id: 'shared', title: 'another device, earlier' })
    await advance(5 * SECOND, 1_000)
    await device.db.todos.put({ id: 'shared', title: 'this device, 5 s later' })
    await device.client.sync()

    expect(server.get('todos', 'shared')?.data).toEqual({ id: 'shared', title: 'this device, 5 s later' })
    expect(await device.db.todos.get('shared')).toEqual({ id: 'shared', title: 'this device, 5 s later' })
  })

  it('a reload between a lost answer and its replay: the replay does not move the clock back either', async () => {
    const server = new FakeSyncServer()
    const dbName = `driftless-test-replay-${Math.random()}`
    const first = createDevice(server, { dbName })
    await first.client.connect(connector)
    await first.client.sync()
    server.failNext(1, 'lost-response')
    await first.db.todos.add({ id: 'first', title: 'applied, answer lost, then the tab closed' })
    await expect(first.client.sync()).rejects.toThrow()
    await first.client.close()
    first.db.close()

    await advance(20 * SECOND, 1_000)
    const second = createDevice(server, { dbName })
    await second.client.connect(connector)
    await second.client.sync()
    expect(await second.client.listChanges()).toEqual([])

    server.write('todos', 'shared', { id: 'shared', title: 'another device, earlier' })
    await advance(5 * SECOND, 1_000)
    await second.db.todos.put({ id: 'shared', title: 'this device, 5 s later' })
    await second.client.sync()
    expect(server.get('todos', 'shared')?.data).toEqual({ id: 'shared', title: 'this device, 5 s later' })
  })
})
