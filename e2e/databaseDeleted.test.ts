import type { BrowserContext } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { serverTitles } from './support/api.js'
import { axeViolations } from './support/axe.js'
import { screenshot } from './support/browser.js'
import { SYNC_TIMEOUT, useScenario } from './support/scenario.js'
import { TodoApp } from './support/todoApp.js'

/** What "clear site data" or an eviction does: another page of the site deletes the user's database. */
async function deleteFromAnotherPage(context: BrowserContext, serverUrl: string, user: string) {
  const other = await context.newPage()
  await other.goto(`${serverUrl}/health`)
  await other.evaluate(
    (name) =>
      new Promise<void>((resolve, reject) => {
        const request = indexedDB.deleteDatabase(name)
        request.onsuccess = () => resolve()
        request.onerror = () => reject(request.error)
      }),
    `driftless-todo-${user}`,
  )
  await other.close()
}

describe('the database deleted under the app', () => {
  const scenario = useScenario()

  it('syncs everything again from the server, says so, and later writes still reach it', async () => {
    const { context } = scenario.browser
    const app = await TodoApp.open(context, scenario.server.url)
    await app.logIn('rosa')
    await app.add('Water the plants')
    await app.add('Pay rent')
    await expect.poll(() => app.isSettled(), SYNC_TIMEOUT).toBe(true)

    await deleteFromAnotherPage(context, scenario.server.url, 'rosa')

    await expect.poll(() => app.titles(), SYNC_TIMEOUT).toEqual(['Pay rent', 'Water the plants'])
    await expect.poll(() => app.isSettled(), SYNC_TIMEOUT).toBe(true)
    expect(await app.page.getByTestId('reset-notice').innerText()).toMatch(
      /^This browser cleared the copy of your list it kept on this device, so it was downloaded again\.\s*Dismiss$/,
    )
    await app.add('After the reset')
    await expect.poll(() => app.isSettled(), SYNC_TIMEOUT).toBe(true)
    expect(await serverTitles(scenario.server.url, 'rosa')).toEqual([
      'After the reset',
      'Pay rent',
      'Water the plants',
    ])
    await app.page.getByRole('button', { name: 'Dismiss' }).click()
    expect(await app.page.getByTestId('reset-notice').innerText()).toBe('')
  })

  it('tells the person which of their changes had not synced and went with it', async () => {
    const { context } = scenario.browser
    const app = await TodoApp.open(context, scenario.server.url)
    await app.logIn('sam')
    await app.add('Synced before')
    await expect.poll(() => app.isSettled(), SYNC_TIMEOUT).toBe(true)
    await app.workOffline(true)
    await app.add('Never synced')
    await expect.poll(() => app.pendingChanges(), SYNC_TIMEOUT).toBe(1)

    await deleteFromAnotherPage(context, scenario.server.url, 'sam')

    await expect
      .poll(() => app.page.getByTestId('reset-notice').innerText(), SYNC_TIMEOUT)
      .toContain('1 change you made on this device had not synced yet and was lost.')
    // Working offline was the person's choice; clearing the data does not turn it off, so nothing downloads.
    expect(await app.page.getByRole('switch', { name: 'Work offline' }).isChecked()).toBe(true)
    expect(await app.syncState()).toBe('paused')
    expect(await app.page.getByTestId('reset-notice').innerText()).toContain(
      'It will be downloaded again when you stop working offline.',
    )
    expect(await app.titles()).toEqual([])
    await screenshot(app.page, 'database-deleted')
    expect(await axeViolations(app.page)).toEqual([])

    await app.workOffline(false)
    await expect.poll(() => app.titles(), SYNC_TIMEOUT).toEqual(['Synced before'])
    await expect.poll(() => app.isSettled(), SYNC_TIMEOUT).toBe(true)
    expect(await serverTitles(scenario.server.url, 'sam')).toEqual(['Synced before'])
  })
})
