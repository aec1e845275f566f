import { describe, expect, it } from 'vitest'
import { relativeTime } from './relativeTime.js'

const NOW = Date.UTC(2026, 10, 22, 12)

describe('relativeTime', () => {
  it('reads as now under a minute, then in the largest whole unit', () => {
    expect(relativeTime(NOW - 30_000, NOW, 'en')).toBe('now')
    expect(relativeTime(NOW - 60_000, NOW, 'en')).toBe('1 minute ago')
    expect(relativeTime(NOW - 5 * 60_000 - 59_000, NOW, 'en')).toBe('5 minutes ago')
    expect(relativeTime(NOW - 2 * 3600_000, NOW, 'en')).toBe('2 hours ago')
    expect(relativeTime(NOW - 24 * 3600_000, NOW, 'en')).toBe('yesterday')
  })

  it('follows the locale', () => {
    expect(relativeTime(NOW - 3 * 60_000, NOW, 'fr')).toBe('il y a 3 minutes')
  })
})
