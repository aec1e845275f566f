/** How long to wait before retrying a failed upload, unless the app says otherwise. */
export const DEFAULT_RETRY_DELAY_MS = 5_000
/** Backoff never waits longer than this between attempts by default. */
export const DEFAULT_MAX_RETRY_DELAY_MS = 60_000

export interface RetryDelayOptions {
  /** The delay of the first retry, before jitter. */
  baseMs?: number
  /** The cap on any delay. */
  maxMs?: number
  /** Fraction of the delay that is randomised, so many clients do not retry in step. */
  jitter?: number
  /** In [0, 1); pass `env.random` so tests are deterministic. */
  random?: () => number
}

/**
 * Exponential backoff with jitter: `baseMs · 2^(attempt − 1)`, capped at `maxMs`, then shortened by up
 * to `jitter` of itself. Attempt 1 waits between `(1 − jitter) · baseMs` and `baseMs`; no delay exceeds
 * `maxMs`.
 */
export function retryDelay(attempt: number, options: RetryDelayOptions = {}): number {
  const baseMs = Math.max(0, options.baseMs ?? DEFAULT_RETRY_DELAY_MS)
  const maxMs = Math.max(0, options.maxMs ?? DEFAULT_MAX_RETRY_DELAY_MS)
  const jitter = Math.min(1, Math.max(0, options.jitter ?? 0.2))
  const random = options.random ?? Math.random
  const exponent = Math.max(0, Math.floor(Number.isFinite(attempt) ? attempt : 1) - 1)
  const capped = Math.min(maxMs, baseMs * 2 ** exponent)
  return Math.round(capped * (1 - jitter * random()))
}

/**
 * Reads an HTTP `Retry-After` header — delta-seconds or an HTTP-date — as milliseconds from `now`.
 * Undefined when the header is absent or unreadable; a date in the past gives 0.
 */
export function parseRetryAfter(header: string | null | undefined, now: number): number | undefined {
  if (header == null) return undefined
  const value = header.trim()
  if (/^\d+$/.test(value)) return Number(value) * 1000
  // Date.parse accepts bare numbers and other non-HTTP forms; a real HTTP-date always names its month.
  if (!/[a-z]{3}/i.test(value)) return undefined
  const at = Date.parse(value)
  if (!Number.isFinite(at)) return undefined
  return Math.max(0, at - now)
}
