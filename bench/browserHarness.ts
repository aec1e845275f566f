/**
 * What the Chromium benchmarks stand on: the bench page built with Vite and served by the reference server
 * itself (same origin), on PostgreSQL when DRIFTLESS_BENCH_DATABASE_URL is set and on PGlite otherwise; a
 * trivial accept-everything server beside it; Chromium (the e2e suite's launcher) with a DevTools session.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CDPSession, Page } from 'playwright-core'
import { build, defaultClientConditions } from 'vite'
import { launchBrowser } from '../e2e/support/browser.js'
import { startServer } from '../packages/server/src/index.js'
import { SOURCE_CONDITION } from '../vitest.conditions.js'

export interface Harness {
  /** The reference server's origin, which also serves the page. */
  server: string
  /** Accepts every push (the Driftless contract and RxDB's push handler) and has nothing to pull. */
  trivial: string
  /** The built page's directory (its bundle maps a profile's lines back to source files). */
  pageDir: string
  page: Page
  cdp: CDPSession
  /** Runs a suite that prints a table; returns the table. */
  suite(name: string, config?: unknown): Promise<string>
  /** Opens the page with its steps exposed, for `page.evaluate(() => window.benchSteps!…)`. */
  driven(): Promise<void>
  devToken(userId: string): Promise<string>
  close(): Promise<void>
}

/** `readable` builds the page unminified, so a CPU profile names the functions. */
export async function startHarness({ readable = false } = {}): Promise<Harness> {
  const work = await mkdtemp(join(tmpdir(), 'driftless-bench-'))
  const pageDir = join(work, 'dist')
  await build({
    root: join(import.meta.dirname, 'browser'),
    logLevel: 'warn',
    // Workspace packages (the React bindings import @driftless/core) resolve to their source, as in the tests.
    resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
    build: {
      outDir: pageDir,
      emptyOutDir: true,
      minify: !readable,
      rollupOptions: {
        // The React bindings' 'use client' is for server-component bundlers; a browser bundle has no use for it.
        onwarn(warning, warn) {
          if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning)
        },
      },
    },
  })

  const databaseUrl = process.env.DRIFTLESS_BENCH_DATABASE_URL
  const reference = await startServer({
    port: 0,
    ...(databaseUrl ? { databaseUrl } : { dataDir: join(work, 'pglite') }),
    auth: { secret: 'bench-secret-bench-secret-bench-secret' },
    devTokens: true,
    staticDir: pageDir,
    maxBodyBytes: 8 * 1024 * 1024,
  })

  const trivialServer = createServer((req, res) => {
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
  await new Promise<void>((resolve) => trivialServer.listen(0, '127.0.0.1', resolve))
  const trivial = `http://127.0.0.1:${(trivialServer.address() as AddressInfo).port}`

  const browser = await launchBrowser()
  const page = await browser.context.newPage()
  page.on('console', (message) => {
    if (process.env.BENCH_VERBOSE) console.log('page:', message.text())
  })
  const cdp = await browser.context.newCDPSession(page)

  return {
    server: reference.url,
    trivial,
    pageDir,
    page,
    cdp,
    async suite(name, config) {
      const query = new URLSearchParams({
        suite: name,
        ...(config === undefined ? {} : { config: JSON.stringify(config) }),
      })
      await page.goto(`${reference.url}/index.html?${query}`)
      await page.waitForFunction(() => window.benchResult !== undefined, null, {
        timeout: 1_800_000,
        polling: 500,
      })
      const result = await page.evaluate(() => window.benchResult!)
      if ('error' in result) throw new Error(`The browser bench ${name} failed: ${result.error}`)
      return result.table
    },
    async driven() {
      await page.goto(`${reference.url}/index.html?suite=driven`)
      await page.waitForFunction(() => window.benchSteps !== undefined)
    },
    async devToken(userId) {
      const response = await fetch(`${reference.url}/auth/dev-token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId }),
      })
      return ((await response.json()) as { token: string }).token
    },
    async close() {
      await browser.close()
      await reference.close()
      trivialServer.close()
      await rm(work, { recursive: true, force: true })
    },
  }
}
