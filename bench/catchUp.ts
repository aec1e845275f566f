/**
 * The first sync of a large account in real Chromium: 50,000 rows pulled through the real client (HTTP
 * transport, validation, conflict checks, IndexedDB writes) from an in-page server, so only the work on
 * the page is measured. Prints the longest main-thread task, which the page would freeze for.
 */
import Dexie from 'dexie'
import {
  createEnvironment,
  createSyncClient,
  type FetchLike,
  type PulledChange,
} from '../packages/core/src/index.js'

const ROWS = Number(new URLSearchParams(location.search).get('rows') ?? 50_000)
const GOAL_MS = 100

/** Every page of the catch-up, serialised up front so the server's work is not on the clock. */
function serverPages(batchSize: number): Map<string | null, string> {
  const pages = new Map<string | null, string>()
  const start = Date.UTC(2026, 0, 1)
  for (let offset = 0; offset < ROWS; offset += batchSize) {
    const changes: PulledChange[] = []
    for (let i = offset; i < Math.min(offset + batchSize, ROWS); i++) {
      const recordId = `todo-${String(i).padStart(6, '0')}`
      changes.push({
        id: `change-${i}`,
        collection: 'todos',
        recordId,
        type: 'create',
        data: {
          id: recordId,
          title: `Todo ${i} with a title of ordinary length`,
          done: i % 3 === 0,
          order: i,
        },
        timestamp: start + i,
      })
    }
    const end = offset + changes.length
    const cursor = offset === 0 ? null : String(offset)
    pages.set(cursor, JSON.stringify({ changes, cursor: String(end), hasMore: end < ROWS }))
  }
  return pages
}

function inPageServer(pages: Map<string | null, string>): FetchLike {
  return async (_input, init) => {
    const { cursor } = JSON.parse(String(init.body)) as { cursor: string | null }
    const page = pages.get(cursor ?? null)
    if (page === undefined) return Response.json({ error: `unknown cursor ${cursor}` }, { status: 400 })
    return new Response(page, { headers: { 'content-type': 'application/json' } })
  }
}

/** The longest stretch the page could not run anything else: long tasks from Chromium, and gaps between timer ticks. */
function watchMainThread() {
  let longest = 0
  let longTasks = 0
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      longTasks++
      longest = Math.max(longest, entry.duration)
    }
  })
  observer.observe({ type: 'longtask' })
  let widestGap = 0
  let last = performance.now()
  let running = true
  const tick = () => {
    const now = performance.now()
    widestGap = Math.max(widestGap, now - last)
    last = now
    if (running) setTimeout(tick, 0)
  }
  setTimeout(tick, 0)
  return {
    stop() {
      running = false
      observer.disconnect()
      return { longest, longTasks, widestGap }
    },
  }
}

interface CatchUpResult {
  batchSize: number
  seconds: number
  longestTaskMs: number
  longTasks: number
  widestGapMs: number
}

async function catchUp(batchSize: number): Promise<CatchUpResult> {
  const db = new Dexie(`bench-catch-up-${batchSize}`)
  db.version(1).stores({ todos: 'id, order' })
  const client = createSyncClient(db, {
    tables: { todos: true },
    pullBatchSize: batchSize,
    autoSync: { intervalMs: 0, debounceMs: 0 },
    env: createEnvironment({ fetch: inPageServer(serverPages(batchSize)) }),
  })
  await db.open()
  const synced = new Promise<void>((resolve) => {
    const stop = client.subscribe((status) => {
      if (status.hasSynced && !status.isSyncing) {
        stop()
        resolve()
      }
    })
  })
  const watch = watchMainThread()
  const started = performance.now()
  await client.connect({
    fetchCredentials: async () => ({ endpoint: 'http://bench.invalid', token: 'bench' }),
  })
  await synced
  const seconds = (performance.now() - started) / 1000
  const { longest, longTasks, widestGap } = watch.stop()
  const stored = await db.table('todos').count()
  await client.close()
  await db.delete()
  if (stored !== ROWS) throw new Error(`The catch-up stored ${stored} rows instead of ${ROWS}.`)
  return { batchSize, seconds, longestTaskMs: longest, longTasks, widestGapMs: widestGap }
}

/** Catches up once per pull batch size, the default (100) first; returns the printable table. */
export async function runCatchUpBench(environment: string): Promise<string> {
  const results: CatchUpResult[] = []
  for (const batchSize of [100, 1000]) results.push(await catchUp(batchSize))
  const header = [
    'pullBatchSize',
    'seconds',
    'rows/s',
    'longest task ms',
    'tasks ≥ 50 ms',
    'widest timer gap ms',
  ]
  const rows = results.map((r) => [
    String(r.batchSize),
    r.seconds.toFixed(1),
    Math.round(ROWS / r.seconds).toLocaleString('en'),
    r.longTasks ? r.longestTaskMs.toFixed(0) : '< 50',
    String(r.longTasks),
    r.widestGapMs.toFixed(0),
  ])
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  )
  const line = (cells: string[]) => cells.map((cell, i) => cell.padStart(widths[i]!)).join('  ')
  const worst = Math.max(...results.map((r) => Math.max(r.longestTaskMs, r.widestGapMs)))
  return [
    `Catch-up of ${ROWS.toLocaleString('en')} rows on ${environment} (goal: longest task < ${GOAL_MS} ms).`,
    line(header),
    ...rows.map(line),
    `Longest main-thread stall: ${worst.toFixed(0)} ms — ${worst < GOAL_MS ? 'within' : 'OVER'} the goal.`,
  ].join('\n')
}
