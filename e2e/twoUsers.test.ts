import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serverTitles } from './support/api.js'
import { type Browser, launchBrowser, screenshot } from './support/browser.js'
import { requireAppBuild } from './support/build.js'
import { TestServer } from './support/server.js'
import { TodoApp } from './support/todoApp.js'

const SYNC_TIMEOUT = { timeout: 60_000, interval: 250 }

describe('two users', () => {
  let server: TestServer
  let browser: Browser
  let otherDevice: Browser

  beforeAll(async () => {
    requireAppBuild()
    server = await TestServer.start()
    browser = await launchBrowser()
    otherDevice = await launchBrowser()
  })

  afterAll(async () => {
    await otherDevice?.close()
    await browser?.close()
    await server?.dispose()
  })

  it('keeps each user’s todos to that user, in the browser and on the server', async () => {
    // One user per browser, as the demo keeps its session for every tab of a browser.
    const alice = await TodoApp.open(browser.context, server.url)
    await alice.logIn('alice')
    const bob = await TodoApp.open(otherDevice.context, server.url)
    await bob.logIn('bob')

    await alice.add('Alice: dentist at 9')
    await bob.add('Bob: gym')
    await expect.poll(() => alice.isSettled(), SYNC_TIMEOUT).toBe(true)
    await expect.poll(() => bob.isSettled(), SYNC_TIMEOUT).toBe(true)

    expect(await alice.titles()).toEqual(['Alice: dentist at 9'])
    expect(await bob.titles()).toEqual(['Bob: gym'])
    expect(await serverTitles(server.url, 'alice')).toEqual(['Alice: dentist at 9'])
    expect(await serverTitles(server.url, 'bob')).toEqual(['Bob: gym'])

    // Logging out and in as someone else on the other browser pulls alice's todos, and only hers.
    await bob.logOut()
    await bob.logIn('alice')
    await expect.poll(() => bob.isSettled(), SYNC_TIMEOUT).toBe(true)
    expect(await bob.titles()).toEqual(['Alice: dentist at 9'])
    await screenshot(bob.page, 'two-users')
  })
})
