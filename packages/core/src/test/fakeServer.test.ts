import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createEnvironment } from '../shared/env.js'
import { InvalidResponseError, TransportError } from '../shared/errors.js'
import { HttpTransport } from '../transport/http.js'
import type { Change } from '../wire.js'
import { FakeSyncServer } from './fakeServer.js'

const START = Date.UTC(2026, 10, 22, 12, 0, 0)

function change(id: string, overrides: Partial<Change> = {}): Change {
  return {
    id,
    collection: 'todos',
    recordId: 't1',
    type: 'update',
    data: { id: 't1', title: id },
    prevData: null,
    timestamp: START,
    ...overrides,
  }
}

function setup() {
  const server = new FakeSyncServer()
  const http = new HttpTransport({
    url: 'https://fake.test/sync',
    env: createEnvironment({ fetch: server.fetch }),
  })
  return { server, http }
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail')
    },
    (e: unknown) => e,
  )
}

describe('FakeSyncServer', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: START })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('accepts changes, stores them and answers in the contract HttpTransport validates', async () => {
    const { server, http } = setup()
    const result = await http.push([change('c1', { type: 'create' })], {})
    expect(result).toEqual({ accepted: [{ id: 'c1', serverTimestamp: START }], conflicts: [], errors: [] })
    expect(server.get('todos', 't1')).toEqual({
      collection: 'todos',
      recordId: 't1',
      data: { id: 't1', title: 'c1' },
      timestamp: START,
      changeId: 'c1',
    })
    expect(server.requests[0]).toMatchObject({ path: '/sync/push', body: { changes: [{ id: 'c1' }] } })
  })

  it('can answer timestamps as ISO strings, which the transport turns into milliseconds', async () => {
    const server = new FakeSyncServer({ serverTimestamps: 'iso' })
    const http = new HttpTransport({
      url: 'https://fake.test',
      env: createEnvironment({ fetch: server.fetch }),
    })
    const raw = await server.fetch('https://fake.test/push', {
      method: 'POST',
      body: JSON.stringify({ changes: [change('c1')] }),
    })
    expect(await raw.json()).toMatchObject({
      accepted: [{ id: 'c1', serverTimestamp: new Date(START).toISOString() }],
    })
    expect((await http.push([change('c1')], {})).accepted).toEqual([{ id: 'c1', serverTimestamp: START }])
  })

  it('reports a conflict when the stored record is newer, and keeps the stored one', async () => {
    const { server, http } = setup()
    server.write('todos', 't1', { id: 't1', title: 'from another device', done: true }, START + 10)
    const result = await http.push([change('c1', { data: { id: 't1', title: 'mine', done: true } })], {})
    expect(result.accepted).toEqual([])
    expect(result.conflicts).toEqual([
      {
        changeId: 'c1',
        recordId: 't1',
        collection: 'todos',
        local: { id: 't1', title: 'mine', done: true },
        remote: { id: 't1', title: 'from another device', done: true },
        localTimestamp: START,
        remoteTimestamp: START + 10,
        fieldConflicts: ['title'],
      },
    ])
    expect(server.get('todos', 't1')?.data?.title).toBe('from another device')
  })

  it('accepts a change id it has seen again without applying it twice', async () => {
    const { server, http } = setup()
    await http.push([change('c1')], {})
    vi.setSystemTime(START + 5_000)
    const again = await http.push([change('c1')], {})
    expect(again.accepted).toEqual([{ id: 'c1', serverTimestamp: START }])
    expect(server.changes).toHaveLength(1)
    expect(server.pushedChangeIds).toEqual(['c1', 'c1'])
  })

  it('rejects single changes through rejectChange while accepting the rest', async () => {
    const { server, http } = setup()
    server.rejectChange = (c) => (c.recordId === 'bad' ? 'title is required' : undefined)
    const result = await http.push(
      [change('c1', { recordId: 'bad' }), change('c2', { recordId: 'good' })],
      {},
    )
    expect(result.errors).toEqual([{ id: 'c1', error: 'title is required' }])
    expect(result.accepted.map((a) => a.id)).toEqual(['c2'])
    expect(server.get('todos', 'bad')).toBeUndefined()
  })

  it('pages pulls by a numeric cursor with hasMore, optionally by collection', async () => {
    const { server, http } = setup()
    for (let i = 1; i <= 5; i++) server.write('todos', `t${i}`, { id: `t${i}` })
    server.write('lists', 'l1', { id: 'l1' })
    const first = await http.pull({ cursor: null, batchSize: 2 }, {})
    expect(first.changes.map((c) => c.recordId)).toEqual(['t1', 't2'])
    expect(first).toMatchObject({ cursor: '2', hasMore: true })
    const rest = await http.pull({ cursor: first.cursor, batchSize: 10, collections: ['todos'] }, {})
    expect(rest.changes.map((c) => c.recordId)).toEqual(['t3', 't4', 't5'])
    expect(rest).toMatchObject({ cursor: '5', hasMore: false })
    const empty = await http.pull({ cursor: '6', batchSize: 10 }, {})
    expect(empty).toEqual({ changes: [], cursor: '6', hasMore: false })
  })

  it('pulls deletes as changes with null data', async () => {
    const { server, http } = setup()
    server.write('todos', 't1', { id: 't1' })
    server.write('todos', 't1', null)
    const page = await http.pull({ cursor: null, batchSize: 10 }, {})
    expect(page.changes.map((c) => [c.type, c.data])).toEqual([
      ['create', { id: 't1' }],
      ['delete', null],
    ])
  })

  it('fails the next requests as scripted, then recovers', async () => {
    const { server, http } = setup()
    server.failNext(1, 503, { retryAfter: 7 }).failNext(1, 'network')
    const unavailable = (await failure(http.push([change('c1')], {}))) as TransportError
    expect(unavailable.status).toBe(503)
    expect(unavailable.retryAfterMs).toBe(7_000)
    expect(((await failure(http.push([change('c1')], {}))) as TransportError).status).toBe(0)
    expect(server.pushedChangeIds).toEqual([])
    await http.push([change('c1')], {})
    expect(server.pushedChangeIds).toEqual(['c1'])
    expect(server.requests).toHaveLength(3)
  })

  it('hangs until the transport times out', async () => {
    const { server, http } = setup()
    server.failNext(1, 'timeout-hang')
    const pending = failure(http.push([change('c1')], {}))
    await vi.advanceTimersByTimeAsync(30_000)
    expect(((await pending) as TransportError).message).toMatch(/timed out/)
    expect(server.changes).toHaveLength(0)
  })

  it('can apply a push and lose the answer, so the retry must be deduplicated', async () => {
    const { server, http } = setup()
    server.failNext(1, 'lost-response')
    expect(await failure(http.push([change('c1')], {}))).toBeInstanceOf(TransportError)
    expect(server.changes).toHaveLength(1)
    await http.push([change('c1')], {})
    expect(server.changes).toHaveLength(1)
  })

  it('sends a scripted malformed answer', async () => {
    const { server, http } = setup()
    server.respondNext('{"accepted": [').respondNext({ accepted: 'yes' })
    expect(await failure(http.push([change('c1')], {}))).toBeInstanceOf(InvalidResponseError)
    expect(await failure(http.push([change('c1')], {}))).toBeInstanceOf(InvalidResponseError)
    expect(server.changes).toHaveLength(0)
  })

  it('answers 401 without the required token and records the headers it got', async () => {
    const { server, http } = setup()
    server.requireToken('good')
    const credentials = { endpoint: 'https://ignored.test', token: 'bad' }
    expect(((await failure(http.push([change('c1')], { credentials }))) as TransportError).status).toBe(401)
    await http.push([change('c1')], { credentials: { ...credentials, token: 'good' } })
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(['Bearer bad', 'Bearer good'])
    expect(server.pushedChangeIds).toEqual(['c1'])
  })

  it('answers 400 to a body outside the contract', async () => {
    const { server } = setup()
    const response = await server.fetch('https://fake.test/sync/push', {
      method: 'POST',
      body: JSON.stringify({ changes: [{ id: '' }] }),
    })
    expect(response.status).toBe(400)
    expect(((await response.json()) as { error: string }).error).toContain('changes.0')
  })
})
