import { describe, expect, it } from 'vitest'
import { SYNC_TIMEOUT, useScenario } from './support/scenario.js'
import { TodoApp } from './support/todoApp.js'

/** Counts, in every document of the page, the app's requests to persist its storage. */
function countPersistRequests(): void {
  const storage = navigator.storage as StorageManager & { persistRequests?: number }
  const persist = storage.persist.bind(storage)
  storage.persistRequests = 0
  storage.persist = () => {
    storage.persistRequests = (storage.persistRequests ?? 0) + 1
    return persist()
  }
}

const persistRequests = (app: TodoApp) =>
  app.page.evaluate(
    () => (navigator.storage as StorageManager & { persistRequests?: number }).persistRequests,
  )

describe('the data kept by the browser', () => {
  const scenario = useScenario()

  it('asks the browser to keep the data once the first change has synced, not before', async () => {
    await scenario.browser.context.addInitScript(countPersistRequests)
    const app = await TodoApp.open(scenario.browser.context, scenario.server.url)
    await app.logIn('pia')
    await expect.poll(() => app.isSettled(), SYNC_TIMEOUT).toBe(true)
    expect(await persistRequests(app)).toBe(0)

    await app.add('Worth keeping')
    await expect.poll(() => app.isSettled(), SYNC_TIMEOUT).toBe(true)
    await expect.poll(() => persistRequests(app), SYNC_TIMEOUT).toBe(1)
  })
})
