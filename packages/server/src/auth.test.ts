import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAuthenticator } from './auth.js'
import { HttpError, ServerConfigError } from './httpError.js'

const NOW = 1_800_000_000_000

describe('tokens verified against a JWKS URL', () => {
  let server: Server
  let jwksUrl: string
  let sign: (claims: { sub?: string; iss?: string }, key?: CryptoKey) => Promise<string>
  let strangerKey: CryptoKey

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256')
    strangerKey = (await generateKeyPair('ES256')).privateKey
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ keys: [jwk] }))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`
    sign = (claims, key = privateKey) => {
      let jwt = new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setExpirationTime(NOW / 1000 + 600)
        .setIssuer(claims.iss ?? 'https://id.example')
      if (claims.sub) jwt = jwt.setSubject(claims.sub)
      return jwt.sign(key)
    }
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('accepts a token signed by the provider and returns its subject', async () => {
    const auth = createAuthenticator({ jwksUrl, issuer: 'https://id.example' }, () => NOW)
    expect(await auth.authenticate(`Bearer ${await sign({ sub: 'dana' })}`)).toBe('dana')
    expect(auth.issue).toBeUndefined()
  })

  it('refuses a token signed by another key, or from another issuer, with 401', async () => {
    const auth = createAuthenticator({ jwksUrl, issuer: 'https://id.example' }, () => NOW)
    for (const token of [
      await sign({ sub: 'dana' }, strangerKey),
      await sign({ sub: 'dana', iss: 'https://evil' }),
    ]) {
      const error = await auth.authenticate(`Bearer ${token}`).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(HttpError)
      expect((error as HttpError).status).toBe(401)
    }
  })
})

describe('authenticator configuration', () => {
  it('refuses to start without a way to verify tokens, with both, or with a short secret', () => {
    expect(() => createAuthenticator({}, Date.now)).toThrow(ServerConfigError)
    expect(() =>
      createAuthenticator({ secret: 'x'.repeat(32), jwksUrl: 'https://id.example/jwks' }, Date.now),
    ).toThrow(/either/)
    expect(() => createAuthenticator({ secret: 'short' }, Date.now)).toThrow(/at least 32 characters/)
  })
})
