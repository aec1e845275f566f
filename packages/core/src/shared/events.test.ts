import { describe, expect, it, vi } from 'vitest'
import { ConfigError } from './errors.js'
import { createSyncEventLog, type SyncEvent, SyncEventEmitter } from './events.js'

const pull = (at: number): SyncEvent => ({ phase: 'pull', at, changes: 1, hasMore: false })

function emitter() {
  const logger = { warn: vi.fn(), error: vi.fn() }
  return { events: new SyncEventEmitter({ logger }), logger }
}

describe('SyncEventEmitter', () => {
  it('delivers each event to every listener in the order they subscribed', () => {
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
    expect(events.listenerCount).toBe(0)
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
    expect(logger.error).toHaveBeenCalledWith(expect.stringContaining('"pull"'), boom)
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

describe('createSyncEventLog', () => {
  it('keeps the last `size` events, oldest first', () => {
    const { events } = emitter()
    const log = createSyncEventLog({ onSync: (listener) => events.on(listener) }, 3)
    for (let at = 1; at <= 5; at++) events.emit(pull(at))
    expect(log.events.map((e) => e.at)).toEqual([3, 4, 5])
  })

  it('keeps 100 events by default', () => {
    const { events } = emitter()
    const log = createSyncEventLog({ onSync: (listener) => events.on(listener) })
    for (let at = 1; at <= 150; at++) events.emit(pull(at))
    expect(log.events).toHaveLength(100)
    expect(log.events[0]?.at).toBe(51)
  })

  it('hands out a stable snapshot that later events do not change', () => {
    const { events } = emitter()
    const log = createSyncEventLog({ onSync: (listener) => events.on(listener) }, 2)
    events.emit(pull(1))
    const before = log.events
    events.emit(pull(2))
    expect(before.map((e) => e.at)).toEqual([1])
    expect(log.events.map((e) => e.at)).toEqual([1, 2])
    expect(Object.isFrozen(log.events)).toBe(true)
  })

  it('filters like the seed example: error events for analytics', () => {
    const { events } = emitter()
    const log = createSyncEventLog({ onSync: (listener) => events.on(listener) }, 200)
    const error = new Error('push failed')
    events.emit(pull(1))
    events.emit({ phase: 'error', at: 2, stage: 'push', error })
    expect(log.events.filter((e) => e.phase === 'error')).toEqual([
      { phase: 'error', at: 2, stage: 'push', error },
    ])
  })

  it('empties on clear() and stops listening on stop()', () => {
    const { events } = emitter()
    const log = createSyncEventLog({ onSync: (listener) => events.on(listener) }, 5)
    events.emit(pull(1))
    log.clear()
    expect(log.events).toEqual([])
    events.emit(pull(2))
    log.stop()
    events.emit(pull(3))
    expect(log.events.map((e) => e.at)).toEqual([2])
    expect(events.listenerCount).toBe(0)
  })

  it('refuses a size that is not a positive whole number', () => {
    const client = { onSync: () => () => {} }
    expect(() => createSyncEventLog(client, 0)).toThrow(ConfigError)
    expect(() => createSyncEventLog(client, 2.5)).toThrow(ConfigError)
  })
})
