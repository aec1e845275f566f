import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { UpgradeStep } from '../packages/core/src/test/upgradeLab.js'
import { type Browser, launchBrowser } from './support/browser.js'
import { type ServedPage, servePage } from './support/page.js'

const pageDir = fileURLToPath(new URL('./pages/upgrade/', import.meta.url))

// Each release of the app is one page load; IndexedDB is Chromium's own, kept across the reloads.
describe('schema upgrades in Chromium', () => {
  let served: ServedPage
  let browser: Browser

  beforeAll(async () => {
    served = await servePage(pageDir)
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    await served?.close()
  })

  async function release(page: Page, step: UpgradeStep) {
    await page.goto(served.url)
    await page.waitForFunction(() => typeof window.runUpgradeStep === 'function')
    return page.evaluate((step) => window.runUpgradeStep('upgrade-lab', step), step)
  }

  it('keeps every queued change, the cursor and the order through v1 → v2 → v3, an older release and v3 again', async () => {
    const page = await browser.context.newPage()

    const v1 = await release(page, 'v1')
    expect(v1.queue).toEqual([
      { collection: 'todos', recordId: 'a', type: 'create', status: 'pending' },
      { collection: 'notes', recordId: 'n1', type: 'create', status: 'pending' },
    ])

    const v2 = await release(page, 'v2')
    expect(v2.verno).toBe(2)
    expect(v2.cursor).toBe('cursor-41')
    expect(v2.todos).toEqual([{ id: 'a', title: 'Oat milk', priority: 0 }])
    expect(v2.queue).toEqual([
      ...v1.queue,
      { collection: 'todos', recordId: 'a', type: 'update', status: 'pending' },
    ])

    // v3 adds a synced table and drops one: the dropped table's change is kept, parked as failed.
    const v3 = await release(page, 'v3')
    expect(v3.verno).toBe(3)
    expect(v3.cursor).toBe('cursor-41')
    expect(v3.failedChanges).toBe(1)
    expect(v3.queue).toEqual([
      { collection: 'todos', recordId: 'a', type: 'create', status: 'pending' },
      { collection: 'notes', recordId: 'n1', type: 'create', status: 'failed' },
      { collection: 'todos', recordId: 'a', type: 'update', status: 'pending' },
      { collection: 'lists', recordId: 'l1', type: 'create', status: 'pending' },
    ])

    // A tab still running the v2 release opens the v3 database: it uploads notes again, and holds back lists.
    const older = await release(page, 'older')
    expect(older.cursor).toBe('cursor-41')
    expect(older.queue).toEqual([
      { collection: 'todos', recordId: 'a', type: 'create', status: 'pending' },
      { collection: 'notes', recordId: 'n1', type: 'create', status: 'pending' },
      { collection: 'todos', recordId: 'a', type: 'update', status: 'pending' },
      { collection: 'lists', recordId: 'l1', type: 'create', status: 'failed' },
      { collection: 'todos', recordId: 'b', type: 'create', status: 'pending' },
    ])

    const again = await release(page, 'v3')
    expect(again.queue).toEqual([
      { collection: 'todos', recordId: 'a', type: 'create', status: 'pending' },
      { collection: 'notes', recordId: 'n1', type: 'create', status: 'failed' },
      { collection: 'todos', recordId: 'a', type: 'update', status: 'pending' },
      { collection: 'lists', recordId: 'l1', type: 'create', status: 'pending' },
      { collection: 'todos', recordId: 'b', type: 'create', status: 'pending' },
      { collection: 'lists', recordId: 'l1', type: 'update', status: 'pending' },
    ])
  })
})
