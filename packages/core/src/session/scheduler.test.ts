import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createEnvironment } from '../shared/env.js'
import { TransportError } from '../shared/errors.js'
import { type SchedulerOptions, SyncScheduler } from './scheduler.js'

const START = Date.UTC(2026, 10, 22, 12)

type Outcome = { retryAt?: number | null } | { error: unknown } | 'hang'

/** A stub round runner: records when each round started and plays scripted outcomes (default: success). */
function stubRunner() {
  const starts: number[] = []
  const signals: AbortSignal[] = []
  const outcomes: Outcome[] = []
  let release: (() => void) | null = null
  const run = async (signal: AbortSignal): Promise<number | null> => {
    starts.push(Date.now() - START)
    signals.push(signal)
    const outcome = outcomes.shift() ?? {}
    if (outcome === 'hang') {
      await new Promise<void>((resolve) => {
        release = resolve
      })
      return null
    }
    if ('error' in outcome) throw outcome.error
    return outcome.retryAt ?? null
  }
  return {
    run,
    starts,
    signals,
    script: (...next: Outcome[]) => outcomes.push(...next),
    /** Ends the round that is hanging. */
    finish: () => {
      release?.()
      release = null
    },
  }
}

let online = true

function setup(options: Partial<SchedulerOptions> = {}) {
  const runner = stubRunner()
  const env = createEnvironment({ random: () => 0.5, isOnline: () => online })
  const scheduler = new SyncScheduler(runner.run, env, {
    debounceMs: 0,
    throttleMs: 1_000,
    intervalMs: null,
    retryDelayMs: 1_000,
    maxRetryDelayMs: 8_000,
    ...options,
  })
  return { runner, scheduler }
}

const tick = (ms: number) => vi.advanceTimersByTimeAsync(ms)

beforeEach(() => {
  vi.useFakeTimers({ now: START })
  online = true
})
afterEach(() => vi.useRealTimers())

describe('SyncScheduler', () => {
  it('runs a round as soon as it starts (the upload on connect)', async () => {
    const { runner, scheduler } = setup()
    scheduler.start()
    await tick(0)
    expect(runner.starts).toEqual([0])
    scheduler.stop(new Error('done'))
  })

  it('runs a requested round at once and resolves when that round has finished', async () => {
    const { runner, scheduler } = setup()
    scheduler.start()
    await tick(5_000)
    const done = vi.fn()
    scheduler.requestRound().then(done)
    await tick(0)
    expect(runner.starts).toEqual([0, 5_000])
    expect(done).toHaveBeenCalledOnce()
    scheduler.stop(new Error('done'))
  })

  it('rejects a requested round with the error the round failed with', async () => {
    const { runner, scheduler } = setup()
    scheduler.start()
    await tick(0)
    const failure = new Error('server down')
    runner.script({ error: failure })
    await expect(scheduler.requestRound()).rejects.toBe(failure)
    scheduler.stop(new Error('done'))
  })

  it('coalesces rapid local writes into at most one round per throttle interval', async () => {
    const { runner, scheduler } = setup({ throttleMs: 1_000 })
    scheduler.start()
    await tick(0)
    for (let i = 0; i < 30; i++) {
      scheduler.notifyWrite()
      await tick(100)
    }
    expect(runner.starts).toEqual([0, 1_000, 2_000, 3_000])
    scheduler.stop(new Error('done'))
  })

  it('measures the debounce from the last write of a burst', async () => {
    const { runner, scheduler } = setup({ debounceMs: 300, throttleMs: 0 })
    scheduler.start()
    await tick(10_000)
    scheduler.notifyWrite()
    await tick(200)
    scheduler.notifyWrite()
    await tick(299)
    expect(runner.starts).toEqual([0])
    await tick(1)
    expect(runner.starts).toEqual([0, 10_500])
    scheduler.stop(new Error('done'))
  })

  it('waits for the debounce after a write before its round', async () => {
    const { runner, scheduler } = setup({ debounceMs: 300, throttleMs: 0 })
    scheduler.start()
    await tick(10_000)
    scheduler.notifyWrite()
    await tick(299)
    expect(runner.starts).toEqual([0])
    await tick(1)
    expect(runner.starts).toEqual([0, 10_300])
    scheduler.stop(new Error('done'))
  })

  it('runs exactly one more round after the current one when writes arrive during it', async () => {
    const { runner, scheduler } = setup({ throttleMs: 1_000 })
    scheduler.start()
    await tick(5_000)
    runner.script('hang')
    scheduler.requestRound().catch(() => {})
    await tick(0)
    scheduler.notifyWrite()
    scheduler.notifyWrite()
    scheduler.notifyWrite()
    await tick(2_000)
    expect(runner.starts).toEqual([0, 5_000])
    runner.finish()
    await tick(10_000)
    expect(runner.starts).toEqual([0, 5_000, 7_000])
    scheduler.stop(new Error('done'))
  })

  it('runs a background round every interval', async () => {
    const { runner, scheduler } = setup({ intervalMs: 30_000 })
    scheduler.start()
    await tick(95_000)
    expect(runner.starts).toEqual([0, 30_000, 60_000, 90_000])
    scheduler.stop(new Error('done'))
  })

  it('does not let a write waiting for its debounce hold off the interval round', async () => {
    const { runner, scheduler } = setup({ intervalMs: 10_000, debounceMs: 60_000 })
    scheduler.start()
    await tick(1_000)
    scheduler.notifyWrite()
    await tick(9_000)
    expect(runner.starts).toEqual([0, 10_000])
    scheduler.stop(new Error('done'))
  })

  it('backs off after a failed round with jittered delays that double up to the cap', async () => {
    const { runner, scheduler } = setup({ retryDelayMs: 1_000, maxRetryDelayMs: 8_000 })
    const failure = new Error('boom')
    runner.script(...Array.from({ length: 6 }, () => ({ error: failure })))
    scheduler.start()
    await tick(60_000)
    // random() is 0.5 and jitter 20%, so each delay is 90% of 1, 2, 4, 8, 8 seconds.
    expect(runner.starts).toEqual([0, 900, 2_700, 6_300, 13_500, 20_700, 27_900])
    scheduler.stop(new Error('done'))
  })

  it('starts again from the first delay after a successful round', async () => {
    const { runner, scheduler } = setup({ retryDelayMs: 1_000 })
    runner.script({ error: new Error('a') }, { error: new Error('b') }, {}, { error: new Error('c') })
    scheduler.start()
    await tick(2_700)
    expect(runner.starts).toEqual([0, 900, 2_700])
    scheduler.requestRound().catch(() => {})
    await tick(900)
    expect(runner.starts).toEqual([0, 900, 2_700, 2_700, 3_600])
    scheduler.stop(new Error('done'))
  })

  it('cuts the backoff short for a requested round (sync())', async () => {
    const { runner, scheduler } = setup({ retryDelayMs: 60_000, maxRetryDelayMs: 60_000 })
    runner.script({ error: new Error('boom') })
    scheduler.start()
    await tick(1_000)
    await scheduler.requestRound()
    expect(runner.starts).toEqual([0, 1_000])
    scheduler.stop(new Error('done'))
  })

  it('does not let local writes shorten a backoff', async () => {
    const { runner, scheduler } = setup({ retryDelayMs: 10_000, maxRetryDelayMs: 10_000, throttleMs: 0 })
    runner.script({ error: new Error('boom') })
    scheduler.start()
    await tick(1_000)
    scheduler.notifyWrite()
    await tick(7_000)
    expect(runner.starts).toEqual([0])
    await tick(1_000)
    expect(runner.starts).toEqual([0, 9_000])
    scheduler.stop(new Error('done'))
  })

  it('waits at least Retry-After before the next attempt when the server asks for it', async () => {
    const { runner, scheduler } = setup({ retryDelayMs: 1_000 })
    runner.script({ error: new TransportError(429, 'slow down', { retryAfterMs: 30_000 }) })
    scheduler.start()
    await tick(29_999)
    expect(runner.starts).toEqual([0])
    await tick(1)
    expect(runner.starts).toEqual([0, 30_000])
    scheduler.stop(new Error('done'))
  })

  it('waits out a Retry-After longer than a timer can hold instead of retrying at once', async () => {
    const { runner, scheduler } = setup({ retryDelayMs: 1_000 })
    const retryAfterMs = 2 ** 31 + 10_000
    runner.script({ error: new TransportError(503, 'maintenance', { retryAfterMs }) })
    scheduler.start()
    await tick(60_000)
    expect(runner.starts).toEqual([0])
    await tick(retryAfterMs - 60_001)
    expect(runner.starts).toEqual([0])
    await tick(1)
    expect(runner.starts).toEqual([0, retryAfterMs])
    scheduler.stop(new Error('done'))
  })

  it('keeps its own backoff when it is longer than Retry-After', async () => {
    const { runner, scheduler } = setup({ retryDelayMs: 10_000, maxRetryDelayMs: 10_000 })
    runner.script({ error: new TransportError(503, 'busy', { retryAfterMs: 1_000 }) })
    scheduler.start()
    await tick(20_000)
    expect(runner.starts).toEqual([0, 9_000])
    scheduler.stop(new Error('done'))
  })

  it('does not retry while offline: the online event starts the next round', async () => {
    const { runner, scheduler } = setup({ retryDelayMs: 1_000 })
    online = false
    runner.script({ error: new TransportError(0, 'network down') })
    scheduler.start()
    await tick(60_000)
    expect(runner.starts).toEqual([0])
    scheduler.stop(new Error('done'))
  })

  it('starts no write or interval rounds while offline', async () => {
    const { runner, scheduler } = setup({ intervalMs: 5_000 })
    scheduler.start()
    await tick(0)
    online = false
    scheduler.notifyWrite()
    await tick(30_000)
    expect(runner.starts).toEqual([0])
    online = true
    await scheduler.requestRound()
    expect(runner.starts).toEqual([0, 30_000])
    scheduler.stop(new Error('done'))
  })

  it('stops waiting and aborts the round in flight when stopped', async () => {
    const { runner, scheduler } = setup({ retryDelayMs: 1_000, intervalMs: 5_000 })
    runner.script('hang')
    scheduler.start()
    await tick(0)
    const waiting = scheduler.requestRound()
    const reason = new Error('disconnected')
    scheduler.stop(reason)
    await expect(waiting).rejects.toBe(reason)
    expect(runner.signals[0]?.aborted).toBe(true)
    runner.finish()
    scheduler.notifyWrite()
    await tick(60_000)
    expect(runner.starts).toEqual([0])
    await expect(scheduler.requestRound()).rejects.toThrow(/not running/)
  })

  it('stops waiting out a backoff when stopped', async () => {
    const { runner, scheduler } = setup({ retryDelayMs: 1_000 })
    runner.script({ error: new Error('boom') })
    scheduler.start()
    await tick(500)
    scheduler.stop(new Error('disconnected'))
    await tick(60_000)
    expect(runner.starts).toEqual([0])
  })

  it('runs a round when held-back changes are due', async () => {
    const { runner, scheduler } = setup()
    runner.script({ retryAt: START + 4_000 })
    scheduler.start()
    await tick(10_000)
    expect(runner.starts).toEqual([0, 4_000])
    scheduler.stop(new Error('done'))
  })

  it('never runs two rounds at once', async () => {
    const { runner, scheduler } = setup({ intervalMs: 1_000 })
    runner.script('hang')
    scheduler.start()
    scheduler.requestRound().catch(() => {})
    scheduler.notifyWrite()
    await tick(5_000)
    expect(runner.starts).toEqual([0])
    runner.finish()
    await tick(0)
    expect(runner.starts).toEqual([0, 5_000])
    scheduler.stop(new Error('done'))
  })
})
