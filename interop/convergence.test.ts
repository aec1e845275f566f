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

for (const kind of SERVERS) {
  for (const skew of SKEWS) {
    describe(`${kind.name}, one device ${skew.label}`, () => {
      it('two devices converge after concurrent edits and deletes; an edit made after seeing another wins', async () => {
        const clock = new ManualClock()
        server = await kind.start(clock)
        const a = await connectDevice(server, clock, { skewMs: skew.ms })
        const b = await connectDevice(server, clock)
        await a.db.todos.bulkAdd([
          { id: 'a', title: 'a' },
          { id: 'b', title: 'b' },
          { id: 'c', title: 'c' },
        ])
        await b.db.todos.add({ id: 'd', title: 'd' })
        await syncAll([a, b])
        expect((await expectConverged(server, [a, b])).map((row) => row.id)).toEqual(['a', 'b', 'c', 'd'])

        clock.advance(SECOND)
        await a.db.todos.update('a', { title: 'edited on A' })
        await syncAll([a, b])
        clock.advance(SECOND)
        await b.db.todos.update('a', { title: 'edited on B, after seeing A' })
        await b.db.todos.delete('b')
        await a.db.todos.update('c', { done: true })
        await a.db.todos.delete('d')
        clock.advance(SECOND)
        await syncAll([a, b])

        expect(await expectConverged(server, [a, b])).toEqual([
          { id: 'a', title: 'edited on B, after seeing A' },
          { id: 'c', title: 'c', done: true },
        ])
      })

      it('edits alternating between the devices, each after seeing the last, end with the last edit everywhere', async () => {
        const clock = new ManualClock()
        server = await kind.start(clock)
        const a = await connectDevice(server, clock, { skewMs: skew.ms })
        const b = await connectDevice(server, clock)
        const ids = ['p', 'q', 'r']
        await a.db.todos.bulkAdd(ids.map((id) => ({ id, title: 'start' })))
        await syncAll([a, b])

        const last = new Map<string, string | null>()
        for (let step = 0; step < 9; step++) {
          clock.advance(SECOND)
          const [writer, reader] = step % 2 === 0 ? [a, b] : [b, a]
          const id = ids[step % ids.length]!
          if (step % 4 === 3) {
            await writer.db.todos.delete(id)
            last.set(id, null)
          } else {
            await writer.db.todos.put({ id, title: `step ${step}` })
            last.set(id, `step ${step}`)
          }
          await writer.client.sync()
          await reader.client.sync()
        }
        const rows = await expectConverged(server, [a, b])
        const expected = [...last]
          .filter(([, title]) => title !== null)
          .map(([id, title]) => ({ id, title }))
          .sort((x, y) => x.id.localeCompare(y.id))
        expect(rows).toEqual(expected)
      })
    })
  }
}
