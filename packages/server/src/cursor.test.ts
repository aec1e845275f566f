import { validatePullResult } from '@driftless/core/wire'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from './database.js'
import { createSyncHandler, type SyncHandler } from './handler.js'
import { testBackends } from './test/backends.js'
import { signToken, TEST_AUDIENCE, TEST_SECRET } from './test/tokens.js'

const T0 = 1_800_000_000_000

// A client whose cursor the server cannot place must start again from scratch, and must be told so
// distinctly: resuming from a wrong position would skip changes for good.
describe.each(testBackends())('pull cursors the server does not know, on $name', (backend) => {
  let database: Database
  let replaced: Database
  let token: string

  function handlerFor(target: Database): SyncHandler {
    return createSyncHandler({
      database: target,
      auth: { secret: TEST_SECRET, audience: TEST_AUDIENCE },
      now: () => T0,
      logger: { error() {} },
    })
  }

  async function call(target: Database, path: string, body: unknown) {
    const response = await handlerFor(target)(
      new Request(`http://sync.test${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      }),
    )
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }

  async function pushTodos(target: Database, ids: string[]): Promise<void> {
    const changes = ids.map((id) => ({
      id,
      collection: 'todos',
      recordId: id,
      type: 'create',
      data: { title: id },
      timestamp: T0,
    }))
    expect((await call(target, '/push', { changes })).status).toBe(200)
  }

  async function pullFrom(target: Database, cursor: string | null) {
    return call(target, '/pull', { cursor, batchSize: 100 })
  }

  function expectCursorUnknown(answer: { status: number; body: Record<string, unknown> }): void {
    expect(answer.status).toBe(410)
    expect(answer.body).toEqual({
      error: 'cursor-unknown',
      message: expect.stringMatching(/pull again from the beginning with cursor null/),
    })
  }

  beforeAll(async () => {
    ;[database, replaced] = await Promise.all([backend.open(), backend.open()])
    token = await signToken('alice', { now: T0 })
  })
  afterAll(async () => {
    await Promise.all([database?.close(), replaced?.close()])
  })

  it('answers 410 cursor-unknown for a cursor another database issued, as after a reset, and for one ahead of every change', async () => {
    await pushTodos(database, ['a1', 'a2', 'a3'])
    await pushTodos(replaced, ['b1'])
    const fromReplaced = validatePullResult((await pullFrom(replaced, null)).body).cursor
    expectCursorUnknown(await pullFrom(database, fromReplaced))

    const caughtUp = validatePullResult((await pullFrom(database, null)).body)
    expect(caughtUp.changes.map((c) => c.id)).toEqual(['a1', 'a2', 'a3'])
    expect((await pullFrom(database, caughtUp.cursor)).status).toBe(200)
    const ahead = caughtUp.cursor!.replace(/\d+$/, (seq) => String(Number(seq) + 1000))
    expectCursorUnknown(await pullFrom(database, ahead))
  })

  it('answers 410 cursor-unknown for a string it never issued', async () => {
    for (const cursor of ['v1.abc', '12', '', 'v2', 'v2..1', `v1.${'9'.repeat(40)}`]) {
      expectCursorUnknown(await pullFrom(database, cursor))
    }
  })

  it('keeps cursors of the first format working while they point at a change it has', async () => {
    const all = validatePullResult((await pullFrom(database, null)).body)
    const lastSeq = /(\d+)$/.exec(all.cursor!)![1]
    const resumed = validatePullResult((await pullFrom(database, `v1.${Number(lastSeq) - 1}`)).body)
    expect(resumed.changes.map((c) => c.id)).toEqual([all.changes.at(-1)!.id])
    expectCursorUnknown(await pullFrom(database, `v1.${Number(lastSeq) + 1000}`))
    // Caught up on a first-format cursor: the answer moves the client to the current format.
    const upgraded = validatePullResult((await pullFrom(database, `v1.${lastSeq}`)).body)
    expect(upgraded.changes).toEqual([])
    expect(upgraded.cursor).toBe(all.cursor)
  })
})
