import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ConflictStrategy } from '../session/options.js'
import type { SyncEvent } from '../shared/events.js'
import { useEngineTimers } from '../test/engineHarness.js'
import { FakeSyncServer } from '../test/fakeServer.js'
import { closeClients, connector, createDevice, type Device, interceptPulls } from '../test/syncSetup.js'
import { type ConflictResolver, differingFields, resolveConflict, type SyncConflict } from './conflicts.js'
import { toChange } from './uploadLoop.js'

beforeEach(() => useEngineTimers())
afterEach(async () => {
  await closeClients()
  vi.useRealTimers()
})

type Options = Parameters<typeof createDevice>[1]

/** A device that has synced todo `a` ("base") from the server; `duringPull` runs before each later pull. */
async function syncedDevice(server: FakeSyncServer, options: Options = {}) {
  let duringPull: (() => Promise<void>) | null = null
  const fetch = interceptPulls(server, async () => {
    const hook = duringPull
    duringPull = null
    await hook?.()
    return undefined
  })
  const created = createDevice(server, { fetch, ...options })
  server.write('todos', 'a', { id: 'a', title: 'base' })
  await created.client.connect(connector)
  await created.client.sync()
  expect(await created.db.todos.get('a')).toEqual({ id: 'a', title: 'base' })
  return {
    ...created,
    /** The next pull first runs `edit`: a local write made after the outbox drained, before the pull applies. */
    editDuringNextPull(edit: () => Promise<unknown>) {
      duringPull = async () => {
        await edit()
      }
    },
  }
}

function conflicts(events: SyncEvent[]) {
  return events.filter((event) => event.phase === 'conflict')
}

/** After one more round the device and the server hold the same version of `a`. */
async function expectConverged(
  device: Device,
  server: FakeSyncServer,
  expected: Record<string, unknown> | null,
) {
  await device.client.sync()
  expect((await device.db.todos.get('a')) ?? null).toEqual(expected)
  expect(server.get('todos', 'a')?.data ?? null).toEqual(expected)
  expect(await device.client.listChanges()).toEqual([])
}

const local = { id: 'a', title: 'local' }
const remote = { id: 'a', title: 'remote' }

describe('resolveConflict', () => {
  const conflict: SyncConflict = {
    source: 'pull',
    collection: 'todos',
    recordId: 'a',
    local,
    remote,
    localTimestamp: 2,
    remoteTimestamp: 1,
    fieldConflicts: ['title'],
  }

  it('lww keeps the later edit and gives a tie to the server', async () => {
    expect(await resolveConflict('lww', conflict, undefined)).toBe('local')
    expect(await resolveConflict('lww', { ...conflict, localTimestamp: 0 }, undefined)).toBe('remote')
    expect(await resolveConflict('lww', { ...conflict, localTimestamp: 1 }, undefined)).toBe('remote')
  })

  it('a custom resolver that answers something else fails with a message naming the record', async () => {
    const resolver = (() => 'mine') as unknown as ConflictResolver
    await expect(resolveConflict('custom', conflict, resolver)).rejects.toThrow(/todos\/a.*"local", "remote"/)
  })

  it('lists the fields that differ, nested values compared by value', () => {
    expect(differingFields({ a: 1, b: [1], c: 'x' }, { a: 1, b: [1], d: 2 })).toEqual(['c', 'd'])
    expect(differingFields(null, { id: 'a' })).toEqual(['id'])
  })

  it('compares nested objects as the server does: key order does not make a difference', () => {
    expect(differingFields({ meta: { a: 1, b: 2 } }, { meta: { b: 2, a: 1 } })).toEqual([])
  })
})

describe('conflicts on push (the server holds a later edit)', () => {
  const cases: { strategy: ConflictStrategy; winner: typeof local; resolution: string }[] = [
    { strategy: 'lww', winner: remote, resolution: 'remote' },
    { strategy: 'server-wins', winner: remote, resolution: 'remote' },
    { strategy: 'client-wins', winner: local, resolution: 'local' },
  ]
  for (const { strategy, winner, resolution } of cases) {
    it(`${strategy}: ${resolution} wins, on both sides, with a conflict event`, async () => {
      const server = new FakeSyncServer()
      const device = await syncedDevice(server, { strategy })
      await device.db.todos.put(local)
      server.write('todos', 'a', remote, Date.now() + 1_000)
      await device.client.sync()
      expect(await device.db.todos.get('a')).toEqual(winner)
      expect(conflicts(device.events)).toEqual([
        expect.objectContaining({
          source: 'push',
          collection: 'todos',
          recordId: 'a',
          resolution,
          fieldConflicts: ['title'],
        }),
      ])
      await expectConverged(device, server, winner)
    })
  }

  it('custom: a merged record is written locally and pushed', async () => {
    const server = new FakeSyncServer()
    const seen: SyncConflict[] = []
    const device = await syncedDevice(server, {
      strategy: 'custom',
      resolveConflict: async (conflict) => {
        seen.push(conflict)
        return { merged: { id: 'a', title: `${conflict.local?.title} + ${conflict.remote?.title}` } }
      },
    })
    await device.db.todos.put(local)
    server.write('todos', 'a', remote, Date.now() + 1_000)
    await device.client.sync()
    expect(seen).toEqual([
      expect.objectContaining({ source: 'push', local, remote, fieldConflicts: ['title'] }),
    ])
    expect(conflicts(device.events)).toEqual([expect.objectContaining({ resolution: 'merged' })])
    await expectConverged(device, server, { id: 'a', title: 'local + remote' })
  })

  it('a local delete against a later remote edit: lww brings the record back', async () => {
    const server = new FakeSyncServer()
    const device = await syncedDevice(server)
    await device.db.todos.delete('a')
    server.write('todos', 'a', remote, Date.now() + 1_000)
    await device.client.sync()
    expect(await device.db.todos.get('a')).toEqual(remote)
    await expectConverged(device, server, remote)
  })

  it('a local delete against a later remote edit: client-wins deletes it on the server', async () => {
    const server = new FakeSyncServer()
    const device = await syncedDevice(server, { strategy: 'client-wins' })
    await device.db.todos.delete('a')
    server.write('todos', 'a', remote, Date.now() + 1_000)
    await device.client.sync()
    await expectConverged(device, server, null)
  })
})

describe('several conflicts at once', () => {
  for (const strategy of ['lww', 'client-wins'] as const) {
    it(`${strategy}: a push batch and a pull page with several conflicts settle in one round each`, async () => {
      const server = new FakeSyncServer()
      const device = await syncedDevice(server, { strategy })
      const ids = ['b', 'c', 'd']
      for (const id of ids) server.write('todos', id, { id, title: 'base' })
      await device.client.sync()
      await device.db.todos.bulkPut(ids.map((id) => ({ id, title: 'local' })))
      for (const id of ids) server.write('todos', id, { id, title: 'remote' }, Date.now() + 1_000)
      await device.client.sync()
      const pushWinner = strategy === 'lww' ? 'remote' : 'local'
      expect(conflicts(device.events).map((e) => e.phase === 'conflict' && e.source)).toEqual([
        'push',
        'push',
        'push',
      ])
      await device.client.sync()
      for (const id of ids) {
        expect(await device.db.todos.get(id)).toEqual({ id, title: pushWinner })
        expect(server.get('todos', id)?.data).toEqual({ id, title: pushWinner })
      }

      await vi.advanceTimersByTimeAsync(10_000)
      for (const id of ids) server.write('todos', id, { id, title: 'remote 2' }, Date.now() + 1_000)
      device.editDuringNextPull(() => device.db.todos.bulkPut(ids.map((id) => ({ id, title: 'local 2' }))))
      await device.client.sync()
      const pullWinner = strategy === 'lww' ? 'remote 2' : 'local 2'
      for (const id of ids) expect(await device.db.todos.get(id)).toEqual({ id, title: pullWinner })
      await device.client.sync()
      for (const id of ids) expect(server.get('todos', id)?.data).toEqual({ id, title: pullWinner })
      expect(await device.client.listChanges()).toEqual([])
    })
  }
})

describe('conflicts on pull (a local edit made while the round ran)', () => {
  const cases: {
    strategy: ConflictStrategy
    remoteLater: boolean
    winner: typeof local
    resolution: string
  }[] = [
    { strategy: 'lww', remoteLater: true, winner: remote, resolution: 'remote' },
    { strategy: 'lww', remoteLater: false, winner: local, resolution: 'local' },
    { strategy: 'client-wins', remoteLater: true, winner: local, resolution: 'local' },
    { strategy: 'server-wins', remoteLater: false, winner: remote, resolution: 'remote' },
  ]
  for (const { strategy, remoteLater, winner, resolution } of cases) {
    it(`${strategy}, remote edit ${remoteLater ? 'later' : 'earlier'}: ${resolution} wins on both sides`, async () => {
      const server = new FakeSyncServer()
      const device = await syncedDevice(server, { strategy })
      await vi.advanceTimersByTimeAsync(10_000)
      server.write('todos', 'a', remote, Date.now() + (remoteLater ? 1_000 : -1_000))
      device.editDuringNextPull(() => device.db.todos.put(local))
      await device.client.sync()
      expect(await device.db.todos.get('a')).toEqual(winner)
      expect(conflicts(device.events)).toEqual([
        expect.objectContaining({ source: 'pull', recordId: 'a', resolution, fieldConflicts: ['title'] }),
      ])
      await expectConverged(device, server, winner)
    })
  }

  // Change ids are nanoids: '!' sorts below every one of them, '~' above.
  for (const { remoteId, winner } of [
    { remoteId: '!', winner: local },
    { remoteId: '~', winner: remote },
  ]) {
    it(`lww, both edits at the same timestamp: the larger change id wins, as on the server (${remoteId})`, async () => {
      const server = new FakeSyncServer()
      const device = await syncedDevice(server)
      await vi.advanceTimersByTimeAsync(10_000)
      device.editDuringNextPull(async () => {
        await device.db.todos.put(local)
        const [edit] = await device.client.listChanges()
        server.write('todos', 'a', remote, edit!.timestamp, remoteId)
      })
      await device.client.sync()
      expect(await device.db.todos.get('a')).toEqual(winner)
      await expectConverged(device, server, winner)
    })
  }

  it('custom: the resolver sees both versions and the differing fields; a merge reaches the server', async () => {
    const server = new FakeSyncServer()
    const seen: SyncConflict[] = []
    const device = await syncedDevice(server, {
      strategy: 'custom',
      resolveConflict: (conflict) => {
        seen.push(conflict)
        return { merged: { ...conflict.remote, done: true, title: 'merged' } }
      },
    })
    server.write('todos', 'a', { ...remote, done: false }, Date.now() + 1_000)
    device.editDuringNextPull(() => device.db.todos.put(local))
    await device.client.sync()
    expect(seen).toEqual([
      expect.objectContaining({
        source: 'pull',
        local,
        remote: { ...remote, done: false },
        fieldConflicts: ['done', 'title'],
      }),
    ])
    await expectConverged(device, server, { id: 'a', title: 'merged', done: true })
  })

  it('a pulled delete against a local edit: lww with the delete later removes the row', async () => {
    const server = new FakeSyncServer()
    const device = await syncedDevice(server)
    server.write('todos', 'a', null, Date.now() + 1_000)
    device.editDuringNextPull(() => device.db.todos.put(local))
    await device.client.sync()
    expect(await device.db.todos.get('a')).toBeUndefined()
    await expectConverged(device, server, null)
  })

  it('a pulled delete against a local edit: client-wins restores the record on the server', async () => {
    const server = new FakeSyncServer()
    const device = await syncedDevice(server, { strategy: 'client-wins' })
    server.write('todos', 'a', null, Date.now() + 1_000)
    device.editDuringNextPull(() => device.db.todos.put(local))
    await device.client.sync()
    expect(await device.db.todos.get('a')).toEqual(local)
    await expectConverged(device, server, local)
  })

  it('a remote edit against a local delete: lww with the edit later brings the record back', async () => {
    const server = new FakeSyncServer()
    const device = await syncedDevice(server)
    server.write('todos', 'a', remote, Date.now() + 1_000)
    device.editDuringNextPull(() => device.db.todos.delete('a'))
    await device.client.sync()
    expect(await device.db.todos.get('a')).toEqual(remote)
    await expectConverged(device, server, remote)
  })

  it('a remote edit against a later local delete: lww keeps it deleted everywhere', async () => {
    const server = new FakeSyncServer()
    const device = await syncedDevice(server)
    await vi.advanceTimersByTimeAsync(10_000)
    server.write('todos', 'a', remote, Date.now() - 1_000)
    device.editDuringNextPull(() => device.db.todos.delete('a'))
    await device.client.sync()
    expect(await device.db.todos.get('a')).toBeUndefined()
    await expectConverged(device, server, null)
  })
})

describe('echoes of our own changes', () => {
  const strategies: { strategy: ConflictStrategy; resolveConflict?: ConflictResolver }[] = [
    { strategy: 'lww' },
    { strategy: 'client-wins' },
    { strategy: 'server-wins' },
    { strategy: 'custom', resolveConflict: () => 'remote' },
  ]
  for (const options of strategies) {
    it(`${options.strategy}: the echo of an accepted change never overwrites a newer pending edit`, async () => {
      const server = new FakeSyncServer()
      const resolver = vi.fn(options.resolveConflict ?? (() => 'remote' as const))
      const device = await syncedDevice(server, {
        ...options,
        ...(options.resolveConflict ? { resolveConflict: resolver } : {}),
      })
      await device.db.todos.put({ id: 'a', title: 'first' })
      device.editDuringNextPull(() => device.db.todos.put({ id: 'a', title: 'second' }))
      await device.client.sync()
      expect(server.get('todos', 'a')?.data).toEqual({ id: 'a', title: 'first' })
      expect(await device.db.todos.get('a')).toEqual({ id: 'a', title: 'second' })
      expect(conflicts(device.events)).toEqual([])
      expect(resolver).not.toHaveBeenCalled()
      await expectConverged(device, server, { id: 'a', title: 'second' })
      expect(new Set(server.pushedChangeIds).size).toBe(server.pushedChangeIds.length)
    })
  }

  it('server-wins: with a custom uploadData, the echo of a completed change never overwrites a newer edit', async () => {
    const server = new FakeSyncServer()
    const device = await syncedDevice(server, { strategy: 'server-wins' })
    await device.client.connect({
      ...connector,
      async uploadData(client) {
        const batch = await client.getCrudBatch()
        if (!batch) return
        await server.fetch('https://backend.test/push', {
          method: 'POST',
          body: JSON.stringify({ changes: batch.crud.map(toChange) }),
        })
        await batch.complete()
      },
    })
    await device.client.sync()
    await device.db.todos.put({ id: 'a', title: 'first' })
    device.editDuringNextPull(() => device.db.todos.put({ id: 'a', title: 'second' }))
    await device.client.sync()
    expect(server.get('todos', 'a')?.data).toEqual({ id: 'a', title: 'first' })
    expect(await device.db.todos.get('a')).toEqual({ id: 'a', title: 'second' })
    await expectConverged(device, server, { id: 'a', title: 'second' })
  })

  it('a page delivered again (cursor kept at null) does not overwrite a newer pending edit', async () => {
    const server = new FakeSyncServer()
    const device = await syncedDevice(server, { strategy: 'server-wins' })
    await vi.advanceTimersByTimeAsync(1_000)
    const [again] = server.changes
    device.editDuringNextPull(() => device.db.todos.put(local))
    server.respondNext({ changes: [again], cursor: null, hasMore: false })
    await device.client.sync()
    expect(await device.db.todos.get('a')).toEqual(local)
    await expectConverged(device, server, local)
  })
})

describe('clock skew', () => {
  const HOUR = 60 * 60 * 1000
  for (const skew of [-HOUR, HOUR]) {
    const label = skew < 0 ? 'an hour behind' : 'an hour ahead'
    for (const skewedFirst of [true, false]) {
      it(`a device ${label} that edits ${skewedFirst ? 'first' : 'second'} loses only to a later edit`, async () => {
        const server = new FakeSyncServer()
        const steady = createDevice(server)
        const skewed = createDevice(server, { now: () => Date.now() + skew })
        server.write('todos', 'x', { id: 'x', title: 'base' })
        // One round each with the server, each uploading something of its own.
        for (const device of [steady, skewed]) {
          await device.client.connect(connector)
          await device.db.todos.add({ id: device === steady ? 'steady' : 'skewed', title: 'hello' })
          await device.client.sync()
        }
        await steady.client.sync()

        const [first, second] = skewedFirst ? [skewed, steady] : [steady, skewed]
        await vi.advanceTimersByTimeAsync(60_000)
        for (let edit = 1; edit <= 3; edit++) {
          await first.db.todos.put({ id: 'x', title: `first ${edit}` })
          await first.client.sync()
        }
        await vi.advanceTimersByTimeAsync(1_000)
        // The second device has not heard of the first edit when it makes its own.
        await second.db.todos.put({ id: 'x', title: 'second' })
        await second.client.sync()
        await first.client.sync()

        expect(server.get('todos', 'x')?.data).toEqual({ id: 'x', title: 'second' })
        expect(await first.db.todos.get('x')).toEqual({ id: 'x', title: 'second' })
        expect(await second.db.todos.get('x')).toEqual({ id: 'x', title: 'second' })
      })
    }
  }

  for (const strategy of ['lww', 'server-wins'] as const) {
    it(`${strategy}: an edit made after seeing a version stamped an hour ahead is no conflict, and wins`, async () => {
      const server = new FakeSyncServer()
      const ahead = createDevice(server, { now: () => Date.now() + HOUR })
      const steady = createDevice(server, { strategy })
      await ahead.client.connect(connector)
      await ahead.db.todos.add({ id: 'x', title: 'from the future' })
      await ahead.client.sync()
      await steady.client.connect(connector)
      await steady.db.todos.add({ id: 'steady', title: 'learns the server time' })
      await steady.client.sync()
      await steady.client.sync()
      expect(await steady.db.todos.get('x')).toEqual({ id: 'x', title: 'from the future' })

      await vi.advanceTimersByTimeAsync(1_000)
      await steady.db.todos.put({ id: 'x', title: 'edited after reading it' })
      await steady.client.sync()
      await ahead.client.sync()
      expect(server.get('todos', 'x')?.data).toEqual({ id: 'x', title: 'edited after reading it' })
      expect(await steady.db.todos.get('x')).toEqual({ id: 'x', title: 'edited after reading it' })
      expect(await ahead.db.todos.get('x')).toEqual({ id: 'x', title: 'edited after reading it' })
      expect(conflicts(steady.events)).toEqual([])
    })
  }
})
