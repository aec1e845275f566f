/**
 * The benchmarks in real Chromium (the e2e suite's launcher). The page is built with Vite and served by
 * the reference server itself (same origin), on PostgreSQL when DRIFTLESS_BENCH_DATABASE_URL is set and
 * on PGlite otherwise; a trivial accept-everything server stands beside it for the RxDB comparison.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'vite'
import { launchBrowser } from '../e2e/support/browser.js'
import { startServer } from '../packages/server/src/index.js'
import type { NetworkBenchConfig } from './network.js'
import { makeRows } from './writes.js'

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000)
const work = await mkdtemp(join(tmpdir(), 'driftless-bench-'))
const outDir = join(work, 'dist')
await build({
  root: join(import.meta.dirname, 'browser'),
  logLevel: 'warn',
  build: { outDir, emptyOutDir: true },
})

const databaseUrl = process.env.DRIFTLESS_BENCH_DATABASE_URL
const server = await startServer({
  port: 0,
  ...(databaseUrl ? { databaseUrl } : { dataDir: join(work, 'pglite') }),
  auth: { secret: 'bench-secret-bench-secret-bench-secret' },
  devTokens: true,
  staticDir: outDir,
  maxBodyBytes: 8 * 1024 * 1024,
})

/** Accepts every push (the Driftless contract and RxDB's push handler) and has nothing to pull. */
const trivial = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    const headers = {
      'access-control-allow-origin': '*',
      'access-control-allow-headers': 'authorization, content-type',
      'content-type': 'application/json',
    }
    if (req.method === 'OPTIONS') return res.writeHead(204, headers).end()
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {}
    const now = Date.now()
    let answer: unknown = []
    if (req.url?.endsWith('/push')) {
      const changes = body.changes as { id: string }[]
      answer = {
        accepted: changes.map(({ id }) => ({ id, serverTimestamp: now })),
        conflicts: [],
        errors: [],
      }
    } else if (req.url?.endsWith('/pull')) {
      answer = { changes: [], cursor: null, hasMore: false }
    }
    res.writeHead(200, headers).end(JSON.stringify(answer))
  })
})
await new Promise<void>((resolve) => trivial.listen(0, '127.0.0.1', resolve))
const trivialUrl = `http://127.0.0.1:${(trivial.address() as AddressInfo).port}`

/** The server's ingest ceiling: the same changes pushed by a plain script, 500 (the server's cap) at a time. */
async function ceiling(): Promise<number> {
  const response = await fetch(`${server.url}/auth/dev-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId: `ceiling-${Date.now()}` }),
  })
  const { token } = (await response.json()) as { token: string }
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
    const push = await fetch(`${server.url}/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ changes: changes.slice(i, i + 500) }),
    })
    if (!push.ok) throw new Error(`The ceiling script's push answered ${push.status}: ${await push.text()}`)
  }
  return performance.now() - started
}

const browser = await launchBrowser()
try {
  const page = await browser.context.newPage()
  page.on('console', (message) => {
    if (process.env.BENCH_VERBOSE) console.log('page:', message.text())
  })
  const run = async (suite: string, config?: NetworkBenchConfig) => {
    const query = new URLSearchParams({ suite, ...(config ? { config: JSON.stringify(config) } : {}) })
    await page.goto(`${server.url}/index.html?${query}`)
    await page.waitForFunction(() => window.benchResult !== undefined, null, {
      timeout: 900_000,
      polling: 500,
    })
    const result = await page.evaluate(() => window.benchResult!)
    if ('error' in result) throw new Error(`The browser bench failed: ${result.error}`)
    console.log(`${result.table}\n`)
  }
  if (!process.env.BENCH_SKIP_WRITES) await run('writes')
  if (!process.env.BENCH_SKIP_NETWORK) {
    const ceilingMs = await ceiling()
    await run('network', {
      server: server.url,
      trivial: trivialUrl,
      ceilingMs,
      rows: ROWS,
      batchSizes: [50, 200, 500],
    })
  }
  if (!process.env.BENCH_SKIP_CATCH_UP) await run('catch-up')
} finally {
  await browser.close()
  await server.close()
  trivial.close()
  await rm(work, { recursive: true, force: true })
}
