import { PGlite } from '@electric-sql/pglite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Database, DatabaseBusyError } from './database.js'
import { createSyncHandler } from './handler.js'
import { migrate } from './migrations.js'
import { type RunningServer, serveNode } from './node.js'
import { pgliteDatabase } from './pgliteDatabase.js'
import { signToken, TEST_SECRET } from './test/tokens.js'

describe('PGlite under more concurrent requests than it can answer in good time', () => {
  let pglite: PGlite
  beforeAll(async () => {
    pglite = new PGlite()
    await pglite.waitReady
  })
  afterAll(async () => {
    await pglite.close()
  })

  it('refuses an operation at once while the line is full, and takes it again once there is room', async () => {
    const database = pgliteDatabase(pglite, undefined, 2)
    let open!: () => void
    const gate = new Promise<void>((resolve) => {
      open = resolve
    })
    const held = [database.transaction(() => gate), database.query('select 1')]
    await expect(database.query('select 1')).rejects.toBeInstanceOf(DatabaseBusyError)
    open()
    await Promise.all(held)
    await expect(database.query<{ one: number }>('select 1 as one')).resolves.toEqual([{ one: 1 }])
  })

  describe('over HTTP', () => {
    let database: Database
    let server: RunningServer
    beforeAll(async () => {
      database = pgliteDatabase(pglite, undefined, 8)
      await migrate(database)
      const handler = createSyncHandler({ database, auth: { secret: TEST_SECRET }, logger: { error() {} } })
      server = await serveNode(handler, { port: 0 })
    })
    afterAll(async () => {
      await server?.close()
    })

    it('answers 200 concurrent pushes with 200 or 503 server-busy, and retried, each is applied exactly once', async () => {
      const token = await signToken('alice', { audience: 'any' })
      const busy: { status: number; body: unknown; retryAfter: string | null }[] = []
      const pushOnce = (i: number) =>
        fetch(`${server.url}/push`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({
            changes: [
              {
                id: `c${i}`,
                collection: 'todos',
                recordId: `r${i % 50}`,
                type: 'update',
                data: { title: `edit ${i}` },
                prevData: null,
                timestamp: 1_800_000_000_000 + i,
              },
            ],
          }),
        })
      const pushUntilAnswered = async (i: number): Promise<void> => {
        for (;;) {
          const response = await pushOnce(i)
          const body = await response.json()
          if (response.status === 200) {
            expect(body).toMatchObject({ accepted: [{ id: `c${i}` }] })
            return
          }
          busy.push({ status: response.status, body, retryAfter: response.headers.get('retry-after') })
        }
      }
      await Promise.all(Array.from({ length: 200 }, (_, i) => pushUntilAnswered(i)))

      for (const answer of busy) {
        expect(answer).toEqual({
          status: 503,
          body: { error: 'server-busy', message: expect.stringMatching(/try again/) },
          retryAfter: '1',
        })
      }
      const applied = await database.query<{ count: number }>(
        "select count(*)::int as count from driftless_applied_changes where user_id = 'alice'",
      )
      expect(applied[0]?.count).toBe(200)
      // Each of the 50 records holds its last edit: the highest timestamp wins whatever the arrival order.
      const records = await database.query<{ record_id: string; title: string }>(
        "select record_id, data->>'title' as title from driftless_records where user_id = 'alice' order by record_id",
      )
      expect(records).toHaveLength(50)
      for (const { record_id, title } of records) {
        const n = Number(record_id.slice(1))
        expect(title).toBe(`edit ${150 + n}`)
      }
    })
  })
})
