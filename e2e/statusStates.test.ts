import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page, Route } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { serverTitles } from './support/api.js'
import { axeViolations } from './support/axe.js'
import { type PaintedFrame, paintedStates, paintsOfLogIn, paintsOfReload } from './support/paints.js'
import { docsDir } from './support/paths.js'
import { SYNC_TIMEOUT, useScenario } from './support/scenario.js'
import { TodoApp } from './support/todoApp.js'

const isApiRequest = (url: URL) => ['/push', '/pull', '/auth/dev-token'].includes(url.pathname)
const REFUSED_TITLE = 'Refused by the server'

/** Saves the app's card, as a person sees it, to docs/status-<name>.png for the README. */
async function documentState(page: Page, name: string): Promise<void> {
  await mkdir(docsDir, { recursive: true })
  await page.locator('main').screenshot({ path: join(docsDir, `status-${name}.png`), animations: 'disabled' })
}

/** Frames that claim something the app does not know or that is false. */
function wrongFrames(frames: readonly PaintedFrame[], allowed: readonly (string | null)[]): PaintedFrame[] {
  return frames.filter((frame) => !allowed.includes(frame.state))
}

describe('the sync status as a person meets it', () => {
  const scenario = useScenario()

  /**
   * A tab of the app in this test's own browser. Each state below is made by routing HTTP requests, which a
   * WebSocket bypasses: the live socket is refused, so the app runs on its HTTP fallback (the live channel
   * has its own suite, realtime.test.ts).
   */
  async function openApp(): Promise<TodoApp> {
    await scenario.browser.context.routeWebSocket(
      (url) => url.pathname === '/live',
      (socket) => socket.close(),
    )
    return TodoApp.open(scenario.browser.context, scenario.server.url)
  }

  /** The app logged in as `userId` (a user of this test alone), with everything synced. */
  async function openSynced(userId: string): Promise<TodoApp> {
    const app = await openApp()
    await app.logIn(userId)
    await expect.poll(() => app.isSettled(), SYNC_TIMEOUT).toBe(true)
    return app
  }

  it('paints no wrong state while logging in, then says all is synced; no axe violation', async () => {
    const app = await openApp()
    const frames = await paintsOfLogIn(app.page, 'petra')
    expect(wrongFrames(frames, [null, 'loading', 'connecting', 'syncing', 'synced'])).toEqual([])
    expect(frames.some((frame) => /offline|server|0 changes/i.test(frame.text))).toBe(false)
    await expect.poll(() => app.syncState(), SYNC_TIMEOUT).toBe('synced')
    await app.add('Water the plants')
    await expect.poll(() => app.isSettled(), SYNC_TIMEOUT).toBe(true)
    expect(await app.statusText()).toBe('All changes synced')
    expect(await axeViolations(app.page)).toEqual([])
    await documentState(app.page, 'synced')
  })

  it('after a reload paints only "synced": never "not synced yet", "connecting" or offline', async () => {
    const app = await openSynced('rosa')
    await app.add('Water the plants')
    await expect.poll(() => app.isSettled(), SYNC_TIMEOUT).toBe(true)
    const frames = await paintsOfReload(app.page)
    expect(paintedStates(frames).filter((state) => state !== null && state !== 'loading')).toEqual(['synced'])
    await expect.poll(() => app.syncState(), SYNC_TIMEOUT).toBe('synced')
  })

  it('counts the changes being uploaded while a push is on its way', async () => {
    const app = await openSynced('sven')
    const held: Route[] = []
    await app.page.route('**/push', (route) => {
      held.push(route)
    })
    await app.add('Call mum')
    await expect.poll(() => app.syncState(), SYNC_TIMEOUT).toBe('syncing')
    expect(await app.statusText()).toBe('Syncing 1 change…')
    // One edit uploads in a blink: no progress bar repeats the status beside it.
    expect(await app.page.getByRole('progressbar').count()).toBe(0)
    expect(await axeViolations(app.page)).toEqual([])
    await documentState(app.page, 'syncing')
    await app.page.unroute('**/push')
    // Routes still held when unrouted are let through by Playwright itself.
    for (const route of held) await route.continue().catch(() => {})
    await expect.poll(() => app.isSettled(), SYNC_TIMEOUT).toBe(true)
  })

  it('says the device is offline only after the grace period, with the waiting changes counted', async () => {
    const app = await openSynced('olga')
    await scenario.browser.context.setOffline(true)
    await app.add('Buy milk')
    await app.add('Post the letter')
    await expect.poll(() => app.syncState(), SYNC_TIMEOUT).toBe('offline')
    expect(await app.statusText()).toBe(
      "You're offline. 2 changes are saved on this device and will sync when you're back online.",
    )
    expect(await axeViolations(app.page)).toEqual([])
    await documentState(app.page, 'offline')
  })

  it('says the server cannot be reached, with a countdown, when the network is up but the server is not', async () => {
    const app = await openSynced('uma')
    await scenario.browser.context.route(isApiRequest, (route) => route.abort('connectionrefused'))
    await app.add('Buy milk')
    await app.add('Post the letter')
    await expect.poll(() => app.syncState(), SYNC_TIMEOUT).toBe('unreachable')
    await expect.poll(() => app.statusText(), SYNC_TIMEOUT).toMatch(/Trying again in \d+ s\./)
    expect(await app.statusText()).toMatch(
      /^Can't reach the server\. 2 changes are saved on this device and will sync when it's back\. /,
    )
    expect(await app.statusText()).not.toMatch(/http|fetch|push/i)
    expect(await axeViolations(app.page)).toEqual([])
    await documentState(app.page, 'unreachable')

    await app.retryButton().click()
    await expect
      .poll(() => app.page.locator('.driftless-retry__result').textContent(), SYNC_TIMEOUT)
      .toBe("Still can't reach the server. Your changes are safe on this device.")
  })

  it('asks to sign in again when the server refuses the credentials', async () => {
    const app = await openSynced('nadia')
    const { context } = scenario.browser
    await context.route(isApiRequest, (route) =>
      route.fulfill({ status: 401, contentType: 'application/json', body: '{"error":"invalid token"}' }),
    )
    await app.add('Buy milk')
    await app.add('Post the letter')
    await expect.poll(() => app.syncState(), SYNC_TIMEOUT).toBe('needs-auth')
    expect(await app.statusText()).toMatch(
      /^Please sign in again to sync\. 2 changes are saved on this device/,
    )
    expect(await axeViolations(app.page)).toEqual([])
    await documentState(app.page, 'needs-auth')
    await context.unrouteAll()
    await app.retryButton().click()
    await expect.poll(() => app.isSettled(), SYNC_TIMEOUT).toBe(true)
  })

  it('marks a change the server refused on its todo, says why in one line, and lets the person act', async () => {
    const app = await openSynced('farid')
    const { context } = scenario.browser
    await context.route('**/push', async (route) => {
      if (route.request().postData()?.includes(REFUSED_TITLE)) {
        await route.fulfill({
          status: 422,
          contentType: 'application/json',
          body: '{"error":"title is not allowed"}',
        })
      } else {
        await route.continue()
      }
    })
    await app.add(REFUSED_TITLE)
    await expect.poll(() => app.syncState(), SYNC_TIMEOUT).toBe('failed')
    expect(await app.statusText()).toMatch(/^1 change could not be saved\./)
    const item = app.page.getByTestId('todo-item').filter({ hasText: REFUSED_TITLE })
    expect(await item.getAttribute('data-failed')).toBe('true')
    expect(await item.getByTestId('todo-failure').locator('.todo-failure__reason').textContent()).toBe(
      'This change was not saved: the server did not accept it.',
    )
    expect(await axeViolations(app.page)).toEqual([])
    await documentState(app.page, 'failed')

    await context.unrouteAll()
    await item.getByRole('button', { name: 'Try again' }).click()
    await expect.poll(() => app.isSettled(), SYNC_TIMEOUT).toBe(true)
    expect(await item.getAttribute('data-failed')).toBe('false')
  })

  it('"Work offline" pauses every tab, survives a reload without a flash, and a second tab keeps the session', async () => {
    const app = await openSynced('wanda')
    await app.workOffline(true)
    await expect.poll(() => app.syncState(), SYNC_TIMEOUT).toBe('paused')
    await app.add('Written while working offline')
    await expect.poll(() => app.pendingChanges(), SYNC_TIMEOUT).toBe(1)
    expect(await app.statusText()).toBe(
      "You're working offline. 1 change is saved on this device and will sync when you go back online.",
    )
    expect(await axeViolations(app.page)).toEqual([])
    await documentState(app.page, 'paused')

    const frames = await paintsOfReload(app.page)
    expect(paintedStates(frames).filter((state) => state !== null && state !== 'loading')).toEqual(['paused'])
    expect(frames.filter((frame) => frame.workOffline === 'off')).toEqual([])
    expect(frames.filter((frame) => frame.pending !== null && frame.pending !== 1)).toEqual([])

    const second = await TodoApp.open(scenario.browser.context, scenario.server.url)
    await second.page.getByTestId('current-user').filter({ hasText: 'wanda' }).waitFor()
    await expect.poll(() => second.syncState(), SYNC_TIMEOUT).toBe('paused')
    expect(await second.page.getByRole('switch', { name: 'Work offline' }).isChecked()).toBe(true)

    await second.workOffline(false)
    await expect.poll(() => app.isSettled(), SYNC_TIMEOUT).toBe(true)
    expect(await app.page.getByRole('switch', { name: 'Work offline' }).isChecked()).toBe(false)
    await expect.poll(() => second.isSettled(), SYNC_TIMEOUT).toBe(true)
    expect(await serverTitles(scenario.server.url, 'wanda')).toEqual(['Written while working offline'])
  })
})
