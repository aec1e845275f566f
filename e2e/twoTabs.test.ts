import { describe, expect, it } from 'vitest'
import { serverTodos } from './support/api.js'
import { screenshot } from './support/browser.js'
import { recordLiveFrames } from './support/liveFrames.js'
import { SYNC_TIMEOUT, useScenario } from './support/scenario.js'
import { TodoApp } from './support/todoApp.js'

describe('two tabs of one user', () => {
  const scenario = useScenario()

  it('shows each tab the other tab’s edits and uploads every change exactly once', async () => {
    const { context } = scenario.browser
    const pushedChangeIds: string[] = []
    context.on('request', (request) => {
      if (request.method() !== 'POST' || new URL(request.url()).pathname !== '/push') return
      const body = request.postDataJSON() as { changes: { id: string }[] }
      pushedChangeIds.push(...body.changes.map((change) => change.id))
    })
    // Pushes travel over the live socket while it is open.
    const frames = recordLiveFrames(context)
    const socketPushes = () =>
      frames.sent
        .filter((frame) => frame.type === 'push')
        .flatMap((frame) => (frame.body as { changes: { id: string }[] }).changes.map((change) => change.id))

    const first = await TodoApp.open(context, scenario.server.url)
    await first.logIn('tabitha')
    const second = await TodoApp.open(context, scenario.server.url)
    await second.logIn('tabitha')

    await first.add('Water the plants')
    await expect.poll(() => second.titles(), SYNC_TIMEOUT).toEqual(['Water the plants'])
    await second.rename('Water the plants', 'Water the ferns')
    await expect.poll(() => first.titles(), SYNC_TIMEOUT).toEqual(['Water the ferns'])
    await first.toggle('Water the ferns')
    await expect.poll(() => second.completedTitles(), SYNC_TIMEOUT).toEqual(['Water the ferns'])

    await expect.poll(() => first.isSettled(), SYNC_TIMEOUT).toBe(true)
    await expect.poll(() => second.isSettled(), SYNC_TIMEOUT).toBe(true)
    expect(await serverTodos(scenario.server.url, 'tabitha')).toMatchObject([
      { title: 'Water the ferns', completed: true },
    ])
    // One create, one rename, one toggle: three changes, each pushed by one tab only, once.
    const pushed = [...pushedChangeIds, ...socketPushes()]
    expect(pushed).toHaveLength(3)
    expect(new Set(pushed).size).toBe(3)
    await screenshot(second.page, 'two-tabs')
  })
})
