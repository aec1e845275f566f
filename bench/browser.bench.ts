/** The capture bench in real Chromium: builds the page with Vite, serves it on 127.0.0.1, reads the table. */
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { extname, join, normalize } from 'node:path'
import { chromium } from 'playwright-core'
import { build } from 'vite'

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
if (!existsSync(executablePath)) {
  console.error(`No Chromium at ${executablePath}: apt-get install -y chromium, or set CHROMIUM_PATH.`)
  process.exit(1)
}

const work = await mkdtemp(join(tmpdir(), 'driftless-bench-'))
const outDir = join(work, 'dist')
await build({
  root: join(import.meta.dirname, 'browser'),
  logLevel: 'warn',
  build: { outDir, emptyOutDir: true },
})

const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' }
const server = createServer(async (req, res) => {
  const path = normalize(new URL(req.url ?? '/', 'http://x').pathname).replace(/^(\.\.[/\\])+/, '')
  try {
    const body = await readFile(join(outDir, path === '/' ? 'index.html' : path))
    res.writeHead(200, { 'content-type': types[extname(path) || '.html'] ?? 'application/octet-stream' })
    res.end(body)
  } catch {
    res.writeHead(404).end()
  }
})
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const { port } = server.address() as AddressInfo

const context = await chromium.launchPersistentContext(join(work, 'profile'), {
  executablePath,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
})
try {
  const page = context.pages()[0] ?? (await context.newPage())
  await page.goto(`http://127.0.0.1:${port}/`)
  await page.waitForFunction(() => window.benchResult !== undefined, null, { timeout: 300_000 })
  const result = await page.evaluate(() => window.benchResult!)
  if ('error' in result) throw new Error(`The browser bench failed: ${result.error}`)
  console.log(result.table)
} finally {
  await context.close()
  server.close()
  await rm(work, { recursive: true, force: true })
}
