import { describe, expect, it } from 'vitest'
import { serverTitles } from './support/api.js'
import { screenshot } from './support/browser.js'
import { useScenario } from './support/scenario.js'
import { TodoApp } from './support/todoApp.js'

// Longer than elsewhere: a server restart plus the client's backoff.
const SYNC_TIMEOUT = { timeout: 90_000, interval: 250 }

describe("the server's data replaced (a restore, a reset)", () => {
  const scenario = useScenario()

  it('tells the person, starts the list over from the new data, and uploads what waited on this device', async () => {
    const app = await TodoApp.open(scenario.browser.context, scenario.server.url)
    await app.logIn('ana')
    await app.add('Before the reset')
    await expect.poll(() => app.isSettled(), SYNC_TIMEOUT).toBe(true)

    await scenario.server.stop()
    await app.add('While the server was away')
    await expect.poll(() => app.syncState(), SYNC_TIMEOUT).toBe('unreachable')
    await scenario.server.replaceData()
    if (await app.retryButton().isEnabled()) await app.retryButton().click()

    await expect
      .poll(() => app.page.getByTestId('reset-notice').innerText(), SYNC_TIMEOUT)
      .toContain('The list on the server was replaced, so this device downloaded it again.')
    await expect.poll(() => app.isSettled(), SYNC_TIMEOUT).toBe(true)
    expect(await serverTitles(scenario.server.url, 'ana')).toEqual(['While the server was away'])
    // The device's copy starts over from the server's data: what only the old data had is gone here too,
    // so every device shows the same list.
    await expect.poll(() => app.titles(), SYNC_TIMEOUT).toEqual(['While the server was away'])
    // "All changes synced" says it once: the Sync now button does not repeat it.
    expect(await app.page.locator('.driftless-retry__result').count()).toBe(0)
    await screenshot(app.page, 'server-reset')
  })
})
