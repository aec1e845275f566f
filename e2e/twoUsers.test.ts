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
    const alice = await TodoApp.open(browser.context, server.url)
    await alice.logIn('alice')
    const bob = await TodoApp.open(browser.context, server.url)
    await bob.logIn('bob')

    await alice.add('Alice: dentist at 9')
    await bob.add('Bob: gym')
    await expect.poll(() => alice.isSettled(), SYNC_TIMEOUT).toBe(true)
    await expect.poll(() => bob.isSettled(), SYNC_TIMEOUT).toBe(true)

    expect(await alice.titles()).toEqual(['Alice: dentist at 9'])
    expect(await bob.titles()).toEqual(['Bob: gym'])
    expect(await serverTitles(server.url, 'alice')).toEqual(['Alice: dentist at 9'])
    expect(await serverTitles(server.url, 'bob')).toEqual(['Bob: gym'])

    // A fresh browser pulls alice's todos from the server, and only hers.
    const aliceElsewhere = await TodoApp.open(otherDevice.context, server.url)
    await aliceElsewhere.logIn('alice')
    await expect.poll(() => aliceElsewhere.isSettled(), SYNC_TIMEOUT).toBe(true)
    expect(await aliceElsewhere.titles()).toEqual(['Alice: dentist at 9'])
    await screenshot(aliceElsewhere.page, 'two-users')

    // Logging out and in as someone else on the same tab shows only their todos.
    await bob.logOut()
    await bob.logIn('alice')
    await expect.poll(() => bob.titles(), SYNC_TIMEOUT).toEqual(['Alice: dentist at 9'])
  })
})
