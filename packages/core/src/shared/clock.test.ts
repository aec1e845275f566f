import { describe, expect, it } from 'vitest'
import { HybridClock } from './clock.js'

const HOUR = 60 * 60 * 1000
const START = Date.UTC(2026, 10, 22, 12, 0, 0)

/** Real time, shared by every simulated device and the server. */
function world() {
  let realNow = START
  return {
    advance(ms: number) {
      realNow += ms
    },
    real: () => realNow,
    /** A device whose wall clock is `skewMs` off real time. */
    device(skewMs: number) {
      return { now: () => realNow + skewMs }
    },
  }
}

/** One request to a server with a correct clock, taking `roundTripMs`. */
function talkToServer(
  w: ReturnType<typeof world>,
  clock: HybridClock,
  env: { now(): number },
  roundTripMs = 80,
) {
  const sentAt = env.now()
  w.advance(roundTripMs / 2)
  const serverNow = w.real()
  w.advance(roundTripMs / 2)
  return clock.setServerTime(serverNow, sentAt, env.now())
}

describe('HybridClock', () => {
  it('issues strictly increasing timestamps even when the device clock goes backwards', () => {
    let wall = START
    const clock = new HybridClock({ now: () => wall })
    const issued = [clock.now(), clock.now()]
    wall -= 10_000
    issued.push(clock.now(), clock.now())
    wall += 3_000
    issued.push(clock.now())
    wall += 60_000
    issued.push(clock.now())
    for (let i = 1; i < issued.length; i++) expect(issued[i]).toBeGreaterThan(issued[i - 1]!)
    expect(issued.at(-1)).toBe(START + 53_000)
  })

  it('follows the device clock while it moves forward normally', () => {
    let wall = START
    const clock = new HybridClock({ now: () => wall })
    expect(clock.now()).toBe(START)
    wall += 250
    expect(clock.now()).toBe(START + 250)
  })

  it.each([
    ['an hour behind', -HOUR],
    ['an hour ahead', HOUR],
  ])('orders edits correctly against a device %s once both have talked to the server', (_, skew) => {
    const w = world()
    const skewedEnv = w.device(skew)
    const correctEnv = w.device(0)
    const skewed = new HybridClock(skewedEnv)
    const correct = new HybridClock(correctEnv)
    expect(talkToServer(w, skewed, skewedEnv)).toBe(true)
    expect(talkToServer(w, correct, correctEnv)).toBe(true)

    // Each device edits the same record in turn, one second apart in real time.
    const edits: number[] = []
    for (let i = 0; i < 6; i++) {
      edits.push((i % 2 === 0 ? skewed : correct).now())
      w.advance(1_000)
    }
    for (let i = 1; i < edits.length; i++) expect(edits[i]).toBeGreaterThan(edits[i - 1]!)
    // And the timestamps are close to real time, not an hour off.
    expect(Math.abs(edits[0]! - (w.real() - 6_000))).toBeLessThan(100)
  })

  it('without the server, a device an hour ahead would win against a later edit', () => {
    const w = world()
    const ahead = new HybridClock(w.device(HOUR))
    const correct = new HybridClock(w.device(0))
    const first = ahead.now()
    w.advance(1_000)
    expect(correct.now()).toBeLessThan(first)
  })

  it('never issues a timestamp at or below one it has observed', () => {
    const w = world()
    const behind = new HybridClock(w.device(-HOUR))
    const remote = w.real() + 5_000
    behind.observe(remote)
    const next = behind.now()
    expect(next).toBeGreaterThan(remote)
    expect(behind.now()).toBeGreaterThan(next)
  })

  it('ignores an observed timestamp older than its own, and non-numbers', () => {
    const clock = new HybridClock({ now: () => START })
    clock.observe(START - HOUR)
    clock.observe(Number.NaN)
    clock.observe(Number.POSITIVE_INFINITY)
    expect(clock.now()).toBe(START)
  })

  it('estimates the offset from the middle of the round trip', () => {
    const clock = new HybridClock({ now: () => START })
    expect(clock.setServerTime(START + 10_500, START, START + 1_000)).toBe(true)
    expect(clock.serverOffsetMs).toBe(10_000)
    expect(clock.physicalNow()).toBe(START + 10_000)
  })

  it('takes the latest sane sample and ignores absurd ones', () => {
    const clock = new HybridClock({ now: () => START })
    clock.setServerTime(START + 2_000, START, START)
    expect(clock.setServerTime(START + 5_000, START, START - 1)).toBe(false)
    expect(clock.setServerTime(START + 5_000, START, START + 10 * 60_000)).toBe(false)
    expect(clock.setServerTime(START + 100 * 365 * 24 * HOUR, START, START + 10)).toBe(false)
    expect(clock.setServerTime(Number.NaN, START, START + 10)).toBe(false)
    expect(clock.serverOffsetMs).toBe(2_000)
    expect(clock.setServerTime(START + 3_000, START, START)).toBe(true)
    expect(clock.serverOffsetMs).toBe(3_000)
  })

  it('does not go backwards when a new offset moves physical time back a little', () => {
    const clock = new HybridClock({ now: () => START })
    clock.setServerTime(START + 30_000, START, START)
    const before = clock.now()
    clock.setServerTime(START, START, START)
    expect(clock.now()).toBeGreaterThan(before)
  })

  it('leaves behind what it issued an hour ahead once the server says so, so later edits elsewhere can win', () => {
    const w = world()
    const ahead = new HybridClock(w.device(HOUR))
    const wrong = ahead.now()
    expect(wrong).toBe(w.real() + HOUR)
    ahead.setServerTime(w.real(), w.real() + HOUR, w.real() + HOUR)
    w.advance(1_000)
    expect(ahead.now()).toBe(w.real())
  })

  it('once synced, does not follow a timestamp from a device far ahead', () => {
    const w = world()
    const clock = new HybridClock(w.device(0))
    clock.setServerTime(w.real(), w.real(), w.real())
    clock.observe(w.real() + HOUR)
    expect(clock.now()).toBe(w.real())
    clock.observe(w.real() + 30_000)
    expect(clock.now()).toBe(w.real() + 30_001)
  })

  it('survives a reload through toJSON and merge', () => {
    let wall = START
    const clock = new HybridClock({ now: () => wall })
    clock.setServerTime(START + 4_000, START, START)
    clock.observe(START + 60_000)
    const saved = JSON.parse(JSON.stringify(clock))
    wall -= 1_000
    const restored = new HybridClock({ now: () => wall })
    restored.merge(saved)
    expect(restored.serverOffsetMs).toBe(4_000)
    expect(restored.now()).toBe(START + 60_001)
  })

  it('starts fresh from saved state it cannot read', () => {
    for (const saved of [undefined, null, 'x', { last: 'soon' }, { last: -1 }]) {
      const clock = new HybridClock({ now: () => START })
      clock.merge(saved)
      expect(clock.now()).toBe(START)
      expect(clock.serverOffsetMs).toBe(0)
    }
  })
})

describe('HybridClock.merge', () => {
  it('moves past timestamps saved by another tab and adopts its server offset when it has none', () => {
    const clock = new HybridClock({ now: () => 1_000 })
    clock.merge({ last: 5_000, offsetMs: 250 })
    expect(clock.serverOffsetMs).toBe(250)
    expect(clock.now()).toBe(5_001)
  })

  it('ignores unreadable saved state', () => {
    const clock = new HybridClock({ now: () => 1_000 })
    clock.merge({ last: 'soon' })
    expect(clock.now()).toBe(1_000)
  })
})
