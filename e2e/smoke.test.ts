import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Browser, launchBrowser, screenshot } from './support/browser.js'

// A page that exercises what the scenarios rely on: IndexedDB across a reload, fetch, and the online flag.
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Driftless harness</title></head>
<body style="font-family: system-ui; padding: 2rem">
  <h1>Driftless e2e harness</h1>
  <p>Stored: <output id="stored">…</output></p>
  <script>
    const open = indexedDB.open('harness', 1)
    open.onupgradeneeded = () => open.result.createObjectStore('kv')
    open.onsuccess = () => {
      const tx = open.result.transaction('kv', 'readwrite')
      const store = tx.objectStore('kv')
      const read = store.get('visits')
      read.onsuccess = () => store.put((read.result ?? 0) + 1, 'visits')
      tx.oncomplete = () => { document.getElementById('stored').textContent = 'visit ' + ((read.result ?? 0) + 1) }
    }
  </script>
</body></html>`

describe('the browser harness', () => {
  let server: Server
  let url: string
  let browser: Browser

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/ping') return response.end('pong')
      response.setHeader('content-type', 'text/html; charset=utf-8')
      response.end(PAGE)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    await new Promise((resolve) => server?.close(resolve))
  })

  it('renders a page served on 127.0.0.1 and keeps its IndexedDB across a reload', async () => {
    const page = await browser.context.newPage()
    await page.goto(url)
    expect(await page.getByRole('heading').textContent()).toBe('Driftless e2e harness')
    await page.locator('#stored', { hasText: 'visit 1' }).waitFor()
    await page.reload()
    await page.locator('#stored', { hasText: 'visit 2' }).waitFor()
    await screenshot(page, 'smoke')
  })

  it('takes the context offline and back, as the offline scenario does', async () => {
    const page = await browser.context.newPage()
    await page.goto(url)
    const ping = () =>
      page.evaluate(async () => {
        try {
          return `${navigator.onLine} ${await (await fetch('/ping')).text()}`
        } catch {
          return `${navigator.onLine} unreachable`
        }
      })
    expect(await ping()).toBe('true pong')
    await browser.context.setOffline(true)
    expect(await ping()).toBe('false unreachable')
    await browser.context.setOffline(false)
    expect(await ping()).toBe('true pong')
  })
})
