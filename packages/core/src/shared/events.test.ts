import { describe, expect, it, vi } from 'vitest'
import { ConfigError } from './errors.js'
import { createSyncEventLog, type SyncEvent } from './events.js'
import { Listeners } from './listeners.js'

const pull = (at: number): SyncEvent => ({ phase: 'pull', at, changes: 1, hasMore: false })

function emitter() {
  const listeners = new Listeners<SyncEvent>({ error: vi.fn() }, 'an onSync listener')
  return { events: { on: listeners.add.bind(listeners), emit: listeners.notify.bind(listeners) } }
}

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
  })

  it('refuses a size that is not a positive whole number', () => {
    const client = { onSync: () => () => {} }
    expect(() => createSyncEventLog(client, 0)).toThrow(ConfigError)
    expect(() => createSyncEventLog(client, 2.5)).toThrow(ConfigError)
  })
})
