import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createEnvironment, type FetchLike } from '../shared/env.js'
import { ConfigError, CredentialsError, InvalidResponseError, TransportError } from '../shared/errors.js'
import type { Change } from '../wire.js'
import { HttpTransport, type HttpTransportOptions } from './http.js'

const START = Date.UTC(2026, 10, 22, 12, 0, 0)
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2VjcmV0LXNpZ25hdHVyZQ'
const CREDENTIALS = { endpoint: 'https://sync.example.com/v1', token: TOKEN }

const change: Change = {
  id: 'c1',
  collection: 'todos',
  recordId: 't1',
  type: 'update',
  data: { id: 't1', title: 'Buy milk' },
  prevData: { id: 't1', title: 'Buy mlk' },
  timestamp: START,
}
const pushAnswer = {
  accepted: [{ id: 'c1', serverTimestamp: '2026-11-22T12:00:01.000Z' }],
  conflicts: [],
  errors: [],
}
const pullAnswer = { changes: [], cursor: '7', hasMore: false }

function json(body: unknown, init: ResponseInit = {}): Response {
  return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' }, ...init })
}

interface Call {
  url: string
  method: string | undefined
  headers: Record<string, string>
  body: unknown
}

/** A fetch that answers from a script, one entry per request, and records what it was asked. */
function scriptedFetch(...script: ((init: RequestInit) => Promise<Response>)[]) {
  const calls: Call[] = []
  const fetch: FetchLike = (url, init) => {
    calls.push({
      url,
      method: init.method,
      headers: init.headers as Record<string, string>,
      body: JSON.parse(String(init.body)),
    })
    const next = script.shift()
    if (!next) throw new Error(`unexpected request to ${url}`)
    return next(init)
  }
  return { fetch, calls }
}

const answer = (response: () => Response) => async () => response()
const hang = () => new Promise<Response>(() => {})

function transport(fetch: FetchLike, options: Omit<HttpTransportOptions, 'env'> = {}) {
  return new HttpTransport({
    url: 'https://api.example.com/sync',
    ...options,
    env: createEnvironment({ fetch }),
  })
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof Error)) throw new Error('expected the call to fail')
  return error
}

describe('HttpTransport', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: START })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('POSTs { changes } as JSON to {url}/push and returns the validated answer', async () => {
    const { fetch, calls } = scriptedFetch(answer(() => json(pushAnswer)))
    const result = await transport(fetch, { headers: { 'X-App-Version': '1.4.0' } }).push([change], {})
    expect(calls).toEqual([
      {
        url: 'https://api.example.com/sync/push',
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/json', 'x-app-version': '1.4.0' },
        body: { changes: [change] },
      },
    ])
    expect(result.accepted).toEqual([{ id: 'c1', serverTimestamp: Date.parse('2026-11-22T12:00:01.000Z') }])
  })

  it('POSTs { cursor, batchSize, collections } to {url}/pull', async () => {
    const { fetch, calls } = scriptedFetch(answer(() => json(pullAnswer)))
    const result = await transport(fetch, { url: 'https://api.example.com/sync/' }).pull(
      { cursor: '3', batchSize: 100, collections: ['todos'] },
      {},
    )
    expect(calls[0]?.url).toBe('https://api.example.com/sync/pull')
    expect(calls[0]?.body).toEqual({ cursor: '3', batchSize: 100, collections: ['todos'] })
    expect(result).toEqual(pullAnswer)
  })

  it('keeps a query string of the base URL after the path, and out of error messages', async () => {
    const { fetch, calls } = scriptedFetch(
      answer(() => json(pushAnswer)),
      () => Promise.reject(new TypeError('fetch failed')),
    )
    const http = transport(fetch, { url: 'https://api.example.com/sync/?tenant=acme&key=k1' })
    await http.push([change], {})
    expect(calls[0]?.url).toBe('https://api.example.com/sync/push?tenant=acme&key=k1')
    const error = await failure(http.push([change], {}))
    expect(error.message).toContain('https://api.example.com/sync/push failed')
    expect(error.message).not.toContain('k1')
  })

  it('asks a headers function for fresh headers on every request', async () => {
    let n = 0
    const headers = vi.fn(async () => ({ Authorization: `Bearer app-token-${++n}` }))
    const { fetch, calls } = scriptedFetch(
      answer(() => json(pullAnswer)),
      answer(() => json(pullAnswer)),
    )
    const http = transport(fetch, { headers })
    await http.pull({ cursor: null, batchSize: 10 }, {})
    await http.pull({ cursor: null, batchSize: 10 }, {})
    expect(calls.map((call) => call.headers.authorization)).toEqual([
      'Bearer app-token-1',
      'Bearer app-token-2',
    ])
  })

  it('fails with CredentialsError when the headers function throws', async () => {
    const { fetch, calls } = scriptedFetch()
    const error = await failure(
      transport(fetch, {
        headers: () => {
          throw new Error('session expired')
        },
      }).push([change], {}),
    )
    expect(error).toBeInstanceOf(CredentialsError)
    expect(error.message).toContain('session expired')
    expect(calls).toHaveLength(0)
  })

  it('uses the credentials endpoint and a Bearer token when no url is given', async () => {
    const { fetch, calls } = scriptedFetch(answer(() => json(pushAnswer)))
    await new HttpTransport({
      headers: { Authorization: 'Bearer stale' },
      env: createEnvironment({ fetch }),
    }).push([change], { credentials: CREDENTIALS })
    expect(calls[0]?.url).toBe('https://sync.example.com/v1/push')
    expect(calls[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`)
  })

  it('prefers the url option over the credentials endpoint', async () => {
    const { fetch, calls } = scriptedFetch(answer(() => json(pushAnswer)))
    await transport(fetch).push([change], { credentials: CREDENTIALS })
    expect(calls[0]?.url).toBe('https://api.example.com/sync/push')
    expect(calls[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`)
  })

  it('refuses to guess a URL when there is neither a url option nor credentials', async () => {
    const { fetch } = scriptedFetch()
    const http = new HttpTransport({ env: createEnvironment({ fetch }) })
    expect(await failure(http.push([change], {}))).toBeInstanceOf(ConfigError)
    expect(() => new HttpTransport({ timeoutMs: 0 })).toThrow(ConfigError)
  })

  it('times out after timeoutMs with a retryable status-0 TransportError', async () => {
    const { fetch } = scriptedFetch(hang)
    const pending = failure(transport(fetch, { timeoutMs: 5_000 }).push([change], {}))
    await vi.advanceTimersByTimeAsync(4_999)
    expect(vi.getTimerCount()).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    const error = await pending
    expect(error).toBeInstanceOf(TransportError)
    expect((error as TransportError).status).toBe(0)
    expect((error as TransportError).retryable).toBe(true)
    expect(error.message).toMatch(/push to https:\/\/api\.example\.com\/sync\/push timed out after 5000 ms/)
  })

  it('also times out a response whose body never finishes', async () => {
    const { fetch } = scriptedFetch(async () => {
      const body = new ReadableStream({ start() {} })
      return new Response(body, { status: 200 })
    })
    const pending = failure(transport(fetch).pull({ cursor: null, batchSize: 10 }, {}))
    await vi.advanceTimersByTimeAsync(30_000)
    expect((await pending).message).toMatch(/timed out after 30000 ms/)
  })

  it("stops at once when the caller's signal aborts, rejecting with its reason", async () => {
    const { fetch } = scriptedFetch(hang)
    const controller = new AbortController()
    const pending = failure(transport(fetch).push([change], { signal: controller.signal }))
    await vi.advanceTimersByTimeAsync(10)
    const reason = new Error('disconnected')
    controller.abort(reason)
    expect(await pending).toBe(reason)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('does not send anything when the signal has already aborted', async () => {
    const { fetch, calls } = scriptedFetch()
    const error = await failure(transport(fetch).push([change], { signal: AbortSignal.abort() }))
    expect(error.name).toBe('AbortError')
    expect(calls).toHaveLength(0)
  })

  it('turns a network failure into a retryable status-0 TransportError that says so', async () => {
    const cause = new TypeError('fetch failed')
    const { fetch } = scriptedFetch(() => Promise.reject(cause))
    const error = (await failure(transport(fetch).push([change], {}))) as TransportError
    expect(error).toBeInstanceOf(TransportError)
    expect(error.status).toBe(0)
    expect(error.retryable).toBe(true)
    expect(error.message).toMatch(/network error \(fetch failed\)/)
    expect(error.cause).toBe(cause)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('reports a 401 with the server text, not retryable, and never with the token', async () => {
    const { fetch } = scriptedFetch(
      answer(() => json({ error: `token ${TOKEN} has expired` }, { status: 401 })),
    )
    const error = (await failure(
      transport(fetch).push([change], { credentials: CREDENTIALS }),
    )) as TransportError
    expect(error).toBeInstanceOf(TransportError)
    expect(error.status).toBe(401)
    expect(error.retryable).toBe(false)
    expect(error.message).toContain('HTTP 401')
    expect(error.message).toContain('has expired')
    expect(error.message).not.toContain(TOKEN)
  })

  it('reads Retry-After in seconds on a 429', async () => {
    const { fetch } = scriptedFetch(
      answer(() => json({ error: 'slow down' }, { status: 429, headers: { 'Retry-After': '120' } })),
    )
    const error = (await failure(transport(fetch).push([change], {}))) as TransportError
    expect(error.status).toBe(429)
    expect(error.retryable).toBe(true)
    expect(error.retryAfterMs).toBe(120_000)
  })

  it('reads Retry-After as an HTTP-date on a 503', async () => {
    const { fetch } = scriptedFetch(
      answer(
        () =>
          new Response('maintenance', {
            status: 503,
            headers: { 'Retry-After': 'Sun, 22 Nov 2026 12:01:00 GMT' },
          }),
      ),
    )
    const error = (await failure(
      transport(fetch).pull({ cursor: null, batchSize: 10 }, {}),
    )) as TransportError
    expect(error.status).toBe(503)
    expect(error.retryAfterMs).toBe(60_000)
  })

  it('ignores Retry-After on other statuses', async () => {
    const { fetch } = scriptedFetch(
      answer(() => new Response('', { status: 500, headers: { 'Retry-After': '120' } })),
    )
    const error = (await failure(transport(fetch).push([change], {}))) as TransportError
    expect(error.retryAfterMs).toBeUndefined()
  })

  it("includes the server's { error } text on a 500", async () => {
    const { fetch } = scriptedFetch(answer(() => json({ error: 'database is down' }, { status: 500 })))
    const error = (await failure(transport(fetch).push([change], {}))) as TransportError
    expect(error.status).toBe(500)
    expect(error.retryable).toBe(true)
    expect(error.message).toContain('database is down')
  })

  it('rejects a 2xx answer that is not JSON with InvalidResponseError', async () => {
    const { fetch } = scriptedFetch(answer(() => new Response('<html>gateway</html>', { status: 200 })))
    const error = await failure(transport(fetch).push([change], {}))
    expect(error).toBeInstanceOf(InvalidResponseError)
    expect(error.message).toMatch(/push answer.*not JSON/)
  })

  it('rejects a 2xx answer that breaks the contract, naming the field', async () => {
    const { fetch } = scriptedFetch(
      answer(() => json({ accepted: [{ id: 'c1' }], conflicts: [], errors: [] })),
    )
    const error = await failure(transport(fetch).push([change], {}))
    expect(error).toBeInstanceOf(InvalidResponseError)
    expect(error.message).toContain('accepted.0.serverTimestamp')
  })

  it('passes answers through unchecked when validateResponses is off', async () => {
    const odd = { changes: 'whatever', hasMore: 'no' }
    const { fetch } = scriptedFetch(answer(() => json(odd)))
    const result = await transport(fetch, { validateResponses: false }).pull(
      { cursor: null, batchSize: 10 },
      {},
    )
    expect(result).toEqual(odd)
  })
})
