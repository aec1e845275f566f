import 'fake-indexeddb/auto'
import { createEnvironment, createSyncClient, HttpTransport, type SyncClient } from '@driftless/core'
import Dexie from 'dexie'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Database } from './database.js'
import { type RunningServer, startServer } from './node.js'
import { testBackends } from './test/backends.js'
import { signToken, TEST_SECRET } from './test/tokens.js'

describe.each(testBackends())('a client batch bigger than the server accepts, on $name', (backend) => {
  let database: Database
  let server: RunningServer

  beforeAll(async () => {
    database = await backend.open()
    server = await startServer({ port: 0, database, auth: { secret: TEST_SECRET }, logger: { error() {} } })
  })
  afterAll(async () => {
    await server?.close()
    await database?.close()
  })

  it('learns the limit from one 413 and drains 2,000 changes in batches the server takes', async () => {
    const answers: { status: number; changes: number }[] = []
    const env = createEnvironment({
      locks: undefined,
      broadcastChannel: () => undefined,
      webSocket: () => undefined,
      logger: { warn() {}, error() {} },
      fetch: async (input, init) => {
        const response = await globalThis.fetch(input, init)
        if (String(input).endsWith('/push')) {
          const sent = JSON.parse(String(init?.body)) as { changes: unknown[] }
          answers.push({ status: response.status, changes: sent.changes.length })
        }
        return response
      },
    })
    const db = new Dexie(`push-limit-${backend.name}-${Date.now()}`)
    db.version(1).stores({ todos: 'id' })
    const client: SyncClient = createSyncClient(db, {
      tables: { todos: true },
      env,
      transport: new HttpTransport({ env }),
      autoSync: false,
      pushBatchSize: 1000,
    })
    try {
      const todos = Array.from({ length: 2000 }, (_, i) => ({ id: `t${i}`, title: `todo ${i}` }))
      await db.table('todos').bulkPut(todos)
      const token = await signToken('alice', { audience: 'any' })
      await client.connect({ fetchCredentials: async () => ({ endpoint: server.url, token }) })
      await client.sync()
      await vi.waitFor(() => expect(client.getSnapshot().pendingChanges).toBe(0))

      expect(answers.filter((answer) => answer.status === 413)).toEqual([{ status: 413, changes: 1000 }])
      expect(answers.filter((answer) => answer.status === 200).map((answer) => answer.changes)).toEqual([
        500, 500, 500, 500,
      ])
      const stored = await database.query<{ count: string }>(
        "select count(*) from driftless_records where user_id = 'alice'",
      )
      expect(Number(stored[0]?.count)).toBe(2000)
      expect(await client.listChanges()).toEqual([])
    } finally {
      await client.close()
      await db.delete()
    }
  })
})
