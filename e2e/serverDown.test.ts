import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serverTitles } from './support/api.js'
import { type Browser, launchBrowser, screenshot } from './support/browser.js'
import { requireAppBuild } from './support/build.js'
import { TestServer } from './support/server.js'
import { TodoApp } from './support/todoApp.js'

const SYNC_TIMEOUT = { timeout: 90_000, interval: 250 }

describe('the server going down', () => {
  let server: TestServer
  let browser: Browser

  beforeAll(async () => {
    requireAppBuild()
    server = await TestServer.start()
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    await server?.dispose()
  })

  it('shows the error and a retry button while it is down, and drains the queue once it is back', async () => {
    const app = await TodoApp.open(browser.context, server.url)
    await app.logIn('sam')
    await app.add('Before the outage')
    await expect.poll(() => app.isSettled(), SYNC_TIMEOUT).toBe(true)

    await server.stop()
    await app.add('During the outage')
    await expect.poll(() => app.syncError(), SYNC_TIMEOUT).not.toBe('')
    expect(await app.pendingChanges()).toBeGreaterThan(0)
    expect(await app.retryButton().isVisible()).toBe(true)
    await screenshot(app.page, 'server-down')

    await server.restart()
    // The user may press retry, or the engine retries by itself after its delay; either drains the queue.
    if (await app.retryButton().isEnabled()) await app.retryButton().click()
    await expect.poll(() => app.isSettled(), SYNC_TIMEOUT).toBe(true)
    await expect.poll(() => app.syncError(), SYNC_TIMEOUT).toBe('')
    expect(await serverTitles(server.url, 'sam')).toEqual(['Before the outage', 'During the outage'])
    await screenshot(app.page, 'server-back')
  })
})
