import { describe, expect, it } from 'vitest'
import { serverTitles } from './support/api.js'
import { screenshot } from './support/browser.js'
import { useScenario } from './support/scenario.js'
import { TodoApp } from './support/todoApp.js'

// Longer than elsewhere: a server restart plus the client's backoff.
const SYNC_TIMEOUT = { timeout: 90_000, interval: 250 }

describe('the server going down', () => {
  const scenario = useScenario()

  it('says the server cannot be reached, offers a retry while it is down, and drains the queue once it is back', async () => {
    const app = await TodoApp.open(scenario.browser.context, scenario.server.url)
    await app.logIn('sam')
    await app.add('Before the outage')
    await expect.poll(() => app.isSettled(), SYNC_TIMEOUT).toBe(true)

    await scenario.server.stop()
    await app.add('During the outage')
    await expect.poll(() => app.syncState(), SYNC_TIMEOUT).toBe('unreachable')
    expect(await app.statusText()).toContain("Can't reach the server. 1 change is saved on this device")
    expect(await app.pendingChanges()).toBe(1)
    expect(await app.retryButton().isVisible()).toBe(true)
    await screenshot(app.page, 'server-down')

    await scenario.server.restart()
    // The user may press retry, or the engine retries by itself after its delay; either drains the queue.
    if (await app.retryButton().isEnabled()) await app.retryButton().click()
    await expect.poll(() => app.isSettled(), SYNC_TIMEOUT).toBe(true)
    expect(await serverTitles(scenario.server.url, 'sam')).toEqual(['Before the outage', 'During the outage'])
    await screenshot(app.page, 'server-back')
  })
})
