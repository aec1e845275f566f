import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { advance, useEngineTimers } from '../test/engineHarness.js'
import { FakeSyncServer } from '../test/fakeServer.js'
import { closeClients, createDevice } from '../test/syncSetup.js'

beforeEach(() => useEngineTimers())
afterEach(async () => {
  await closeClients()
  vi.useRealTimers()
})

const HOUR = 60 * 60 * 1000

describe('a device clock 2 h ahead of the server', () => {
  it('still sends a token valid for 1 h by server time, and syncs; the server decides validity', async () => {
    const server = new FakeSyncServer().requireToken('valid-for-an-hour')
    const fetchCredentials = vi.fn(async () => ({
      endpoint: 'https://sync.test',
      token: 'valid-for-an-hour',
      expiresAt: Date.now() + HOUR,
    }))
    const device = createDevice(server, { now: () => Date.now() + 2 * HOUR })
    await device.client.connect({ fetchCredentials })
    await device.db.todos.add({ id: 'a', title: 'written with a wrong clock' })
    await device.client.sync()

    expect(server.get('todos', 'a')?.data).toEqual({ id: 'a', title: 'written with a wrong clock' })
    expect(device.client.getSnapshot()).toMatchObject({
      isConnected: true,
      lastError: null,
      pendingChanges: 0,
    })
    await advance(10_000)
    await device.client.sync()
    expect(fetchCredentials.mock.calls.length).toBeLessThanOrEqual(2)
  })

  it('refreshes the token when the server refuses it (401), not before', async () => {
    const server = new FakeSyncServer().requireToken('token-2')
    let issued = 0
    const fetchCredentials = vi.fn(async () => ({
      endpoint: 'https://sync.test',
      token: `token-${++issued}`,
      expiresAt: Date.now() + HOUR,
    }))
    const device = createDevice(server, { now: () => Date.now() + 2 * HOUR })
    await device.client.connect({ fetchCredentials })
    await device.client.sync()
    expect(fetchCredentials).toHaveBeenCalledTimes(2)
    expect(device.client.getSnapshot()).toMatchObject({ isConnected: true, lastError: null })
  })
})
