import { describe, expect, it } from 'vitest'
import { serverTitles } from './support/api.js'
import { axeViolations } from './support/axe.js'
import { screenshot } from './support/browser.js'
import { SYNC_TIMEOUT, useScenario } from './support/scenario.js'
import { TodoApp } from './support/todoApp.js'

/**
 * A disk that is full while `window.diskFull` is true. A browser refuses such a write when its transaction
 * commits: the transaction aborts with a QuotaExceededError and its requests fail. This does the same to
 * every transaction that queues a change, at the change's outbox entry (the last write of a captured
 * write), as Chromium's real quota cannot be made to refuse small writes.
 */
function fullDiskWhenAsked(): void {
  const refuse = (write: (...args: never[]) => IDBRequest) =>
    function (this: IDBObjectStore, ...args: never[]): IDBRequest {
      const request = write.apply(this, args)
      if ((window as { diskFull?: boolean }).diskFull && this.name === '_driftless_outbox') {
        const transaction = this.transaction
        // Every request succeeds; then the commit fails.
        request.addEventListener('success', () => {
          const error = new DOMException('The quota has been exceeded.', 'QuotaExceededError')
          Object.defineProperty(transaction, 'error', { get: () => error })
          transaction.abort()
        })
      }
      return request
    }
  IDBObjectStore.prototype.put = refuse(IDBObjectStore.prototype.put)
  IDBObjectStore.prototype.add = refuse(IDBObjectStore.prototype.add)
}

const setDiskFull = (app: TodoApp, full: boolean) =>
  app.page.evaluate((value) => {
    ;(window as { diskFull?: boolean }).diskFull = value
  }, full)

describe('a device out of storage space', () => {
  const scenario = useScenario()

  it('says so in plain words, keeps the text to try again, loses nothing, and saves it once there is space', async () => {
    await scenario.browser.context.addInitScript(fullDiskWhenAsked)
    const app = await TodoApp.open(scenario.browser.context, scenario.server.url)
    await app.logIn('lea')
    await app.add('Saved before')
    await expect.poll(() => app.isSettled(), SYNC_TIMEOUT).toBe(true)

    const pageErrors: string[] = []
    app.page.on('pageerror', (error) => pageErrors.push(String(error)))
    await setDiskFull(app, true)
    await app.page.getByLabel('New todo').fill('Does not fit')
    await app.page.getByLabel('New todo').press('Enter')
    await expect.poll(() => app.syncState(), SYNC_TIMEOUT).toBe('storage-full')
    expect(await app.statusText()).toContain(
      'This device is out of storage space, so your last change was not saved.',
    )
    expect(await app.page.getByLabel('New todo').inputValue()).toBe('Does not fit')
    expect(await app.titles()).toEqual(['Saved before'])
    expect(await app.pendingChanges()).toBe(0)
    // "Try again" means the person's own change; a sync button would not save it.
    expect(await app.retryButton().count()).toBe(0)
    await screenshot(app.page, 'storage-full')
    expect(await axeViolations(app.page)).toEqual([])

    await setDiskFull(app, false)
    await app.page.getByRole('button', { name: 'Add' }).click()
    await expect.poll(() => app.titles(), SYNC_TIMEOUT).toEqual(['Does not fit', 'Saved before'])
    await expect.poll(() => app.isSettled(), SYNC_TIMEOUT).toBe(true)
    expect(await serverTitles(scenario.server.url, 'lea')).toEqual(['Does not fit', 'Saved before'])
    // The app knew the refusal for what it was (isStorageFullError) and let nothing escape.
    expect(pageErrors).toEqual([])
  })
})
