import type { DBCore, DBCoreMutateRequest, DBCoreTable } from 'dexie'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { FetchLike } from '../shared/env.js'
import { closeClients } from '../test/clientFixture.js'
import { createTodoDb, credentials, useEngineTimers } from '../test/engineHarness.js'
import { FakeSyncServer } from '../test/fakeServer.js'
import { createDevice } from '../test/syncSetup.js'

beforeEach(() => useEngineTimers())
afterEach(async () => {
  await closeClients()
  vi.useRealTimers()
})

/** What a drain asked of IndexedDB while it pushed (the pull that ends the round is left out). */
interface DrainCost {
  pushes: number
  /** Transactions opened. */
  transactions: number
  /** Calls into the database: a bulk write, a bulk read, a query or a count is one. */
  requests: number
  /** What IndexedDB does one request at a time: a bulk write or read of n keys is n, a range or a query 1. */
  keyRequests: number
}

/** One key per value or key of a bulk call, one for a call over a range. */
function keysOf(request: DBCoreMutateRequest): number {
  if (request.type === 'deleteRange') return 1
  return request.type === 'delete' ? request.keys.length : request.values.length
}

/** Queues `rows` changes, then counts what draining them `batch` at a time costs, from connect to the pull. */
async function drainCost(rows: number, batch: number): Promise<DrainCost> {
  const server = new FakeSyncServer()
  const db = createTodoDb()
  const cost: DrainCost = { pushes: 0, transactions: 0, requests: 0, keyRequests: 0 }
  let counting = false
  const counted = <T>(keys: number, call: () => T): T => {
    if (counting) {
      cost.requests++
      cost.keyRequests += keys
    }
    return call()
  }
  db.use({
    stack: 'dbcore',
    name: 'drain-cost',
    // Below Dexie's own middleware: what reaches IndexedDB.
    level: -2,
    create: (down: DBCore): DBCore => ({
      ...down,
      transaction: (stores, mode, options) => {
        if (counting) cost.transactions++
        return down.transaction(stores, mode, options)
      },
      table: (name): DBCoreTable => {
        const table = down.table(name)
        return {
          ...table,
          get: (request) => counted(1, () => table.get(request)),
          getMany: (request) => counted(request.keys.length, () => table.getMany(request)),
          query: (request) => counted(1, () => table.query(request)),
          openCursor: (request) => counted(1, () => table.openCursor(request)),
          count: (request) => counted(1, () => table.count(request)),
          mutate: (request) => counted(keysOf(request), () => table.mutate(request)),
        }
      },
    }),
  })
  const fetch: FetchLike = (url, init) => {
    if (url.endsWith('/push')) cost.pushes++
    if (url.endsWith('/pull')) counting = false
    return server.fetch(url, init)
  }
  const { client } = createDevice(server, { db, fetch, pushBatchSize: batch })
  await db.todos.bulkAdd(Array.from({ length: rows }, (_, i) => ({ id: `t${i}`, title: `todo ${i}` })))
  counting = true
  await client.connect({ fetchCredentials: credentials() })
  await client.sync()
  expect(server.pushedChangeIds).toHaveLength(rows)
  expect(await client.listChanges()).toEqual([])
  return cost
}

/** What one more batch (or one more change) adds, from two drains that differ only in length. */
async function marginalCost(batch: number) {
  const short = await drainCost(2 * batch, batch)
  const long = await drainCost(6 * batch, batch)
  const batches = long.pushes - short.pushes
  expect(batches).toBe(4)
  return {
    transactionsPerBatch: (long.transactions - short.transactions) / batches,
    requestsPerBatch: (long.requests - short.requests) / batches,
    keyRequestsPerChange: (long.keyRequests - short.keyRequests) / (batches * batch),
  }
}

describe('the cost of draining the queue', () => {
  it('is a few transactions and bulk requests per batch, however many changes a batch holds', async () => {
    const small = await marginalCost(10)
    const large = await marginalCost(50)
    // Taking a batch and settling its answer, plus a little slack; never one per change.
    expect(small.transactionsPerBatch).toBeLessThanOrEqual(3)
    expect(large.transactionsPerBatch).toBeLessThanOrEqual(3)
    expect(small.requestsPerBatch).toBeLessThanOrEqual(16)
    // Five times the changes per batch, the same number of requests to IndexedDB.
    expect(large.requestsPerBatch).toBe(small.requestsPerBatch)
  })

  it('writes one row per drained change, its record’s known version; the rest goes by batch', async () => {
    const { keyRequestsPerChange } = await marginalCost(40)
    // Taking a batch lists it as in flight in one row; reading, checking and deleting it go by ranges.
    expect(keyRequestsPerChange).toBeLessThanOrEqual(1.5)
  })
})
