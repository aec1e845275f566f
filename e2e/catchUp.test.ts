import { join } from 'node:path'
import type { Route } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { pushTodos } from './support/api.js'
import { axeViolations } from './support/axe.js'
import { screenshotDir } from './support/paths.js'
import { useScenario } from './support/scenario.js'
import { TodoApp } from './support/todoApp.js'

const SYNC_TIMEOUT = { timeout: 60_000, interval: 250 }

describe('a first sync of many rows', () => {
  const scenario = useScenario()

  it('shows how far the download has come, and says "synced" only once the whole list is here', async () => {
    // Another device of Kim's stored 600 todos: this browser downloads them in pages of 100.
    await pushTodos(scenario.server.url, 'kim', 600)
    const { context } = scenario.browser
    // Over HTTP, so a page of the catch-up can be held (the live socket has its own suite).
    await context.routeWebSocket(
      (url) => url.pathname === '/live',
      (socket) => socket.close(),
    )
    const held: Route[] = []
    let pulls = 0
    await context.route('**/pull', (route) => {
      pulls++
      if (pulls === 2) held.push(route)
      else void route.continue()
    })
    const app = await TodoApp.open(context, scenario.server.url)
    await app.logIn('kim')

    const bar = app.page.getByRole('progressbar', { name: 'Sync progress' })
    await expect
      .poll(() => bar.getAttribute('aria-valuetext').catch(() => null), SYNC_TIMEOUT)
      .toBe('Downloading 100 of 600 changes…')
    expect(await bar.getAttribute('aria-valuenow')).toBe('100')
    expect(await bar.getAttribute('aria-valuemax')).toBe('600')
    expect(await app.syncState()).not.toBe('synced')
    expect(await axeViolations(app.page)).toEqual([])
    // The top of the page, as the person sees it (the whole list would make a very long picture).
    await app.page.screenshot({ path: join(screenshotDir, 'catch-up.png') })

    await context.unroute('**/pull')
    for (const route of held) await route.continue().catch(() => {})
    await expect.poll(() => app.isSettled(), SYNC_TIMEOUT).toBe(true)
    expect(await app.titles()).toHaveLength(600)
    expect(await bar.count()).toBe(0)
  })
})
