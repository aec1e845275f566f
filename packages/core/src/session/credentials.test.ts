import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createEnvironment } from '../shared/env.js'
import { CredentialsError } from '../shared/errors.js'
import { CredentialCache, jwtExpiry, type SyncCredentials } from './credentials.js'

const START = Date.UTC(2026, 10, 22, 12, 0, 0)
const ENDPOINT = 'https://sync.example.com/api'

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url')
}

/** An unsigned JWT-shaped token; the cache never verifies signatures. */
function jwt(claims: Record<string, unknown>): string {
  return `${base64url('{"alg":"HS256","typ":"JWT"}')}.${base64url(JSON.stringify(claims))}.c2lnbmF0dXJl`
}

function setup(fetchCredentials: () => Promise<SyncCredentials>) {
  const logger = { warn: vi.fn(), error: vi.fn() }
  const env = createEnvironment({ logger })
  const fetch = vi.fn(fetchCredentials)
  return { cache: new CredentialCache(fetch, env), fetch, logger }
}

/** Hands out a fresh one-hour JWT on every call, like a real auth backend. */
function oneHourJwts() {
  let issued = 0
  return async () => {
    issued++
    return {
      endpoint: ENDPOINT,
      token: jwt({ sub: 'u1', n: issued, exp: Math.floor(Date.now() / 1000) + 3600 }),
    }
  }
}

describe('CredentialCache', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: START })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('returns cached credentials while they are valid', async () => {
    const { cache, fetch } = setup(async () => ({
      endpoint: ENDPOINT,
      token: 't1',
      expiresAt: START + 3_600_000,
    }))
    const first = await cache.get()
    vi.setSystemTime(START + 60_000)
    expect(await cache.get()).toBe(first)
    expect(first).toEqual({ endpoint: ENDPOINT, token: 't1', expiresAt: START + 3_600_000 })
    expect(fetch).toHaveBeenCalledTimes(1)
  })

  it('shares one fetch between concurrent callers', async () => {
    let resolve!: (value: SyncCredentials) => void
    const { cache, fetch } = setup(() => new Promise((r) => (resolve = r)))
    const calls = [cache.get(), cache.get(), cache.get()]
    resolve({ endpoint: ENDPOINT, token: 't1' })
    const results = await Promise.all(calls)
    expect(fetch).toHaveBeenCalledTimes(1)
    expect(new Set(results).size).toBe(1)
  })

  it("takes the expiry from a JWT's exp claim when expiresAt is missing", async () => {
    const exp = Math.floor(START / 1000) + 600
    const { cache } = setup(async () => ({ endpoint: ENDPOINT, token: jwt({ exp }) }))
    expect((await cache.get()).expiresAt).toBe(exp * 1000)
  })

  it('prefers expiresAt over the JWT, in any of its forms', async () => {
    const at = START + 120_000
    for (const expiresAt of [at, at / 1000, new Date(at), new Date(at).toISOString()]) {
      const { cache } = setup(async () => ({ endpoint: ENDPOINT, token: jwt({ exp: 1 }), expiresAt }))
      expect((await cache.get()).expiresAt).toBe(at)
    }
  })

  it('never expires a non-JWT token without expiresAt until it is invalidated', async () => {
    const { cache, fetch } = setup(async () => ({ endpoint: ENDPOINT, token: 'opaque-api-key' }))
    await cache.get()
    vi.setSystemTime(START + 365 * 24 * 3_600_000)
    expect((await cache.get()).expiresAt).toBeUndefined()
    expect(fetch).toHaveBeenCalledTimes(1)
    cache.invalidate()
    await cache.get()
    expect(fetch).toHaveBeenCalledTimes(2)
  })

  it('with 30 seconds or less left, returns the current token and refreshes once in the background', async () => {
    let n = 0
    const { cache, fetch } = setup(async () => ({
      endpoint: ENDPOINT,
      token: `t${++n}`,
      expiresAt: Date.now() + 3_600_000,
    }))
    await cache.get()
    vi.setSystemTime(START + 3_600_000 - 30_000)
    const [a, b] = await Promise.all([cache.get(), cache.get()])
    expect(a.token).toBe('t1')
    expect(b.token).toBe('t1')
    await vi.advanceTimersByTimeAsync(0)
    expect(fetch).toHaveBeenCalledTimes(2)
    expect((await cache.get()).token).toBe('t2')
    expect(fetch).toHaveBeenCalledTimes(2)
  })

  it('keeps the current token and logs without the token when a background refresh fails', async () => {
    const token = jwt({ exp: Math.floor(START / 1000) + 3600, secret: 'abc' })
    let fail = false
    const { cache, logger } = setup(async () => {
      if (fail) throw new Error('auth server down')
      return { endpoint: ENDPOINT, token }
    })
    await cache.get()
    fail = true
    vi.setSystemTime(START + 3_590_000)
    expect((await cache.get()).token).toBe(token)
    await vi.advanceTimersByTimeAsync(0)
    expect(logger.warn).toHaveBeenCalledOnce()
    expect(String(logger.warn.mock.calls[0])).toContain('auth server down')
    expect(String(logger.warn.mock.calls[0])).not.toContain(token)
    expect((await cache.get()).token).toBe(token)
  })

  it('refetches an expired token before returning', async () => {
    let n = 0
    const { cache, fetch } = setup(async () => ({
      endpoint: ENDPOINT,
      token: `t${++n}`,
      expiresAt: Date.now() + 60_000,
    }))
    await cache.get()
    vi.setSystemTime(START + 61_000)
    expect((await cache.get()).token).toBe('t2')
    expect(fetch).toHaveBeenCalledTimes(2)
  })

  it('judges expiry by the clock it is given, e.g. one corrected by the server offset', async () => {
    // The device clock is two hours behind the server that issues ten-minute tokens.
    const serverAhead = 2 * 3_600_000
    const serverNow = () => Date.now() + serverAhead
    const fetchCredentials = vi.fn(async () => ({
      endpoint: ENDPOINT,
      token: 't',
      expiresAt: serverNow() + 600_000,
    }))
    const corrected = new CredentialCache(fetchCredentials, createEnvironment(), { now: serverNow })
    await corrected.get()
    vi.setSystemTime(START + 700_000)
    await corrected.get()
    expect(fetchCredentials).toHaveBeenCalledTimes(2)
  })

  it('refetches after invalidate(), as after a 401', async () => {
    let n = 0
    const { cache, fetch } = setup(async () => ({ endpoint: ENDPOINT, token: `t${++n}` }))
    expect((await cache.get()).token).toBe('t1')
    cache.invalidate()
    expect((await cache.get()).token).toBe('t2')
    expect(fetch).toHaveBeenCalledTimes(2)
  })

  it('ignores a late 401 for a token it has already replaced', async () => {
    let n = 0
    const { cache } = setup(async () => ({ endpoint: ENDPOINT, token: `t${++n}` }))
    await cache.get()
    cache.invalidate('t1')
    await cache.get()
    cache.invalidate('t1')
    expect((await cache.get()).token).toBe('t2')
  })

  it('does not cache credentials from a fetch that was in flight when it was invalidated', async () => {
    const resolvers: ((value: SyncCredentials) => void)[] = []
    const { cache, fetch } = setup(() => new Promise((r) => resolvers.push(r)))
    const stale = cache.get()
    cache.invalidate()
    const fresh = cache.get()
    resolvers[0]!({ endpoint: ENDPOINT, token: 'old' })
    resolvers[1]!({ endpoint: ENDPOINT, token: 'new' })
    expect((await stale).token).toBe('old')
    expect((await fresh).token).toBe('new')
    expect((await cache.get()).token).toBe('new')
    expect(fetch).toHaveBeenCalledTimes(2)
  })

  it.each([
    ['endpoint', { endpoint: '/relative', token: 'secret-token-1' }],
    ['endpoint', { endpoint: 'ftp://files.example.com', token: 'secret-token-1' }],
    ['endpoint', { token: 'secret-token-1' }],
    ['token', { endpoint: ENDPOINT, token: '' }],
    ['token', { endpoint: ENDPOINT, token: 42 }],
    ['expiresAt', { endpoint: ENDPOINT, token: 'secret-token-1', expiresAt: 'next tuesday' }],
  ])('rejects credentials with a bad %s, naming the field and not the token', async (field, value) => {
    const { cache } = setup(async () => value as unknown as SyncCredentials)
    const error = await cache.get().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CredentialsError)
    expect((error as Error).message).toContain(`${field}:`)
    expect((error as Error).message).not.toContain('secret-token-1')
  })

  it('uses a token that looks expired on arrival (the device clock may be wrong; the server decides), warning without the token', async () => {
    const token = jwt({ exp: Math.floor(START / 1000) - 10 })
    const { cache, fetch, logger } = setup(async () => ({ endpoint: ENDPOINT, token }))
    expect((await cache.get()).token).toBe(token)
    expect((await cache.get()).token).toBe(token)
    expect(fetch).toHaveBeenCalledOnce()
    expect(logger.warn).toHaveBeenCalledOnce()
    expect(String(logger.warn.mock.calls[0])).toMatch(/looks expired/)
    expect(String(logger.warn.mock.calls[0])).not.toContain(token)
    cache.invalidate(token)
    await cache.get()
    expect(fetch).toHaveBeenCalledTimes(2)
  })

  it('wraps a throwing fetchCredentials, keeps the cause and caches nothing', async () => {
    const cause = new Error('not signed in')
    let fail = true
    const { cache, fetch } = setup(async () => {
      if (fail) throw cause
      return { endpoint: ENDPOINT, token: 't1' }
    })
    const error = await cache.get().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CredentialsError)
    expect((error as CredentialsError).cause).toBe(cause)
    expect((error as Error).message).toContain('not signed in')
    fail = false
    expect((await cache.get()).token).toBe('t1')
    expect(fetch).toHaveBeenCalledTimes(2)
  })

  it('for a 1-hour JWT, calls fetchCredentials about once per hour', async () => {
    const { cache, fetch } = setup(oneHourJwts())
    // An upload loop asking for credentials every 10 seconds for five hours.
    for (let t = 0; t < 5 * 3_600_000; t += 10_000) {
      vi.setSystemTime(START + t)
      const credentials = await cache.get()
      expect(credentials.expiresAt!).toBeGreaterThan(Date.now())
      await vi.advanceTimersByTimeAsync(0)
    }
    expect(fetch.mock.calls.length).toBeGreaterThanOrEqual(5)
    expect(fetch.mock.calls.length).toBeLessThanOrEqual(6)
  })
})

describe('jwtExpiry', () => {
  it('reads exp in milliseconds and ignores anything that is not a JWT', () => {
    expect(jwtExpiry(jwt({ exp: 1_800_000_000 }))).toBe(1_800_000_000_000)
    expect(jwtExpiry(jwt({ sub: 'no-exp' }))).toBeUndefined()
    expect(jwtExpiry('a.b')).toBeUndefined()
    expect(jwtExpiry('not.base64!.x')).toBeUndefined()
    expect(jwtExpiry(`x.${base64url('"string payload"')}.y`)).toBeUndefined()
  })

  it('decodes base64url payloads with non-ASCII claims', () => {
    expect(jwtExpiry(jwt({ name: 'Zoë ✓', exp: 2_000_000_000 }))).toBe(2_000_000_000_000)
  })
})
