/**
 * The floor under a captured write, in Chromium without Dexie or Driftless: 10,000 rows in one IndexedDB
 * transaction, and 1,000 transactions of one row each, alone and next to one queue entry per row in a store
 * shaped like the outbox (auto-increment key, with none, one or all of its three indexes), with and without
 * the read of the previous row. Each is printed as a ratio to the rows alone: what the same requests cost
 * the browser whatever code issues them.
 * Run from `bench/`: `npx tsx outboxFloor.bench.ts` (not part of `pnpm bench`).
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { launchBrowser } from '../e2e/support/browser.js'
import { formatTable } from './table.js'

const REPETITIONS = Number(process.env.BENCH_REPETITIONS ?? 5)

const server = createServer((_, res) =>
  res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html>'),
)
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const browser = await launchBrowser()
try {
  const page = await browser.context.newPage()
  // tsx keeps function names with a helper the page does not have.
  await page.addInitScript('window.__name = (fn) => fn')
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)
  const medians = await page.evaluate(async (repetitions) => {
    const rows = Array.from({ length: 10_000 }, (_, i) => ({
      id: `bulk-${String(i).padStart(6, '0')}`,
      title: `Row ${i} with a title of ordinary length`,
      done: i % 3 === 0,
      order: i,
    }))
    // Random change ids, as nanoids are: each lands somewhere in the id index.
    const entries = rows.map((row, i) => ({
      id: crypto.randomUUID().replaceAll('-', '').slice(0, 21),
      txId: 'V1StGXR8_Z5jdHi6B-myT',
      collection: 'rows',
      recordId: row.id,
      type: 'create',
      data: row,
      prevData: null,
      timestamp: 1_765_000_000_000 + i,
      status: 'pending',
      retries: 0,
      errorMessage: null,
    }))
    const INDEXES: Record<string, string | string[]> = {
      id: 'id',
      status: 'status',
      '[collection+recordId]': ['collection', 'recordId'],
    }
    const ALL = Object.keys(INDEXES)
    type Write = (table: IDBObjectStore, outbox: IDBObjectStore | null, i: number) => void
    const put: Write = (table, outbox, i) => {
      table.put(rows[i]!)
      outbox?.add(entries[i]!)
    }
    const getPut: Write = (table, outbox, i) => {
      table.get(rows[i]!.id)
      put(table, outbox, i)
    }
    // As the capture did before #15: the entry is added once the read of the previous row has answered.
    const getThenAdd: Write = (table, outbox, i) => {
      table.get(rows[i]!.id).onsuccess = () => outbox!.add(entries[i]!)
      table.put(rows[i]!)
    }
    // [label, outbox indexes (null: no outbox), rows per transaction, write]
    const cases: [string, string[] | null, number, Write][] = [
      ['bulk 10,000: rows alone (raw IndexedDB)', null, 10_000, put],
      ['bulk 10,000: rows + entries, no index', [], 10_000, put],
      ['bulk 10,000: rows + entries, id index', ['id'], 10_000, put],
      ['bulk 10,000: rows + entries, status index', ['status'], 10_000, put],
      ['bulk 10,000: rows + entries, [collection+recordId] index', ['[collection+recordId]'], 10_000, put],
      ['bulk 10,000: rows + entries, all three (the outbox)', ALL, 10_000, put],
      ['1,000 awaited: row alone (raw IndexedDB)', null, 1, put],
      ['1,000 awaited: row + get', null, 1, getPut],
      ['1,000 awaited: row + entry (the outbox)', ALL, 1, put],
      ['1,000 awaited: get + row + entry, together', ALL, 1, getPut],
      ['1,000 awaited: get + row, then entry', ALL, 1, getThenAdd],
    ]
    let counter = 0
    const done = (request: IDBRequest | IDBTransaction) =>
      new Promise<void>((resolve, reject) => {
        if (request instanceof IDBTransaction) request.oncomplete = () => resolve()
        else request.onsuccess = () => resolve()
        request.onerror = () => reject(request.error)
      })
    const time = async (indexes: string[] | null, perTransaction: number, write: Write) => {
      const name = `floor-${++counter}`
      const open = indexedDB.open(name, 1)
      open.onupgradeneeded = () => {
        open.result.createObjectStore('rows', { keyPath: 'id' })
        if (!indexes) return
        const outbox = open.result.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true })
        for (const index of indexes) outbox.createIndex(index, INDEXES[index]!)
      }
      await done(open)
      const db = open.result
      const count = perTransaction === 1 ? 1000 : perTransaction
      const started = performance.now()
      for (let first = 0; first < count; first += perTransaction) {
        const trans = db.transaction(indexes ? ['rows', 'outbox'] : ['rows'], 'readwrite')
        const table = trans.objectStore('rows')
        const outbox = indexes ? trans.objectStore('outbox') : null
        for (let i = first; i < first + perTransaction; i++) write(table, outbox, i)
        await done(trans)
      }
      const ms = performance.now() - started
      db.close()
      await done(indexedDB.deleteDatabase(name))
      return ms
    }
    const times = cases.map(() => [] as number[])
    for (let i = 0; i <= repetitions; i++) {
      for (const [c, [, indexes, perTransaction, write]] of cases.entries()) {
        const ms = await time(indexes, perTransaction, write)
        if (i > 0) times[c]!.push(ms)
      }
    }
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!
    return cases.map(([label], c) => [label, median(times[c]!)] as const)
  }, REPETITIONS)
  // Each case against the first of its group (the rows alone).
  const alone = (label: string) => medians.find(([other]) => other.split(':')[0] === label.split(':')[0])![1]
  console.log(
    formatTable(
      `Real IndexedDB without Dexie, ${await page.evaluate(() => navigator.userAgent.match(/HeadlessChrome\/\S+/)?.[0])}; median of ${REPETITIONS} after a warm-up, interleaved.`,
      ['case', 'ms', '× row(s) alone'],
      medians.map(([label, ms]) => [label, ms.toFixed(1), `${(ms / alone(label)).toFixed(2)}×`]),
    ),
  )
} finally {
  await browser.close()
  server.close()
}
