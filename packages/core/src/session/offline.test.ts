import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { advance, useEngineTimers } from '../test/engineHarness.js'
import { FakeSyncServer } from '../test/fakeServer.js'
import { closeClients, connector, createDevice } from '../test/syncSetup.js'

beforeEach(() => useEngineTimers())
afterEach(async () => {
  await closeClients()
  vi.useRealTimers()
})

describe('isConnected while the browser is offline', () => {
  it('is false as soon as the browser goes offline, so `{!isConnected && <OfflineBanner/>}` shows, and true again after the next round', async () => {
    const server = new FakeSyncServer()
    const { client, env } = createDevice(server)
    await client.connect(connector)
    await client.sync()
    expect(client.getSnapshot()).toMatchObject({ isOnline: true, isConnected: true })

    env.goOffline()
    expect(client.getSnapshot()).toMatchObject({ isOnline: false, isConnected: false })
    await advance(5_000)
    expect(client.getSnapshot().isConnected).toBe(false)

    env.goOnline()
    await client.sync()
    expect(client.getSnapshot()).toMatchObject({ isOnline: true, isConnected: true })
  })

  it('is false when connect() is called while the browser is offline', async () => {
    const server = new FakeSyncServer()
    const { client, env } = createDevice(server)
    env.goOffline()
    await client.connect(connector)
    await advance(1_000)
    expect(client.getSnapshot()).toMatchObject({ isOnline: false, isConnected: false })
  })
})
