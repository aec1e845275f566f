import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { extname, join, normalize } from 'node:path'
import { build } from 'vite'
import { launchBrowser } from '../e2e/support/browser.js'
const work = await mkdtemp(join(tmpdir(), 'driftless-prof-'))
const outDir = join(work, 'dist')
await build({ root: join(import.meta.dirname, 'browser'), logLevel: 'warn', build: { outDir, emptyOutDir: true, minify: false } })
const server = createServer(async (req, res) => {
  const path = normalize(new URL(req.url ?? '/', 'http://x').pathname)
  try {
    const body = await readFile(join(outDir, path === '/' ? 'index.html' : path))
    res.writeHead(200, { 'content-type': extname(path) === '.js' ? 'text/javascript' : 'text/html' }); res.end(body)
  } catch { res.writeHead(404).end() }
})
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
const { port } = server.address() as AddressInfo
const browser = await launchBrowser()
const page = await browser.context.newPage()
const cdp = await browser.context.newCDPSession(page)
await cdp.send('Profiler.enable'); await cdp.send('Profiler.setSamplingInterval', { interval: 200 }); await cdp.send('Profiler.start')
await page.goto(`http://127.0.0.1:${port}/?bench=catch-up&rows=${process.argv[2] ?? 5000}`)
await page.waitForFunction(() => (window as any).benchResult !== undefined, null, { timeout: 600_000 })
console.log(await page.evaluate(() => JSON.stringify((window as any).benchResult)))
const { profile } = await cdp.send('Profiler.stop')
await writeFile('/tmp/catchup.cpuprofile', JSON.stringify(profile))
await browser.close(); server.close()
