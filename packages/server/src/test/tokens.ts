import { SignJWT } from 'jose'

export const TEST_SECRET = 'test-secret-that-is-at-least-32-characters-long'
export const TEST_AUDIENCE = 'driftless-test'

/** A signed HS256 token; the defaults make a valid one for `sub` that expires in an hour. */
export async function signToken(
  sub: string | undefined,
  options: { secret?: string; audience?: string; expiresAt?: number; now?: number } = {},
): Promise<string> {
  const now = Math.floor((options.now ?? Date.now()) / 1000)
  let jwt = new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt(now)
    .setExpirationTime(options.expiresAt ?? now + 3600)
    .setAudience(options.audience ?? TEST_AUDIENCE)
  if (sub !== undefined) jwt = jwt.setSubject(sub)
  return jwt.sign(new TextEncoder().encode(options.secret ?? TEST_SECRET))
}
