/**
 * Draining a long queue, run in the page but driven step by step from Node (browser.bench.ts), so Node
 * can collect garbage, sample the heap and take CPU profiles around exactly the drain. Queueing is not timed.
 */
import Dexie from 'dexie'
import { createSyncClient, type SyncClient } from '../packages/core/src/index.js'
import { makeRows } from './writes.js'

/** Rows are written in slices of this many, so queueing 100,000 never holds them all in memory at once. */
const QUEUE_SLICE = 10_000

let counter = 0
let queued: { db: Dexie; client: SyncClient; rows: number } | null = null

/** Opens a fresh database with a client (not connected, no auto sync) and queues `rows` changes. */
export async function queueChanges(rows: number, pushBatchSize?: number): Promise<void> {
  Dexie.debug = false
  const db = new Dexie(`bench-drain-scale-${Date.now()}-${++counter}`)
  db.version(1).stores({ rows: 'id' })
  const client = createSyncClient(db, {
    tables: { rows: true },
    autoSync: false,
    ...(pushBatchSize ? { pushBatchSize } : {}),
  })
  for (let offset = 0; offset < rows; offset += QUEUE_SLICE) {
    const slice = makeRows(Math.min(QUEUE_SLICE, rows - offset), `scale-${counter}`).map((row, i) => ({
      ...row,
      id: `scale-${counter}-${offset + i}`,
    }))
    await db.table('rows').bulkPut(slice)
  }
  await until(client, () => client.getSnapshot().pendingChanges === rows)
  queued = { db, client, rows }
}

export interface DrainTimes {
  ms: number
  /** How long each tenth of the queue took to drain: equal tenths mean each batch costs the same. */
  tenthsMs: number[]
}

/** Connects the queued client to `endpoint` and times connect → an empty queue; then deletes the database. */
export async function drainQueued(endpoint: string, token = 'bench'): Promise<DrainTimes> {
  if (!queued) throw new Error('drainQueued() before queueChanges()')
  const { db, client, rows } = queued
  queued = null
  const marks: number[] = []
  const watch = client.subscribe(({ uploadProgress }) => {
    const done = uploadProgress?.done ?? 0
    while (marks.length < 10 && done >= ((marks.length + 1) * rows) / 10) marks.push(performance.now())
  })
  const started = performance.now()
  await client.connect({ fetchCredentials: async () => ({ endpoint, token }) })
  await client.sync()
  await until(client, () => client.getSnapshot().pendingChanges === 0)
  const ms = performance.now() - started
  watch()
  await client.close()
  await db.delete()
  return { ms, tenthsMs: marks.map((mark, i) => mark - (i ? marks[i - 1]! : started)) }
}

export async function until(client: SyncClient, done: () => boolean): Promise<void> {
  if (done()) return
  await new Promise<void>((resolve) => {
    const unsubscribe = client.subscribe(() => {
      if (done()) {
        unsubscribe()
        resolve()
      }
    })
  })
}
