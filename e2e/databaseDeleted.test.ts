import { describe, expect, it } from 'vitest'
import { serverTitles } from './support/api.js'
import { SYNC_TIMEOUT, useScenario } from './support/scenario.js'
import { TodoApp } from './support/todoApp.js'

describe('the database deleted under the app', () => {
  const scenario = useScenario()

  it('syncs everything again from the server, and later writes still reach it', async () => {
    const { context } = scenario.browser
    const app = await TodoApp.open(context, scenario.server.url)
    await app.logIn('rosa')
    await app.add('Water the plants')
    await app.add('Pay rent')
    await expect.poll(() => app.isSettled(), SYNC_TIMEOUT).toBe(true)

    // Another page of the site deletes the database, as "clear site data" or an eviction would.
    const other = await context.newPage()
    await other.goto(`${scenario.server.url}/health`)
    await other.evaluate(
      (name) =>
        new Promise<void>((resolve, reject) => {
          const request = indexedDB.deleteDatabase(name)
          request.onsuccess = () => resolve()
          request.onerror = () => reject(request.error)
        }),
      'driftless-todo-rosa',
    )
    await other.close()

    await expect.poll(() => app.titles(), SYNC_TIMEOUT).toEqual(['Pay rent', 'Water the plants'])
    await expect.poll(() => app.isSettled(), SYNC_TIMEOUT).toBe(true)
    await app.add('After the reset')
    await expect.poll(() => app.isSettled(), SYNC_TIMEOUT).toBe(true)
    expect(await serverTitles(scenario.server.url, 'rosa')).toEqual([
      'After the reset',
      'Pay rent',
      'Water the plants',
    ])
  })
})
