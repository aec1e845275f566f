import { afterEach, expect, it } from 'vitest'
import { serveOverHttp } from '../packages/core/src/test/httpServer.js'
import { SeedServer } from '../packages/core/src/test/seedServer.js'
import { closeDevices, connectDevice } from './devices.js'
import { ManualClock, type TestServer } from './servers.js'

let close: (() => Promise<void>) | null = null

afterEach(async () => {
  await closeDevices()
  await close?.()
  close = null
})

it('a server written from the spec that stores one change of an unknown type: the pulling device skips it, reports it by id, and converges on the rest', async () => {
  const clock = new ManualClock()
  const seed = new SeedServer({ now: clock.now })
  const http = await serveOverHttp(seed.fetch)
  close = () => http.close()
  const server: TestServer = {
    url: http.url,
    token: async (user) => `token-of-${user}`,
    rows: async () => [],
    close: () => http.close(),
  }
  const writer = await connectDevice(server, clock)
  await writer.db.todos.add({ id: 'a', title: 'before it' })
  await writer.client.sync()
  seed.appendRaw({
    collection: 'todos',
    recordId: 'u',
    type: 'upsert',
    data: { id: 'u', title: 'an unknown type' },
    timestamp: new Date(clock.now()).toISOString(),
  })
  const unusable = seed.changes.at(-1)!.id
  await writer.db.todos.add({ id: 'b', title: 'after it' })
  await writer.client.sync()

  const reader = await connectDevice(server, clock)
  await reader.client.sync()
  await reader.client.sync()

  expect(await reader.db.todos.orderBy('id').toArray()).toEqual([
    { id: 'a', title: 'before it' },
    { id: 'b', title: 'after it' },
  ])
  const errors = reader.events.filter((event) => event.phase === 'error')
  expect(errors).toHaveLength(1)
  expect(String((errors[0] as { error: Error }).error.message)).toContain(
    `change ${unusable} is malformed: type`,
  )
  expect(reader.client.getSnapshot()).toMatchObject({ hasSynced: true, downloadError: null })
})
