import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'
import { type Browser, launchBrowser } from './browser.js'
import { requireAppBuild } from './build.js'
import { TestServer } from './server.js'

export const SYNC_TIMEOUT = { timeout: 60_000, interval: 250 }

export interface Scenario {
  readonly server: TestServer
  readonly browser: Browser
}

/**
 * Registers, for the enclosing describe, the built app and a real server, plus a fresh Chromium profile for
 * each test: no test inherits another's pages, routes, offline switch, storage or service worker, so a
 * failure stays in its own test and a retry starts clean. A test that stopped the server gets it back.
 */
export function useScenario(): Scenario {
  let server: TestServer | undefined
  let browser: Browser | undefined
  beforeAll(async () => {
    requireAppBuild()
    server = await TestServer.start()
  })
  beforeEach(async () => {
    if (server && !server.isRunning) await server.restart()
    browser = await launchBrowser()
  })
  afterEach(async () => {
    await browser?.close()
    browser = undefined
  })
  afterAll(async () => {
    await server?.dispose()
  })
  return {
    get server() {
      if (!server) throw new Error('The scenario server is only there inside tests.')
      return server
    },
    get browser() {
      if (!browser) throw new Error('The scenario browser is only there inside tests.')
      return browser
    },
  }
}
