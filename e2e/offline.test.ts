import type { WebSocketRoute } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { serverTitles } from './support/api.js'
import { screenshot } from './support/browser.js'
import { SYNC_TIMEOUT, useScenario } from './support/scenario.js'
import { TodoApp } from './support/todoApp.js'

const isApiRequest = (url: URL) => ['/push', '/pull', '/auth/dev-token'].includes(url.pathname)
const isLiveSocket = (url: URL) => url.pathname === '/live'

describe('working offline', () => {
  const scenario = useScenario()

  it('keeps todos written offline across a reload and uploads them once the network is back', async () => {
    const { context } = scenario.browser
    // The live socket is API too: while the API is unreachable, it cannot connect either.
    let apiReachable = true
    const openSockets: WebSocketRoute[] = []
    await context.routeWebSocket(isLiveSocket, (socket) => {
      if (!apiReachable) return socket.close()
      socket.connectToServer()
      openSockets.push(socket)
    })
    const app = await TodoApp.open(context, scenario.server.url)
    await app.logIn('olivia')
    await expect.poll(() => app.isSettled(), SYNC_TIMEOUT).toBe(true)

    await context.setOffline(true)
    await app.add('Buy milk')
    await app.add('Call mom')
    await app.rename('Call mom', 'Call mum')
    await expect.poll(() => app.pendingChanges(), SYNC_TIMEOUT).toBe(3)
    await expect.poll(() => app.syncState(), SYNC_TIMEOUT).toBe('offline')

    // The page must load for the reload, so only the API stays unreachable while the tab is back online.
    await context.route(isApiRequest, (route) => route.abort('internetdisconnected'))
    apiReachable = false
    // A socket opened before is cut too, or the tab would upload through it the moment it is back online.
    for (const socket of openSockets.splice(0)) await socket.close()
    await context.setOffline(false)
    await app.page.reload()
    await context.setOffline(true)

    await expect.poll(() => app.titles(), SYNC_TIMEOUT).toEqual(['Buy milk', 'Call mum'])
    await expect.poll(() => app.pendingChanges(), SYNC_TIMEOUT).toBe(3)
    await expect.poll(() => app.syncState(), SYNC_TIMEOUT).toBe('offline')
    expect(await app.statusText()).toContain('3 changes are saved on this device')
    expect(await serverTitles(scenario.server.url, 'olivia')).toEqual([])
    await screenshot(app.page, 'offline')

    await context.unrouteAll()
    apiReachable = true
    await context.setOffline(false)
    await expect.poll(() => app.isSettled(), SYNC_TIMEOUT).toBe(true)
    expect(await app.statusText()).toBe('All changes synced')
    expect(await serverTitles(scenario.server.url, 'olivia')).toEqual(['Buy milk', 'Call mum'])
    await screenshot(app.page, 'offline-synced')
  })
})
