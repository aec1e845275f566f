import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { closeDevices, connectDevice, expectConverged, syncAll } from './devices.js'
import { closeSharedDatabase, ManualClock, SERVERS, SKEWS, type TestServer } from './servers.js'

const SECOND = 1_000
let server: TestServer | null = null

afterEach(async () => {
  await closeDevices()
  await server?.close()
  server = null
})
afterAll(closeSharedDatabase)

/** What each strategy keeps when this device's edit is older than one another device uploaded first. */
const OLDER_EDIT_OUTCOME = {
  lww: 'the other device, later',
  'server-wins': 'the other device, later',
  'client-wins': 'this device, earlier',
} as const

for (const kind of SERVERS) {
  for (const skew of SKEWS) {
    describe(`${kind.name}, the deciding device ${skew.label}`, () => {
      for (const strategy of ['lww', 'server-wins', 'client-wins'] as const) {
        it(`${strategy}: an older edit uploaded after a newer one from another device ends as "${OLDER_EDIT_OUTCOME[strategy]}" everywhere`, async () => {
          const clock = new ManualClock()
          server = await kind.start(clock)
          const deciding = await connectDevice(server, clock, { skewMs: skew.ms, strategy })
          const other = await connectDevice(server, clock)
          await deciding.db.todos.add({ id: 'r', title: 'start' })
          await syncAll([deciding, other])

          deciding.setOnline(false)
          clock.advance(SECOND)
          await deciding.db.todos.update('r', { title: 'this device, earlier' })
          clock.advance(SECOND)
          await other.db.todos.update('r', { title: 'the other device, later' })
          await other.client.sync()
          clock.advance(SECOND)
          deciding.setOnline(true)
          await syncAll([deciding, other])

          expect(await expectConverged(server, [deciding, other])).toEqual([
            { id: 'r', title: OLDER_EDIT_OUTCOME[strategy] },
          ])
          expect(deciding.events.filter((event) => event.phase === 'conflict')).toHaveLength(1)
        })

        it(`${strategy}: two edits of one record in one push are no conflict with each other; the last stands`, async () => {
          const clock = new ManualClock()
          server = await kind.start(clock)
          const device = await connectDevice(server, clock, { skewMs: skew.ms, strategy })
          const other = await connectDevice(server, clock)
          await device.db.todos.add({ id: 'r', title: 'first' })
          await device.db.todos.update('r', { title: 'second' })
          await device.db.todos.add({ id: 's', title: 'created' })
          await device.db.todos.delete('s')
          await syncAll([device, other])

          expect(await expectConverged(server, [device, other])).toEqual([{ id: 'r', title: 'second' }])
          expect(device.events.filter((event) => event.phase === 'conflict')).toEqual([])
        })
      }
    })
  }
}
