import { createSecretKey, type KeyObject } from 'node:crypto'
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify, SignJWT } from 'jose'
import { HttpError, ServerConfigError } from './httpError.js'

export interface AuthOptions {
  /** A shared HS256 secret (at least 32 characters). */
  secret?: string | undefined
  /** Where the identity provider publishes its signing keys (JWKS). */
  jwksUrl?: string | URL | undefined
  /** When set, a token's `aud` must name this audience. */
  audience?: string | undefined
  /** When set, a token's `iss` must be this issuer. */
  issuer?: string | undefined
  /** Leeway for `exp` and `nbf` against clock skew; defaults to 5 seconds. */
  clockToleranceSeconds?: number | undefined
}

export const MIN_SECRET_LENGTH = 32

/** Verifies bearer tokens and says whose request it is. */
export interface Authenticator {
  /** The user id (`sub`) of a valid token; throws a 401 `HttpError` otherwise. */
  authenticate(authorization: string | null): Promise<string>
  /** Signs a token for `userId`, when tokens are verified with a shared secret. */
  issue?(userId: string, ttlSeconds: number): Promise<{ token: string; expiresAt: number }>
}

function unauthorized(message: string, invalid = true): HttpError {
  // RFC 6750: a request without credentials gets a bare challenge, a bad token gets `invalid_token`.
  return new HttpError(401, message, {
    headers: { 'WWW-Authenticate': invalid ? 'Bearer error="invalid_token"' : 'Bearer' },
  })
}

function explain(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'The token has expired; fetch new credentials and retry.'
  if (error instanceof errors.JWTClaimValidationFailed) {
    return `The token's "${error.claim}" claim is not accepted by this server.`
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'The token signature is not valid.'
  if (error instanceof errors.JOSEAlgNotAllowed)
    return 'The token is signed with an algorithm this server does not accept.'
  if (error instanceof errors.JWKSNoMatchingKey)
    return 'The token is signed with a key this server does not know.'
  return 'The token is not a valid JWT.'
}

export function createAuthenticator(options: AuthOptions, now: () => number): Authenticator {
  const { secret, jwksUrl } = options
  if (secret !== undefined && jwksUrl !== undefined) {
    throw new ServerConfigError('Configure either a JWT secret or a JWKS URL, not both.')
  }
  let secretKey: KeyObject | undefined
  let keySet: JWTVerifyGetKey | undefined
  if (secret !== undefined) {
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new ServerConfigError(`The JWT secret must be at least ${MIN_SECRET_LENGTH} characters long.`)
    }
    secretKey = createSecretKey(Buffer.from(secret, 'utf8'))
  } else if (jwksUrl !== undefined) {
    keySet = createRemoteJWKSet(new URL(jwksUrl))
  } else {
    throw new ServerConfigError('No way to verify tokens: set a JWT secret or a JWKS URL.')
  }
  const verifyOptions = {
    // A shared secret only ever signs HS256; a JWKS names each key's algorithm itself.
    ...(secretKey ? { algorithms: ['HS256'] } : {}),
    ...(options.audience === undefined ? {} : { audience: options.audience }),
    ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
    clockTolerance: options.clockToleranceSeconds ?? 5,
    requiredClaims: ['sub', 'exp'],
  }

  const authenticator: Authenticator = {
    async authenticate(authorization) {
      const match = authorization ? /^Bearer +([^ ]+) *$/i.exec(authorization) : null
      if (!match?.[1]) {
        throw unauthorized('Missing bearer token: send "Authorization: Bearer <token>".', false)
      }
      let subject: string | undefined
      try {
        const options = { ...verifyOptions, currentDate: new Date(now()) }
        const { payload } = secretKey
          ? await jwtVerify(match[1], secretKey, options)
          : await jwtVerify(match[1], keySet!, options)
        subject = payload.sub
      } catch (error) {
        throw unauthorized(explain(error))
      }
      if (!subject) throw unauthorized('The token names no user: its "sub" claim is empty.')
      return subject
    },
  }
  if (secretKey) {
    const signingKey = secretKey
    authenticator.issue = async (userId, ttlSeconds) => {
      const issuedAt = Math.floor(now() / 1000)
      const expiresAt = issuedAt + ttlSeconds
      let token = new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(userId)
        .setIssuedAt(issuedAt)
        .setExpirationTime(expiresAt)
      if (options.audience !== undefined) token = token.setAudience(options.audience)
      if (options.issuer !== undefined) token = token.setIssuer(options.issuer)
      return { token: await token.sign(signingKey), expiresAt: expiresAt * 1000 }
    }
  }
  return authenticator
}
