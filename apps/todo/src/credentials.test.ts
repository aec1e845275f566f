import { describe, expect, it, vi } from 'vitest'
import { fetchDevCredentials, SignInError } from './credentials.js'

describe('fetchDevCredentials', () => {
  it('asks the server for a dev token for the user and hands it on with the endpoint', async () => {
    const fetchFn = vi.fn(async () => Response.json({ token: 'jwt-for-alice', expiresAt: 1_800_000_000_000 }))
    const credentials = await fetchDevCredentials('alice', 'http://127.0.0.1:8787', fetchFn)
    expect(credentials).toEqual({
      endpoint: 'http://127.0.0.1:8787',
      token: 'jwt-for-alice',
      expiresAt: 1_800_000_000_000,
    })
    expect(fetchFn).toHaveBeenCalledWith('http://127.0.0.1:8787/auth/dev-token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'alice' }),
    })
  })

  it('says to start the server with --dev-tokens when the route is missing', async () => {
    const fetchFn = vi.fn(async () => new Response('not found', { status: 404 }))
    const signIn = fetchDevCredentials('alice', 'http://127.0.0.1:8787', fetchFn)
    await expect(signIn).rejects.toBeInstanceOf(SignInError)
    await expect(signIn).rejects.toThrow(/answered 404.*--dev-tokens/)
  })

  it('refuses an answer without a token', async () => {
    const fetchFn = vi.fn(async () => Response.json({ expiresAt: 1 }))
    await expect(fetchDevCredentials('alice', 'http://x', fetchFn)).rejects.toThrow(/without a token/)
  })
})
