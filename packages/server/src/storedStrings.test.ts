import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Database } from './database.js'
import { createSyncHandler, type SyncHandler } from './handler.js'
import { dumpDatabase, resetDatabase, testBackends } from './test/backends.js'
import { signToken, TEST_AUDIENCE, TEST_SECRET } from './test/tokens.js'

const T0 = 1_800_000_000_000

/** JSON text with object keys sorted, so values compare exactly whatever key order jsonb keeps. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>
    const fields = Object.keys(record)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(record[key])}`)
    return `{${fields.join(',')}}`
  }
  return JSON.stringify(value)
}

// Bodies are written as JSON text: a client that does not validate can send anything JSON can carry.
describe.each(testBackends())('strings a client stores, on $name', (backend) => {
  let database: Database
  let handler: SyncHandler
  let token: string

  async function post(path: string, json: string): Promise<{ status: number; text: string }> {
    const response = await handler(
      new Request(`http://sync.test${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: json,
      }),
    )
    return { status: response.status, text: await response.text() }
  }

  function changeJson(id: string, recordId: string, dataJson: string, timestamp = T0): string {
    return `{"id":${JSON.stringify(id)},"collection":"todos","recordId":${JSON.stringify(recordId)},"type":"create","data":${dataJson},"timestamp":${timestamp}}`
  }

  async function pushJson(changesJson: string[]) {
    const answer = await post('/push', `{"changes":[${changesJson.join(',')}]}`)
    expect(answer.status).toBe(200)
    return JSON.parse(answer.text) as {
      accepted: { id: string }[]
      conflicts: { changeId: string; remote: unknown }[]
      errors: { id: string; error: string }[]
    }
  }

  async function pullChanges(): Promise<Record<string, unknown>[]> {
    const answer = await post('/pull', '{"cursor":null,"batchSize":100}')
    expect(answer.status).toBe(200)
    return (JSON.parse(answer.text) as { changes: Record<string, unknown>[] }).changes
  }

  beforeAll(async () => {
    database = await backend.open()
    token = await signToken('alice', { now: T0 })
  })
  afterAll(async () => {
    await database?.close()
  })
  beforeEach(async () => {
    await resetDatabase(database)
    handler = createSyncHandler({
      database,
      auth: { secret: TEST_SECRET, audience: TEST_AUDIENCE },
      now: () => T0,
      logger: { error() {} },
    })
  })

  it('pulls back exactly what was pushed: a leading U+FEFF anywhere, a field named __proto__, any character', async () => {
    const dataJson =
      '{"title":"\\ufeffstarts with a byte order mark","__proto__":"a field, not a prototype",' +
      '"nested":{"__proto__":{"x":1},"\\ufeff":"\\ufeff"},"emoji":"😀 \\ud83d\\ude00","lines":"a\\u2028b\\r\\n",' +
      '"":"empty key","list":["\\ufeff",{"__proto__":null}]}'
    const pushed = await pushJson([changeJson('\ufeffc1', '\ufeffr1', dataJson)])
    expect(pushed).toEqual({ accepted: [{ id: '\ufeffc1', serverTimestamp: T0 }], conflicts: [], errors: [] })

    const [pulled] = await pullChanges()
    expect(pulled?.id).toBe('\ufeffc1')
    expect(pulled?.recordId).toBe('\ufeffr1')
    expect(canonical(pulled?.data)).toBe(canonical(JSON.parse(dataJson)))
    expect(Object.keys(pulled?.data as object)).toContain('__proto__')
  })

  it('answers a conflict with the stored row exactly, and breaks ties on change ids that start with U+FEFF', async () => {
    await pushJson([changeJson('\ufeffb', '\ufeffr1', '{"__proto__":"stored","t":"\\ufeffx"}')])
    // Same timestamp: the larger change id wins, and '\ufeffb' > '\ufeffa' only if the stored id is read back whole.
    const answer = await pushJson([changeJson('\ufeffa', '\ufeffr1', '{"t":"late"}')])
    expect(answer.conflicts.map((c) => c.changeId)).toEqual(['\ufeffa'])
    expect(canonical(answer.conflicts[0]?.remote)).toBe(
      canonical(JSON.parse('{"__proto__":"stored","t":"\\ufeffx"}')),
    )
  })

  it('refuses NUL and lone surrogates per change, naming the field, and stores the rest of the batch', async () => {
    const before = await dumpDatabase(database)
    const answer = await pushJson([
      changeJson('ok1', 'a', '{"title":"fine"}'),
      changeJson('nul', 'b', '{"title":"has a \\u0000 NUL"}'),
      changeJson('half-emoji', 'c', '{"title":"cut \\ud83d"}'),
      changeJson('low-half', 'd', '{"note":{"deep":["x","\\ude00"]}}'),
      changeJson('bad-key', 'e', '{"\\ud800key":1}'),
      changeJson('bad-record', 'f\u0000', '{"title":"fine"}'),
      `{"id":"bad-collection","collection":"to\\ud800dos","recordId":"g","type":"create","data":{},"timestamp":${T0}}`,
      changeJson('nul-id\u0000', 'h', '{"title":"fine"}'),
      changeJson('ok2', 'i', '{"title":"fine"}'),
    ])
    expect(answer.accepted.map((a) => a.id)).toEqual(['ok1', 'ok2'])
    expect(answer.errors).toEqual([
      { id: 'nul', error: expect.stringMatching(/^data\.title: contains a NUL character \(U\+0000\)/) },
      {
        id: 'half-emoji',
        error: expect.stringMatching(/^data\.title: contains a lone surrogate \(U\+D83D,/),
      },
      {
        id: 'low-half',
        error: expect.stringMatching(/^data\.note\.deep\.1: contains a lone surrogate \(U\+DE00,/),
      },
      {
        id: 'bad-key',
        error: expect.stringMatching(/^data: a field name contains a lone surrogate \(U\+D800,/),
      },
      { id: 'bad-record', error: expect.stringMatching(/^recordId: contains a NUL character/) },
      { id: 'bad-collection', error: expect.stringMatching(/^collection: contains a lone surrogate/) },
      { id: 'nul-id\u0000', error: expect.stringMatching(/^id: contains a NUL character/) },
    ])
    for (const { error } of answer.errors) expect(error).toMatch(/cannot be stored; .+/)
    const after = await dumpDatabase(database)
    expect(after).not.toEqual(before)
    expect((await pullChanges()).map((c) => c.recordId)).toEqual(['a', 'i'])
  })

  it('answers 400 for a pull filter the database could not compare, changing nothing', async () => {
    const answer = await post('/pull', '{"cursor":null,"batchSize":10,"collections":["to\\u0000dos"]}')
    expect(answer.status).toBe(400)
    expect(JSON.parse(answer.text).error).toMatch(/collections\.0: contains a NUL character/)
  })
})
