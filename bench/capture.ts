/**
 * The cost of write capture: the same rows written to a synced table and to an unsynced one of the same
 * database, in one process. Runs on whatever IndexedDB the environment has (fake-indexeddb in Node, the
 * real one in Chromium). Medians and the ratio synced/raw.
 */
import Dexie from 'dexie'
import { attachOutbox } from '../packages/core/src/capture/capture.js'
import { OUTBOX_TABLE } from '../packages/core/src/capture/outbox.js'

interface Row {
  id: string
  title: string
  done: boolean
  order: number
}

type Mode = 'raw' | 'synced'

interface Case {
  name: string
  rows: Row[]
  write: (table: Dexie.Table<Row, string>, rows: Row[]) => Promise<void>
}

const REPETITIONS = 7

const rows = (count: number, prefix: string): Row[] =>
  Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${String(i).padStart(6, '0')}`,
    title: `Row ${i} with a title of ordinary length`,
    done: i % 3 === 0,
    order: i,
  }))

const cases: Case[] = [
  {
    name: '1,000 × put, one transaction each',
    rows: rows(1000, 'single'),
    write: async (table, rows) => {
      for (const row of rows) await table.put(row)
    },
  },
  {
    name: 'bulkPut of 10,000',
    rows: rows(10_000, 'bulk'),
    write: async (table, rows) => {
      await table.bulkPut(rows)
    },
  },
]

let dbCounter = 0

/** Writes the rows into a fresh database; returns ms and rows stored per row (table + outbox). */
async function measure(mode: Mode, testCase: Case): Promise<{ ms: number; rowsPerRow: number }> {
  const db = new Dexie(`bench-${++dbCounter}`)
  db.version(1).stores({ raw: 'id', synced: 'id' })
  attachOutbox(db, { tables: { synced: true } })
  await db.open()
  const table = db.table<Row, string>(mode)
  const started = performance.now()
  await testCase.write(table, testCase.rows)
  const ms = performance.now() - started
  const stored = (await table.count()) + (await db.table(OUTBOX_TABLE).count())
  await db.delete()
  return { ms, rowsPerRow: stored / testCase.rows.length }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** Runs every case in this environment's IndexedDB; returns the printable table. */
export async function runCaptureBench(environment: string): Promise<string> {
  const results: string[][] = []
  for (const testCase of cases) {
    await measure('raw', testCase)
    await measure('synced', testCase)
    const times: Record<Mode, number[]> = { raw: [], synced: [] }
    const rowsPerRow: Record<Mode, number> = { raw: 0, synced: 0 }
    for (let i = 0; i < REPETITIONS; i++) {
      // Alternate which goes first, so warm-up and GC drift fall on both sides.
      const order: Mode[] = i % 2 ? ['synced', 'raw'] : ['raw', 'synced']
      for (const mode of order) {
        const result = await measure(mode, testCase)
        times[mode].push(result.ms)
        rowsPerRow[mode] = result.rowsPerRow
      }
    }
    const raw = median(times.raw)
    const synced = median(times.synced)
    results.push([
      testCase.name,
      raw.toFixed(1),
      synced.toFixed(1),
      `${(synced / raw).toFixed(2)}×`,
      `${rowsPerRow.raw.toFixed(1)} / ${rowsPerRow.synced.toFixed(1)}`,
    ])
  }
  const header = ['case', 'raw ms', 'synced ms', 'synced/raw', 'rows stored per row (raw / synced)']
  const widths = header.map((title, column) =>
    Math.max(title.length, ...results.map((row) => row[column]!.length)),
  )
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ')
  return [
    `Write capture on ${environment}; median of ${REPETITIONS} after a warm-up.`,
    line(header),
    ...results.map(line),
  ].join('\n')
}
