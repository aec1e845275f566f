import type { SyncEnvironment } from '../shared/env.js'
import { loadOnce } from '../shared/loadOnce.js'
import type { CredentialCache, FetchCredentials } from './credentials.js'

/**
 * The credential cache, with its checks, in a chunk of its own: only apps whose connector fetches
 * credentials load it. A failed load surfaces from `get()`, as a failed round, and the next `get()` tries
 * again. Expiry is judged on `now`, the server-corrected clock, so a device clock hours off still
 * refreshes in time.
 */
export function lazyCredentialCache(
  fetchCredentials: FetchCredentials,
  env: SyncEnvironment,
  now: () => number,
): Pick<CredentialCache, 'get' | 'invalidate'> {
  let loaded: CredentialCache | undefined
  const load = loadOnce(async () => {
    const { CredentialCache } = await import('./credentials.js')
    loaded = new CredentialCache(fetchCredentials, env, { now })
    return loaded
  })
  load().catch(() => {})
  return {
    get: async () => (await load()).get(),
    // Before the cache has loaded no token was handed out, so there is nothing to drop.
    invalidate: (token) => loaded?.invalidate(token),
  }
}
