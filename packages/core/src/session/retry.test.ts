import { describe, expect, it } from 'vitest'
import { DEFAULT_RETRY_DELAY_MS, parseRetryAfter, retryDelay } from './retry.js'

describe('retryDelay', () => {
  const noJitter = { random: () => 0 }

  it('starts at the seed default of 5 seconds', () => {
    expect(DEFAULT_RETRY_DELAY_MS).toBe(5_000)
    expect(retryDelay(1, noJitter)).toBe(5_000)
  })

  it('doubles with every attempt until the cap', () => {
    const delays = [1, 2, 3, 4, 5, 6].map((attempt) =>
      retryDelay(attempt, { baseMs: 1_000, maxMs: 10_000, ...noJitter }),
    )
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000])
  })

  it('stays capped for very large attempt numbers', () => {
    expect(retryDelay(5_000, { baseMs: 1_000, maxMs: 30_000, ...noJitter })).toBe(30_000)
  })

  it('shortens each delay by up to the jitter fraction, never beyond the cap', () => {
    const options = { baseMs: 1_000, maxMs: 4_000, jitter: 0.5 }
    expect(retryDelay(1, { ...options, random: () => 0.999_999 })).toBe(500)
    expect(retryDelay(1, { ...options, random: () => 0.5 })).toBe(750)
    for (const r of [0, 0.3, 0.7, 0.999]) {
      const delay = retryDelay(10, { ...options, random: () => r })
      expect(delay).toBeGreaterThanOrEqual(2_000)
      expect(delay).toBeLessThanOrEqual(4_000)
    }
  })

  it('spreads clients that fail together', () => {
    const values = [0.1, 0.4, 0.9].map((r) => retryDelay(1, { random: () => r }))
    expect(new Set(values).size).toBe(3)
    for (const value of values) expect(value).toBeGreaterThanOrEqual(4_000)
  })

  it('treats attempt 0 or garbage like the first attempt', () => {
    expect(retryDelay(0, noJitter)).toBe(5_000)
    expect(retryDelay(Number.NaN, noJitter)).toBe(5_000)
  })
})

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 10, 22, 12, 0, 0)

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000)
    expect(parseRetryAfter(' 0 ', now)).toBe(0)
  })

  it('reads an HTTP-date relative to now', () => {
    expect(parseRetryAfter('Sun, 22 Nov 2026 12:00:30 GMT', now)).toBe(30_000)
  })

  it('gives 0 for a date in the past', () => {
    expect(parseRetryAfter('Sun, 22 Nov 2026 11:00:00 GMT', now)).toBe(0)
  })

  it('is undefined when the header is absent or unreadable', () => {
    for (const header of [null, undefined, '', 'soon', '-5', '1.5', '+5', 'Someday, 99 Foo']) {
      expect(parseRetryAfter(header, now)).toBeUndefined()
    }
  })
})
