import { afterEach, beforeAll, beforeEach } from 'vitest'
import { type Browser, launchBrowser } from './browser.js'
import { requireAppBuild } from './build.js'
import { TestServer } from './server.js'

export const SYNC_TIMEOUT = { timeout: 60_000, interval: 250 }

export interface Scenario {
  readonly server: TestServer
  readonly browser: Browser
}

/**
 * Registers, for each test of the enclosing describe, a real server with a fresh data directory and a fresh
 * Chromium profile: no test inherits another's data, pages, routes, offline switch, storage or service
 * worker, so a failure stays in its own test and a retry starts clean.
 */
export function useScenario(): Scenario {
  let server: TestServer | undefined
  let browser: Browser | undefined
  beforeAll(() => requireAppBuild())
  beforeEach(async () => {
    server = await TestServer.start()
    browser = await launchBrowser()
  })
  afterEach(async () => {
    await browser?.close()
    await server?.dispose()
    browser = undefined
    server = undefined
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
