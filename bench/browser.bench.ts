/** The browser benches (write capture, catch-up) in real Chromium (the e2e suite's launcher): builds the page with Vite, serves it on 127.0.0.1, reads the table. */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { extname, join, normalize } from 'node:path'
import { build } from 'vite'
import { launchBrowser } from '../e2e/support/browser.js'

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

const browser = await launchBrowser()
try {
  // Only the named benches, or all: `tsx browser.bench.ts catch-up`.
  const names = process.argv.slice(2)
  for (const name of names.length ? names : ['capture', 'catch-up']) {
    const page = await browser.context.newPage()
    await page.goto(`http://127.0.0.1:${port}/?bench=${encodeURIComponent(name)}`)
    await page.waitForFunction(() => window.benchResult !== undefined, null, { timeout: 600_000 })
    const result = await page.evaluate(() => window.benchResult!)
    if ('error' in result) throw new Error(`The ${name} bench failed: ${result.error}`)
    console.log(`\n${result.table}`)
    await page.close()
  }
} finally {
  await browser.close()
  server.close()
  await rm(work, { recursive: true, force: true })
}
