import { afterAll, beforeAll } from 'vitest'
import { type Browser, launchBrowser } from './browser.js'
import { requireAppBuild } from './build.js'
import { TestServer } from './server.js'

export const SYNC_TIMEOUT = { timeout: 60_000, interval: 250 }

export interface Scenario {
  readonly server: TestServer
  readonly browser: Browser
}

/** Registers, for the enclosing describe, the built app, a real server and a Chromium, torn down after. */
export function useScenario(): Scenario {
  let server: TestServer | undefined
  let browser: Browser | undefined
  beforeAll(async () => {
    requireAppBuild()
    server = await TestServer.start()
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
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
