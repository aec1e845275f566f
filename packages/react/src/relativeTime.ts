const units: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600_000],
  ['month', 30 * 24 * 3600_000],
  ['week', 7 * 24 * 3600_000],
  ['day', 24 * 3600_000],
  ['hour', 3600_000],
  ['minute', 60_000],
]

/** "now", "3 minutes ago", "yesterday": `at` relative to `now` (both epoch ms) in the user's locale. */
export function relativeTime(at: number, now: number, locale?: string | readonly string[]): string {
  const format = new Intl.RelativeTimeFormat(locale as string | string[] | undefined, { numeric: 'auto' })
  const elapsed = now - at
  for (const [unit, ms] of units) {
    if (Math.abs(elapsed) >= ms) return format.format(-Math.trunc(elapsed / ms), unit)
  }
  // Under a minute reads as "now": the text is refreshed only every few seconds.
  return format.format(0, 'second')
}
