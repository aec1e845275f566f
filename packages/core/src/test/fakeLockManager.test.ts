import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeLockManager } from './fakeLockManager.js'

function deferred() {
  let resolve!: () => void
  const promise = new Promise<void>((res) => {
    resolve = res
  })
  return { promise, resolve }
}

/** Lets granted callbacks and releases (microtasks) run; no time passes. */
const settle = () => vi.advanceTimersByTimeAsync(0)

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('FakeLockManager', () => {
  it('grants an exclusive lock to one holder at a time, in request order, releasing when the callback settles', async () => {
    const locks = new FakeLockManager()
    const order: string[] = []
    const first = deferred()
    const a = locks.forTab('a').request('l', {}, async () => {
      order.push('a')
      await first.promise
      return 'done-a'
    })
    const b = locks.forTab('b').request('l', {}, () => {
      order.push('b')
    })
    const c = locks.forTab('c').request('l', {}, () => {
      order.push('c')
    })
    await settle()
    expect(order).toEqual(['a'])
    expect(locks.waiting('l')).toEqual(['b', 'c'])

    first.resolve()
    await expect(a).resolves.toBe('done-a')
    await Promise.all([b, c])
    expect(order).toEqual(['a', 'b', 'c'])
    expect(locks.holders('l')).toEqual([])
  })

  it('releases the lock when the callback throws, and rejects the request with that error', async () => {
    const locks = new FakeLockManager()
    const failing = locks.forTab('a').request('l', {}, () => {
      throw new Error('boom')
    })
    await expect(failing).rejects.toThrow('boom')
    await expect(locks.forTab('b').request('l', {}, () => 'next')).resolves.toBe('next')
  })

  it('calls back with null at once for ifAvailable when the lock is taken, without queueing', async () => {
    const locks = new FakeLockManager()
    const held = deferred()
    locks.forTab('a').request('l', {}, () => held.promise)
    await settle()

    await expect(locks.forTab('b').request('l', { ifAvailable: true }, (lock) => lock)).resolves.toBeNull()
    expect(locks.waiting('l')).toEqual([])
    held.resolve()
    await settle()
    await expect(locks.forTab('b').request('l', { ifAvailable: true }, (lock) => lock)).resolves.toEqual({
      name: 'l',
      mode: 'exclusive',
    })
  })

  it('withdraws a waiting request whose signal aborts, rejecting it with an AbortError', async () => {
    const locks = new FakeLockManager()
    const held = deferred()
    locks.forTab('a').request('l', {}, () => held.promise)
    const controller = new AbortController()
    let ran = false
    const waiting = locks.forTab('b').request('l', { signal: controller.signal }, () => {
      ran = true
    })

    controller.abort()
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' })
    held.resolve()
    await settle()
    expect(ran).toBe(false)
    await expect(
      locks.forTab('c').request('l', { signal: AbortSignal.abort() }, () => {}),
    ).rejects.toMatchObject({ name: 'AbortError' })
  })

  it('lets shared holders in together and an exclusive request wait for all of them', async () => {
    const locks = new FakeLockManager()
    const one = deferred()
    const two = deferred()
    locks.forTab('a').request('l', { mode: 'shared' }, () => one.promise)
    locks.forTab('b').request('l', { mode: 'shared' }, () => two.promise)
    locks.forTab('c').request('l', {}, () => {})
    await settle()
    expect(locks.holders('l')).toEqual(['a', 'b'])

    one.resolve()
    await settle()
    expect(locks.holders('l')).toEqual(['b'])
    two.resolve()
    await settle()
    expect(locks.holders('l')).toEqual([])
  })

  it('steals a held lock: the holder request rejects with an AbortError and the thief holds it', async () => {
    const locks = new FakeLockManager()
    const victim = locks.forTab('a').request('l', {}, () => new Promise(() => {}))
    await settle()
    const thief = deferred()
    locks.forTab('b').request('l', { steal: true }, () => thief.promise)

    await expect(victim).rejects.toMatchObject({ name: 'AbortError' })
    await settle()
    expect(locks.holders('l')).toEqual(['b'])
  })

  it('on a tab crash releases its locks, drops its waiting requests and ignores its later requests', async () => {
    const locks = new FakeLockManager()
    locks.forTab('a').request('l', {}, () => new Promise(() => {}))
    locks.forTab('a').request('m', {}, () => new Promise(() => {}))
    locks.forTab('b').request('m', {}, () => new Promise(() => {}))
    locks.forTab('a').request('l', {}, () => new Promise(() => {}))
    locks.forTab('c').request('l', {}, () => new Promise(() => {}))
    await settle()

    locks.crash('a')
    await settle()
    locks.forTab('a').request('n', {}, () => {})
    await settle()

    expect(locks.holders('l')).toEqual(['c'])
    expect(locks.holders('m')).toEqual(['b'])
    expect(locks.holders('n')).toEqual([])
  })
})
