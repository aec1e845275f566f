import { describe, expect, it } from 'vitest'
import { createCorsPolicy } from './cors.js'

const preflight = (origin: string, requestHeaders = 'authorization') =>
  new Request('http://sync.test/push', {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': requestHeaders,
    },
  })

describe('CORS', () => {
  const cors = createCorsPolicy(['https://app.example'])

  it('answers a preflight from a configured origin with the methods and headers the API needs', () => {
    const response = cors.preflight(preflight('https://app.example'))
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example')
    expect(response.headers.get('access-control-allow-headers')).toBe('Authorization, Content-Type')
    expect(response.headers.get('access-control-allow-methods')).toContain('POST')
  })

  it("lets a configured origin send the headers a client adds, as the seed's X-App-Version", () => {
    const response = cors.preflight(preflight('https://app.example', 'authorization, x-app-version'))
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-headers')).toBe(
      'Authorization, Content-Type, x-app-version',
    )
  })

  it('refuses other origins and grants them nothing', () => {
    const response = cors.preflight(preflight('https://evil.example'))
    expect(response.status).toBe(403)
    expect(response.headers.get('access-control-allow-origin')).toBeNull()
    expect(cors.headersFor('https://evil.example')).toEqual({ Vary: 'Origin' })
  })

  it('allows no origin at all unless configured', () => {
    expect(createCorsPolicy().preflight(preflight('https://app.example')).status).toBe(403)
  })
})
