import type { SyncConnector, SyncCredentials } from '@driftless/core'

export type Connector = SyncConnector
export type Credentials = SyncCredentials

/** Thrown when the server will not hand out a dev token; says what to check. */
export class SignInError extends Error {
  readonly code = 'sign_in_failed'
  override readonly name = 'SignInError'
}

/**
 * Asks the reference server (started with --dev-tokens) for a token for `userId`.
 * The token is returned to the engine's in-memory cache only; the app never stores it.
 */
export async function fetchDevCredentials(
  userId: string,
  endpoint: string,
  fetchFn: typeof fetch = fetch,
): Promise<Credentials> {
  const response = await fetchFn(`${endpoint}/auth/dev-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  })
  if (!response.ok) {
    throw new SignInError(
      `Could not sign in as "${userId}": ${endpoint}/auth/dev-token answered ${response.status}. ` +
        'Start the server with --dev-tokens.',
    )
  }
  const body = (await response.json()) as { token?: unknown; expiresAt?: unknown }
  if (typeof body.token !== 'string' || body.token === '') {
    throw new SignInError(`Could not sign in as "${userId}": the server answered without a token.`)
  }
  return { endpoint, token: body.token, expiresAt: body.expiresAt } as Credentials
}

/** The connector the app hands to `client.connect()`: credentials come fresh from the server each time. */
export function devConnector(userId: string, endpoint: string): Connector {
  return { fetchCredentials: () => fetchDevCredentials(userId, endpoint) }
}
