import { describe, expect, it } from 'vitest'
import { serverTitles } from './support/api.js'
import { screenshot } from './support/browser.js'
import { SYNC_TIMEOUT, useScenario } from './support/scenario.js'
import { TodoApp } from './support/todoApp.js'

// A server restart plus the client's backoff takes longer than an ordinary round.
const RESTART_TIMEOUT = { timeout: 90_000, interval: 250 }

describe('the app shell from the service worker', () => {
  const scenario = useScenario()

  it('is installable and opens on a reload with the network off, then drains the queue once it is back', async () => {
    const { context } = scenario.browser
    const app = await TodoApp.open(context, scenario.server.url)
    await app.logIn('paula')
    await app.add('Synced before')
    await expect.poll(() => app.isSettled(), SYNC_TIMEOUT).toBe(true)
    await app.waitForServiceWorker()
    expect(await app.installabilityErrors()).toEqual([])

    await context.setOffline(true)
    await app.add('Buy milk')
    await app.add('Call mom')
    await expect.poll(() => app.pendingChanges(), SYNC_TIMEOUT).toBe(2)

    await app.page.reload()
    await expect.poll(() => app.titles(), SYNC_TIMEOUT).toEqual(['Buy milk', 'Call mom', 'Synced before'])
    await expect.poll(() => app.pendingChanges(), SYNC_TIMEOUT).toBe(2)
    await expect.poll(() => app.syncState(), SYNC_TIMEOUT).toBe('offline')
    expect(await app.statusText()).toContain('2 changes are saved on this device')
    expect(await serverTitles(scenario.server.url, 'paula')).toEqual(['Synced before'])
    await screenshot(app.page, 'app-shell-offline')

    await context.setOffline(false)
    await expect.poll(() => app.isSettled(), SYNC_TIMEOUT).toBe(true)
    expect(await serverTitles(scenario.server.url, 'paula')).toEqual([
      'Buy milk',
      'Call mom',
      'Synced before',
    ])
  })

  it('opens on a reload while the server is down, shows the queue and says the server cannot be reached, and drains once it is back', async () => {
    const app = await TodoApp.open(scenario.browser.context, scenario.server.url)
    await app.logIn('quentin')
    await expect.poll(() => app.isSettled(), SYNC_TIMEOUT).toBe(true)
    await app.waitForServiceWorker()

    await scenario.server.stop()
    await app.add('During the outage')
    await app.page.reload()
    await expect.poll(() => app.titles(), SYNC_TIMEOUT).toEqual(['During the outage'])
    await expect.poll(() => app.pendingChanges(), SYNC_TIMEOUT).toBe(1)
    await expect.poll(() => app.syncState(), RESTART_TIMEOUT).toBe('unreachable')
    expect(await app.statusText()).toContain("Can't reach the server. 1 change is saved on this device")
    await screenshot(app.page, 'app-shell-server-down')

    await scenario.server.restart()
    if (await app.retryButton().isEnabled()) await app.retryButton().click()
    await expect.poll(() => app.isSettled(), RESTART_TIMEOUT).toBe(true)
    expect(await serverTitles(scenario.server.url, 'quentin')).toEqual(['During the outage'])
  })
})
