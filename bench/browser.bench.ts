/**
 * The benchmarks in real Chromium: local writes, network paths, draining 10× more changes, React renders
 * during a sync, and a large catch-up. Each suite prints its table with the baseline measured in the same run.
 */
import { type Harness, startHarness } from './browserHarness.js'
import { megabytes, withHeapSamples } from './heap.js'
import { formatTable } from './table.js'
import { makeRows } from './writes.js'

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000)
/** The long drain; its baseline is a tenth of it. */
const DRAIN_LARGE = Number(process.env.BENCH_DRAIN_ROWS ?? 100_000)
const HEAP_GOAL_BYTES = 64 * 1024 * 1024

/** The server's ingest ceiling: the same changes pushed by a plain script, 500 (the server's cap) at a time. */
async function ceiling(h: Harness): Promise<number> {
  const token = await h.devToken(`ceiling-${Date.now()}`)
  const changes = makeRows(ROWS, 'ceiling').map((row, i) => ({
    id: `ceiling-change-${i}`,
    collection: 'rows',
    recordId: row.id,
    type: 'create',
    data: row,
    prevData: null,
    timestamp: Date.now(),
  }))
  const started = performance.now()
  for (let i = 0; i < changes.length; i += 500) {
    const push = await fetch(`${h.server}/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ changes: changes.slice(i, i + 500) }),
    })
    if (!push.ok) throw new Error(`The ceiling script's push answered ${push.status}: ${await push.text()}`)
  }
  return performance.now() - started
}

/** Drains a tenth of DRAIN_LARGE and then DRAIN_LARGE to the trivial server, sampling the heap during each. */
async function drainScale(h: Harness): Promise<string> {
  await h.driven()
  const runs = []
  for (const rows of [DRAIN_LARGE / 10, DRAIN_LARGE]) {
    const queueStarted = performance.now()
    await h.page.evaluate((n) => window.benchSteps!.queueChanges(n), rows)
    if (process.env.BENCH_VERBOSE)
      console.log(`queued ${rows} in ${(performance.now() - queueStarted).toFixed(0)} ms`)
    const { result, heap } = await withHeapSamples(h.cdp, () =>
      h.page.evaluate((url) => window.benchSteps!.drainQueued(url), h.trivial),
    )
    runs.push({ rows, ...result, heap })
  }
  const [small, large] = runs as [(typeof runs)[0], (typeof runs)[0]]
  const line = (run: typeof small, ratio: string) => {
    const growth = run.heap.peakBytes - run.heap.beforeBytes
    return [
      `drain ${run.rows.toLocaleString('en')} to the trivial server`,
      run.ms.toFixed(0),
      ratio,
      `${megabytes(growth)}${run === large ? (growth <= HEAP_GOAL_BYTES ? ' ✓' : ' OVER') : ''}`,
      megabytes(run.heap.afterBytes - run.heap.beforeBytes),
      `${(run.tenthsMs[0] ?? 0).toFixed(0)} / ${(run.tenthsMs[9] ?? 0).toFixed(0)}`,
    ]
  }
  return formatTable(
    `Draining ${DRAIN_LARGE.toLocaleString('en')} vs ${small.rows.toLocaleString('en')} queued changes (default push batch) to the trivial server, in the page; goal: 10× the time for 10× the data, heap growth ≤ 64 MB`,
    [
      'path',
      'ms',
      `× the ${small.rows.toLocaleString('en')} drain`,
      'heap peak − before',
      'heap retained',
      'first / last tenth ms',
    ],
    [line(small, '1.00×'), line(large, `${(large.ms / small.ms).toFixed(2)}×`)],
  )
}

const h = await startHarness()
try {
  if (!process.env.BENCH_SKIP_WRITES) console.log(`${await h.suite('writes')}\n`)
  if (!process.env.BENCH_SKIP_NETWORK) {
    const ceilingMs = await ceiling(h)
    const config = {
      server: h.server,
      trivial: h.trivial,
      ceilingMs,
      rows: ROWS,
      batchSizes: process.env.BENCH_PULL_ONLY ? [] : [50, 200, 500],
    }
    console.log(`${await h.suite('network', config)}\n`)
  }
  if (!process.env.BENCH_SKIP_DRAIN_SCALE) console.log(`${await drainScale(h)}\n`)
  if (!process.env.BENCH_SKIP_RENDERS) {
    const token = await h.devToken(`renders-${Date.now()}`)
    console.log(`${await h.suite('renders', { server: h.server, token, changes: 1000 })}\n`)
  }
  if (!process.env.BENCH_SKIP_CATCH_UP) console.log(`${await h.suite('catch-up')}\n`)
} finally {
  await h.close()
}
