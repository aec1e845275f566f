/**
 * Local writes: the same rows written by raw Dexie, by Dexie with only the capture middleware, by Dexie
 * with a whole sync client created (not connected), and by RxDB on its Dexie storage. Runs on whatever
 * IndexedDB the environment has (fake-indexeddb in Node, the real one in Chromium). Medians, and each
 * path's ratio against raw Dexie measured in the same run.
 */

import Dexie from 'dexie'
import { createRxDatabase, type RxCollection } from 'rxdb'
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie'
import { attachOutbox } from '../packages/core/src/capture/capture.js'
import { createEnvironment, createSyncClient } from '../packages/core/src/index.js'
import { formatTable, median } from './table.js'

export interface Row {
  id: string
  title: string
  done: boolean
  order: number
}

export const makeRows = (count: number, prefix: string): Row[] =>
  Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${String(i).padStart(6, '0')}`,
    title: `Row ${i} with a title of ordinary length`,
    done: i % 3 === 0,
    order: i,
  }))

/** One way of storing rows: opens a fresh store, returns the writer and how to dispose of it. */
interface Store {
  put(row: Row): Promise<unknown>
  bulkPut(rows: Row[]): Promise<unknown>
  dispose(): Promise<void>
}

export type Path = 'raw' | 'capture' | 'client' | 'rxdb'
const PATHS: Path[] = ['raw', 'capture', 'client', 'rxdb']
const LABELS: Record<Path, string> = {
  raw: 'raw Dexie',
  capture: 'capture middleware alone',
  client: 'Driftless client (not connected)',
  rxdb: 'RxDB (Dexie storage)',
}

let counter = 0

async function openDexie(path: 'raw' | 'capture' | 'client'): Promise<Store> {
  const db = new Dexie(`bench-writes-${++counter}`)
  db.version(1).stores({ rows: 'id' })
  let close = async () => {}
  if (path === 'capture') attachOutbox(db, { tables: { rows: true } })
  if (path === 'client') {
    // A quiet logger: in Node the client warns once per database that Web Locks are missing.
    const env = createEnvironment({ logger: { warn: () => {}, error: () => {} } })
    const client = createSyncClient(db, { tables: { rows: true }, env })
    close = () => client.close()
  }
  await db.open()
  const table = db.table<Row, string>('rows')
  return {
    put: (row) => table.put(row),
    bulkPut: (rows) => table.bulkPut(rows),
    dispose: async () => {
      await close()
      await db.delete()
    },
  }
}

const rxSchema = {
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 64 },
    title: { type: 'string' },
    done: { type: 'boolean' },
    order: { type: 'number' },
  },
  required: ['id', 'title', 'done', 'order'],
} as const

export async function openRxCollection(name = `bench-rx-${++counter}`) {
  const database = await createRxDatabase({ name, storage: getRxStorageDexie(), multiInstance: false })
  const collections = await database.addCollections({ rows: { schema: rxSchema } })
  return { database, rows: collections.rows as RxCollection<Row> }
}

async function openRx(): Promise<Store> {
  const { database, rows } = await openRxCollection()
  return {
    put: (row) => rows.upsert(row),
    bulkPut: (batch) => rows.bulkUpsert(batch),
    dispose: async () => {
      await database.remove()
    },
  }
}

const open = (path: Path): Promise<Store> => (path === 'rxdb' ? openRx() : openDexie(path))

interface Case {
  name: string
  rows: Row[]
  write(store: Store, rows: Row[]): Promise<void>
}

const cases: Case[] = [
  {
    name: '1,000 awaited put',
    rows: makeRows(1000, 'single'),
    write: async (store, rows) => {
      for (const row of rows) await store.put(row)
    },
  },
  {
    name: 'bulkPut of 10,000',
    rows: makeRows(10_000, 'bulk'),
    write: async (store, rows) => {
      await store.bulkPut(rows)
    },
  },
]

/** One timed run of a case ('put' or 'bulkPut') on one path, in a fresh store: what a CPU profile wraps. */
export function timeWrites(path: Path, which: 'put' | 'bulkPut'): Promise<number> {
  Dexie.debug = false
  return measure(path, cases[which === 'put' ? 0 : 1]!)
}

async function measure(path: Path, testCase: Case): Promise<number> {
  const store = await open(path)
  const started = performance.now()
  await testCase.write(store, testCase.rows)
  const ms = performance.now() - started
  await store.dispose()
  return ms
}

/** Runs every case on every path, interleaved so drift falls on all of them; returns the printable table. */
export async function runWritesBench(environment: string, repetitions: number): Promise<string> {
  Dexie.debug = false
  const lines: string[][] = []
  for (const testCase of cases) {
    for (const path of PATHS) await measure(path, testCase)
    const times = Object.fromEntries(PATHS.map((path) => [path, [] as number[]])) as Record<Path, number[]>
    for (let i = 0; i < repetitions; i++) {
      const order = i % 2 ? [...PATHS].reverse() : PATHS
      for (const path of order) times[path].push(await measure(path, testCase))
    }
    const raw = median(times.raw)
    for (const path of PATHS) {
      const ms = median(times[path])
      lines.push([testCase.name, LABELS[path], ms.toFixed(1), `${(ms / raw).toFixed(2)}×`])
    }
  }
  return formatTable(
    `Local writes on ${environment}; median of ${repetitions} after a warm-up, interleaved.`,
    ['case', 'path', 'ms', '× raw Dexie'],
    lines,
  )
}
