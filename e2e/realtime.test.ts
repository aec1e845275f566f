import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Browser, launchBrowser, screenshot } from './support/browser.js'
import { requireAppBuild } from './support/build.js'
import { recordLiveFrames } from './support/liveFrames.js'
import { TestServer } from './support/server.js'
import { TodoApp } from './support/todoApp.js'

// Well under the 30 s HTTP fallback poll: only the live socket's poke can bring the edit this soon.
const LIVE_TIMEOUT = { timeout: 15_000, interval: 100 }

describe('real time between two browsers', () => {
  let server: TestServer
  let phone: Browser
  let laptop: Browser

  beforeAll(async () => {
    requireAppBuild()
    server = await TestServer.start()
    phone = await launchBrowser()
    laptop = await launchBrowser()
  })

  afterAll(async () => {
    await laptop?.close()
    await phone?.close()
    await server?.dispose()
  })

  it('shows each browser the other’s edits as they happen, with no interval configured', async () => {
    const laptopFrames = recordLiveFrames(laptop.context)
    const onPhone = await TodoApp.open(phone.context, server.url)
    await onPhone.logIn('rita')
    const onLaptop = await TodoApp.open(laptop.context, server.url)
    await onLaptop.logIn('rita')
    await expect.poll(() => onLaptop.isSettled(), LIVE_TIMEOUT).toBe(true)
    await expect
      .poll(() => laptopFrames.received.some((frame) => frame.type === 'ready'), LIVE_TIMEOUT)
      .toBe(true)

    await onPhone.add('Book the train')
    await expect.poll(() => onLaptop.titles(), LIVE_TIMEOUT).toEqual(['Book the train'])
    expect(laptopFrames.received.some((frame) => frame.type === 'poke')).toBe(true)

    await onLaptop.rename('Book the train', 'Book the night train')
    await expect.poll(() => onPhone.titles(), LIVE_TIMEOUT).toEqual(['Book the night train'])
    await onPhone.toggle('Book the night train')
    await expect.poll(() => onLaptop.completedTitles(), LIVE_TIMEOUT).toEqual(['Book the night train'])
    // The token travels in the first message, never in the socket's URL.
    expect(laptopFrames.sent[0]).toMatchObject({ type: 'auth' })
    await screenshot(onLaptop.page, 'realtime')
  })
})
