import { check, isoDateTime, number, object, optional, refine, string, union } from '../shared/check.js'
import type { SyncEnvironment } from '../shared/env.js'
import { CredentialsError, errorMessage, formatIssues } from '../shared/errors.js'

/** What the connector's `fetchCredentials()` returns: where the backend is and the token to send. */
export interface SyncCredentials {
  /** Absolute http(s) URL of the sync backend. */
  endpoint: string
  /** Sent as `Authorization: Bearer <token>`. Kept in memory only. */
  token: string
  /** Epoch milliseconds (or seconds), a Date or an ISO string; else the JWT's `exp` is used. */
  expiresAt?: number | Date | string
}

export type FetchCredentials = () => Promise<SyncCredentials>

/** Validated credentials, as the cache hands them out. */
export interface Credentials {
  readonly endpoint: string
  readonly token: string
  /** Epoch milliseconds; undefined when the token does not expire until invalidated. */
  readonly expiresAt: number | undefined
}

export interface CredentialCacheOptions {
  /** With this little time left, `get()` still returns the token but refetches in the background. */
  refreshBeforeMs?: number
  /** The clock expiry is judged by; pass `HybridClock.physicalNow` so a skewed device clock is corrected. */
  now?: () => number
}

/** With this little time left before expiry, credentials are refetched in the background while still in use. */
export const CREDENTIALS_REFRESH_BEFORE_MS = 30_000

// Numbers this small are seconds (JWT style) rather than milliseconds: 1e11 ms is in 1973.
const SECONDS_BELOW = 1e11

const httpUrl = refine(string(), (text) => {
  let protocol = ''
  try {
    protocol = new URL(text).protocol
  } catch {}
  return protocol === 'http:' || protocol === 'https:' ? { value: text } : 'must be an absolute http(s) URL'
})

// Kept as the string: toEpochMs reads it, so a number is never mistaken for seconds.
const isoString = refine(string(), (text) =>
  isoDateTime.safeParse(text).success ? { value: text } : 'not an ISO-8601 date-time with offset',
)

const validDate = check<Date>((input, path, issues) => {
  if (input instanceof Date && !Number.isNaN(input.getTime())) return input
  issues.push({ path, message: 'not a valid Date' })
  return input as Date
})

const fetchedCredentialsSchema = object<SyncCredentials>({
  endpoint: httpUrl,
  token: string({ min: 1 }),
  expiresAt: optional(
    union<number | Date | string>(
      [number({ min: 0 }), validDate, isoString],
      'must be epoch milliseconds, a Date or an ISO-8601 string',
    ),
  ),
})

/**
 * Caches the app's credentials in memory. Concurrent callers share one fetch; a token close to expiry
 * is still handed out while a fresh one is fetched in the background; an expired or invalidated token
 * is refetched before `get()` returns. A token that looks expired on arrival is used until the server refuses it.
 */
export class CredentialCache {
  #current: Credentials | undefined
  // Credentials that looked expired when they arrived: the device clock cannot judge them, the server does.
  #arrivedExpired = false
  #inFlight: Promise<Credentials> | undefined
  // Bumped by invalidate(), so a fetch started before it cannot put stale credentials back.
  #generation = 0
  readonly #refreshBeforeMs: number
  readonly #now: () => number

  readonly #fetchCredentials: FetchCredentials
  readonly #env: Pick<SyncEnvironment, 'now' | 'logger'>

  constructor(
    fetchCredentials: FetchCredentials,
    env: Pick<SyncEnvironment, 'now' | 'logger'>,
    options: CredentialCacheOptions = {},
  ) {
    this.#fetchCredentials = fetchCredentials
    this.#env = env
    this.#refreshBeforeMs = options.refreshBeforeMs ?? CREDENTIALS_REFRESH_BEFORE_MS
    this.#now = options.now ?? (() => env.now())
  }

  /** Valid credentials: cached while they last, fetched when there are none or they have expired. */
  async get(): Promise<Credentials> {
    const current = this.#current
    if (current) {
      if (this.#arrivedExpired) return current
      const left =
        current.expiresAt === undefined ? Number.POSITIVE_INFINITY : current.expiresAt - this.#now()
      if (left > this.#refreshBeforeMs) return current
      if (left > 0) {
        this.#refreshInBackground()
        return current
      }
      this.#current = undefined
    }
    return this.#fetch()
  }

  /**
   * Drops the cached credentials, typically after a 401, so the next `get()` refetches. With `token`,
   * only if that is still the cached one: a late 401 for an old token keeps a fresh one.
   */
  invalidate(token?: string): void {
    if (token !== undefined && this.#current !== undefined && this.#current.token !== token) return
    this.#current = undefined
    this.#arrivedExpired = false
    this.#inFlight = undefined
    this.#generation++
  }

  #refreshInBackground(): void {
    if (this.#inFlight) return
    this.#fetch().catch((error: unknown) => {
      // The current token is still valid; the next get() tries again.
      this.#env.logger.warn(
        `Driftless: refreshing credentials in the background failed: ${errorMessage(error)}`,
      )
    })
  }

  #fetch(): Promise<Credentials> {
    if (this.#inFlight) return this.#inFlight
    const generation = this.#generation
    const request = this.#load().then(
      (credentials) => {
        if (this.#generation === generation) {
          this.#current = credentials
          this.#arrivedExpired = credentials.expiresAt !== undefined && credentials.expiresAt <= this.#now()
          this.#inFlight = undefined
        }
        return credentials
      },
      (error: unknown) => {
        if (this.#generation === generation) this.#inFlight = undefined
        throw error
      },
    )
    this.#inFlight = request
    return request
  }

  async #load(): Promise<Credentials> {
    let fetched: unknown
    try {
      fetched = await this.#fetchCredentials()
    } catch (error) {
      throw new CredentialsError(
        `fetchCredentials() failed: ${errorMessage(error)}. Sync waits and tries again.`,
        { cause: error },
      )
    }
    const parsed = fetchedCredentialsSchema.safeParse(fetched)
    if (!parsed.success) {
      throw new CredentialsError(
        `fetchCredentials() returned unusable credentials: ${formatIssues(parsed.error.issues, '(credentials)')}. ` +
          'Return { endpoint, token, expiresAt? }.',
      )
    }
    const { endpoint, token } = parsed.data
    const expiresAt =
      parsed.data.expiresAt === undefined ? jwtExpiry(token) : toEpochMs(parsed.data.expiresAt)
    const now = this.#now()
    if (expiresAt !== undefined && expiresAt <= now) {
      // Local expiry only decides when to refresh; a wrong device clock must not stop sync, a 401 will.
      this.#env.logger.warn(
        `Driftless: fetchCredentials() returned a token that looks expired (at ${new Date(expiresAt).toISOString()}, ` +
          `now is ${new Date(now).toISOString()} by this device). Using it anyway: the server decides; check the device clock.`,
      )
    }
    return Object.freeze({ endpoint, token, expiresAt })
  }
}

function toEpochMs(value: number | Date | string): number {
  if (value instanceof Date) return value.getTime()
  if (typeof value === 'string') return Date.parse(value)
  return value < SECONDS_BELOW ? value * 1000 : value
}

/** The `exp` claim of a JWT in epoch milliseconds, unverified; undefined for anything else. */
export function jwtExpiry(token: string): number | undefined {
  const parts = token.split('.')
  if (parts.length !== 3 || !parts[1]) return undefined
  try {
    const payload: unknown = JSON.parse(decodeBase64Url(parts[1]))
    if (typeof payload !== 'object' || payload === null) return undefined
    const exp = (payload as { exp?: unknown }).exp
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined
  } catch {
    return undefined
  }
}

function decodeBase64Url(segment: string): string {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/')
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4)
  const binary = atob(padded)
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0))
  return new TextDecoder().decode(bytes)
}
