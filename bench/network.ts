/**
 * Network paths, run in the page: draining a queue to the reference server, pulling a catch-up into an
 * empty database, and replicating to a trivial server beside RxDB. Every figure comes with the baseline
 * measured in the same run (the server's own ceiling, the network plus a raw bulkPut, RxDB).
 */
import Dexie from 'dexie'
import type { WithDeleted } from 'rxdb'
import { replicateRxCollection } from 'rxdb/plugins/replication'
import { lastValueFrom } from 'rxjs'
import { filter, first } from 'rxjs/operators'
import { createSyncClient, type SyncClient } from '../packages/core/src/index.js'
import { until } from './drainScale.js'
import { formatTable } from './table.js'
import { makeRows, openRxCollection, type Row } from './writes.js'

export interface NetworkBenchConfig {
  /** The reference server (same origin as the page). */
  server: string
  /** A server that accepts every push and has nothing to pull. */
  trivial: string
  /** The reference server's ingest ceiling for the same changes, measured by a plain Node script. */
  ceilingMs: number
  rows: number
  /** Push batch sizes of the drains; none (BENCH_PULL_ONLY) leaves the drains and the RxDB line out. */
  batchSizes: number[]
}

let counter = 0

async function devToken(server: string, userId: string): Promise<string> {
  const response = await fetch(`${server}/auth/dev-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  })
  return ((await response.json()) as { token: string }).token
}

function openClient(pushBatchSize: number, pullBatchSize = 100): { db: Dexie; client: SyncClient } {
  const db = new Dexie(`bench-network-${++counter}`)
  db.version(1).stores({ rows: 'id' })
  const client = createSyncClient(db, {
    tables: { rows: true },
    autoSync: false,
    pushBatchSize,
    pullBatchSize,
  })
  return { db, client }
}

/**
 * Queues `rows` changes (not timed), then times connect → an empty queue. The pull that follows in the same
 * round (it brings the user's changes back) is not part of the drain, as the server's ceiling has none.
 */
async function drain(endpoint: string, token: string, rows: number, batch: number): Promise<number> {
  const { db, client } = openClient(batch)
  await db.table('rows').bulkPut(makeRows(rows, `drain-${counter}`))
  const started = performance.now()
  await client.connect({ fetchCredentials: async () => ({ endpoint, token }) })
  await until(client, () => client.getSnapshot().pendingChanges === 0)
  const ms = performance.now() - started
  await client.close()
  await db.delete()
  return ms
}

/** Times a first sync of an empty database that pulls `rows` changes, page by page. */
async function pullInto(endpoint: string, token: string, page: number): Promise<number> {
  const { db, client } = openClient(50, page)
  await db.open()
  const started = performance.now()
  await client.connect({ fetchCredentials: async () => ({ endpoint, token }) })
  await client.sync()
  await until(client, () => client.getSnapshot().hasSynced && !client.getSnapshot().isSyncing)
  const ms = performance.now() - started
  await client.close()
  await db.delete()
  return ms
}

/** The baseline for a pull: the same pages fetched with plain fetch, and each page bulkPut into raw Dexie. */
async function pullBaseline(server: string, token: string, page: number) {
  const db = new Dexie(`bench-network-raw-${++counter}`)
  db.version(1).stores({ rows: 'id' })
  await db.open()
  let network = 0
  let store = 0
  let cursor: unknown = null
  for (;;) {
    let started = performance.now()
    const response = await fetch(`${server}/pull`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ cursor, batchSize: page }),
    })
    const result = (await response.json()) as { changes: { data: Row }[]; cursor: unknown; hasMore: boolean }
    network += performance.now() - started
    started = performance.now()
    await db.table('rows').bulkPut(result.changes.map((change) => change.data))
    store += performance.now() - started
    cursor = result.cursor
    if (!result.hasMore) break
  }
  await db.delete()
  return { network, store }
}

/** RxDB replicating `rows` local documents to the trivial server. */
async function rxdbReplicate(trivial: string, rows: number, batchSize: number): Promise<number> {
  const { database, rows: collection } = await openRxCollection()
  await collection.bulkUpsert(makeRows(rows, `rx-${counter}`))
  const started = performance.now()
  const replication = replicateRxCollection<Row, unknown>({
    collection,
    replicationIdentifier: `bench-${++counter}`,
    live: false,
    push: {
      batchSize,
      handler: async (changeRows) => {
        const response = await fetch(`${trivial}/rxdb-push`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(changeRows),
        })
        return (await response.json()) as WithDeleted<Row>[]
      },
    },
  })
  await lastValueFrom(
    replication.active$.pipe(
      filter((active) => !active),
      first(),
    ),
  )
  await replication.awaitInitialReplication()
  const ms = performance.now() - started
  await replication.cancel()
  await database.remove()
  return ms
}

const ratio = (value: number, baseline: number) => `${(value / baseline).toFixed(2)}×`

export async function runNetworkBench(config: NetworkBenchConfig): Promise<string> {
  const log = (message: string) => console.log(`${new Date().toISOString()} ${message}`)
  Dexie.debug = false
  const lines: string[][] = []
  const { rows } = config
  for (const batch of config.batchSizes) {
    log(`drain batch ${batch}`)
    // A user of its own, so no row's server holds (or pulls back) the changes of the rows before it.
    const token = await devToken(config.server, `bench-${batch}-${Date.now()}`)
    const ms = await drain(config.server, token, rows, batch)
    lines.push([
      `drain ${rows.toLocaleString('en')} to the reference server, batch ${batch}`,
      ms.toFixed(0),
      `server ceiling ${config.ceilingMs.toFixed(0)}`,
      ratio(ms, config.ceilingMs),
    ])
  }
  const pullUser = `bench-pull-${Date.now()}`
  const pullToken = await devToken(config.server, pullUser)
  await drain(config.server, pullToken, rows, 500)
  for (const page of [100, 1000]) {
    log(`pull page ${page}`)
    const baseline = await pullBaseline(config.server, pullToken, page)
    const ms = await pullInto(config.server, pullToken, page)
    const floor = baseline.network + baseline.store
    lines.push([
      `pull-apply ${rows.toLocaleString('en')} into an empty db, page ${page}`,
      ms.toFixed(0),
      `network ${baseline.network.toFixed(0)} + bulkPut ${baseline.store.toFixed(0)}`,
      ratio(ms, floor),
    ])
  }
  if (config.batchSizes.length === 0) {
    return formatTable(
      'Pulling in the page (one run each; the baseline in the same run)',
      ['path', 'Driftless ms', 'baseline ms', 'ratio'],
      lines,
    )
  }
  log('rxdb')
  const rx = await rxdbReplicate(config.trivial, rows, 50)
  const ours = await drain(config.trivial, 'trivial', rows, 50)
  lines.push([
    `replicate ${rows.toLocaleString('en')} to a trivial server, batch 50`,
    ours.toFixed(0),
    `RxDB ${rx.toFixed(0)}`,
    ratio(ours, rx),
  ])
  return formatTable(
    'Network paths in the page (one run each; the baseline in the same run)',
    ['path', 'Driftless ms', 'baseline ms', 'ratio'],
    lines,
  )
}
