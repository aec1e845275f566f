import { describe, expect, it } from 'vitest'
import { SeedServer } from './seedServer.js'

const START = Date.UTC(2026, 10, 23, 12)

function post(server: SeedServer, path: string, body: unknown) {
  return server
    .fetch(`http://seed.test${path}`, { method: 'POST', body: JSON.stringify(body) })
    .then((r) => r.json())
}

const change = (id: string, recordId: string, title: string, timestamp: number) => ({
  id,
  collection: 'todos',
  recordId,
  type: 'update',
  data: { id: recordId, title },
  timestamp,
})

describe('SeedServer, the spec-pseudocode test server', () => {
  it('restamps stored changes with its own ids and its own clock, as ISO strings', async () => {
    let now = START
    const server = new SeedServer({ now: () => now, offsetMs: 5_000 })
    const answer = await post(server, '/push', { changes: [change('client-1', 'a', 'x', START)] })
    expect(answer).toEqual({
      accepted: [{ id: 'client-1', serverTimestamp: new Date(START + 5_000).toISOString() }],
      conflicts: [],
      errors: [],
    })
    now += 1_000
    const page = await post(server, '/pull', {})
    expect(page.changes).toEqual([
      expect.objectContaining({ recordId: 'a', timestamp: new Date(START + 5_000).toISOString() }),
    ])
    expect(page.changes[0].id).not.toBe('client-1')
  })

  it('answers a conflict when its stored version is newer than the change, and applies a replayed id again', async () => {
    const server = new SeedServer({ now: () => START })
    await post(server, '/push', { changes: [change('c1', 'a', 'first', START)] })
    const older = await post(server, '/push', { changes: [change('c2', 'a', 'older', START - 1)] })
    expect(older.conflicts).toEqual([
      expect.objectContaining({
        changeId: 'c2',
        remote: { id: 'a', title: 'first' },
        fieldConflicts: ['title'],
      }),
    ])
    await post(server, '/push', { changes: [change('c1', 'a', 'first', START)] })
    expect(server.changes).toHaveLength(2)
    expect(server.pushedChangeIds).toEqual(['c1', 'c2', 'c1'])
  })

  it('pages by the last change id, ends with cursor null, and takes cursor and batchSize as optional, by POST or GET', async () => {
    const server = new SeedServer({ now: () => START })
    for (const id of ['a', 'b', 'c']) server.write('todos', id, { id })
    const first = await post(server, '/pull', { batchSize: 2 })
    expect(first).toMatchObject({ hasMore: true, cursor: first.changes[1].id })
    const last = await post(server, '/pull', { cursor: first.cursor, batchSize: 2 })
    expect(last).toMatchObject({
      hasMore: false,
      cursor: null,
      changes: [expect.objectContaining({ recordId: 'c' })],
    })
    const byGet = await server
      .fetch(`http://seed.test/pull?cursor=${first.cursor}`, { method: 'GET' })
      .then((r) => r.json())
    expect(byGet.changes.map((c: { recordId: string }) => c.recordId)).toEqual(['c'])
  })
})
