import { describe, expect, it, vi } from 'vitest'
import type { SyncEvent } from './events.js'
import { Listeners } from './listeners.js'

const pull = (at: number): SyncEvent => ({ phase: 'pull', at, changes: 1, hasMore: false })

function emitter() {
  const logger = { error: vi.fn() }
  const listeners = new Listeners<SyncEvent>(logger, 'an onSync listener')
  return { events: { on: listeners.add.bind(listeners), emit: listeners.notify.bind(listeners) }, logger }
}

describe('Listeners', () => {
  it('delivers each value to every listener in the order they subscribed', () => {
    const { events } = emitter()
    const heard: string[] = []
    events.on((e) => heard.push(`a:${e.at}`))
    events.on((e) => heard.push(`b:${e.at}`))
    events.emit(pull(1))
    events.emit(pull(2))
    expect(heard).toEqual(['a:1', 'b:1', 'a:2', 'b:2'])
  })

  it('stops delivering to a listener once it unsubscribes', () => {
    const { events } = emitter()
    const listener = vi.fn()
    const off = events.on(listener)
    off()
    off()
    events.emit(pull(1))
    expect(listener).not.toHaveBeenCalled()
  })

  it('keeps a function registered twice until both registrations are removed', () => {
    const { events } = emitter()
    const listener = vi.fn()
    const offFirst = events.on(listener)
    events.on(listener)
    offFirst()
    events.emit(pull(1))
    expect(listener).toHaveBeenCalledOnce()
  })

  it('reports a throwing listener to the logger and still calls the others', () => {
    const { events, logger } = emitter()
    const boom = new Error('listener bug')
    const after = vi.fn()
    events.on(() => {
      throw boom
    })
    events.on(after)
    expect(() => events.emit(pull(1))).not.toThrow()
    expect(after).toHaveBeenCalledWith(pull(1))
    expect(logger.error).toHaveBeenCalledWith('Driftless: an onSync listener threw.', boom)
  })

  it('lets a listener unsubscribe another during an emit without skipping the rest of this round', () => {
    const { events } = emitter()
    const second = vi.fn()
    let offSecond = () => {}
    events.on(() => offSecond())
    offSecond = events.on(second)
    events.emit(pull(1))
    events.emit(pull(2))
    expect(second).toHaveBeenCalledOnce()
  })
})
