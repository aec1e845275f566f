/**
 * Draining: N queued changes taken and completed in batches of 100 through a real client (the upload
 * loop's own calls, to an accept-everything backend), until its status shows an empty queue. Linear cost
 * makes the 20,000 run 10× the 2,000 run.
 */

import Dexie from 'dexie'
import { createEnvironment, createSyncClient } from '../packages/core/src/index.js'
import { formatTable } from './table.js'
import { makeRows } from './writes.js'

let counter = 0

async function drain(count: number): Promise<{ ms: number; heapMb: number }> {
  const db = new Dexie(`bench-drain-${++counter}`)
  db.version(1).stores({ rows: 'id' })
  const env = createEnvironment({ logger: { warn: () => {}, error: () => {} } })
  const client = createSyncClient(db, { tables: { rows: true }, env })
  await db.table('rows').bulkPut(makeRows(count, 'drain'))
  await until(client, (pending) => pending === count)
  globalThis.gc?.()
  const heapBefore = process.memoryUsage().heapUsed
  const started = performance.now()
  for (let batch = await client.getCrudBatch(100); batch; batch = await client.getCrudBatch(100)) {
    await batch.complete()
  }
  await until(client, (pending) => pending === 0)
  const ms = performance.now() - started
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20
  await client.close()
  await db.delete()
  return { ms, heapMb }
}

function until(
  client: ReturnType<typeof createSyncClient>,
  done: (pending: number) => boolean,
): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (!done(client.getSnapshot().pendingChanges)) return
      stop()
      resolve()
    }
    const stop = client.subscribe(check)
    check()
  })
}

/** Drains 2,000 and 20,000 changes; returns the printable table with the time ratio. */
export async function runDrainBench(environment: string): Promise<string> {
  Dexie.debug = false
  const small = await drain(2_000)
  const large = await drain(20_000)
  const rows = [
    ['2,000 changes', small.ms.toFixed(0), small.heapMb.toFixed(1)],
    ['20,000 changes', large.ms.toFixed(0), large.heapMb.toFixed(1)],
  ]
  const ratio = `20,000 / 2,000 time: ${(large.ms / small.ms).toFixed(1)}× (linear is 10×)`
  const title = `Draining through a client, batches of 100 — ${environment}`
  return `${formatTable(title, ['queue', 'ms', 'heap growth MB'], rows)}\n${ratio}`
}
