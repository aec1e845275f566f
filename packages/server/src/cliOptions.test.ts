import { describe, expect, it } from 'vitest'
import { parseCli } from './cliOptions.js'
import { ServerConfigError } from './httpError.js'

function options(argv: string[], env: Record<string, string> = {}) {
  const command = parseCli(argv, env)
  if (command.help) throw new Error('expected options, got --help')
  return command.options
}

describe('driftless-server options', () => {
  it('listens on 127.0.0.1:8787 with embedded PostgreSQL in .data/driftless by default', () => {
    expect(options([])).toMatchObject({ port: 8787, host: '127.0.0.1', dataDir: '.data/driftless' })
    expect(options([]).databaseUrl).toBeUndefined()
    expect(options([]).devTokens).toBeUndefined()
  })

  it('reads the environment when a flag is absent, and prefers the flag', () => {
    const env = {
      PORT: '9000',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://db/app',
      DRIFTLESS_JWT_SECRET: 's'.repeat(32),
      DRIFTLESS_CORS_ORIGINS: 'https://a.example, https://b.example',
    }
    expect(options([], env)).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      databaseUrl: 'postgres://db/app',
      auth: { secret: 's'.repeat(32) },
      corsOrigins: ['https://a.example', 'https://b.example'],
    })
    expect(options(['--port', '1234', '--cors-origin', 'https://c.example'], env)).toMatchObject({
      port: 1234,
      corsOrigins: ['https://c.example'],
    })
  })

  it('turns on development tokens and static files only when asked', () => {
    expect(options(['--dev-tokens', '--static', 'apps/todo/dist'])).toMatchObject({
      devTokens: true,
      staticDir: 'apps/todo/dist',
    })
    expect(options(['--dev-tokens', '--dev-token-ttl', '600']).devTokens).toEqual({ ttlSeconds: 600 })
  })

  it('serves the API under a base path when asked', () => {
    expect(options([]).basePath).toBeUndefined()
    expect(options(['--base-path', '/sync']).basePath).toBe('/sync')
    expect(options([], { DRIFTLESS_BASE_PATH: '/api/sync' }).basePath).toBe('/api/sync')
  })

  it('keeps applied change ids as many days as asked', () => {
    expect(options([]).changeIdRetentionDays).toBeUndefined()
    expect(options(['--change-id-retention-days', '7']).changeIdRetentionDays).toBe(7)
    expect(options([], { DRIFTLESS_CHANGE_ID_RETENTION_DAYS: '0' }).changeIdRetentionDays).toBe(0)
    expect(() => options(['--change-id-retention-days', 'month'])).toThrow(/--change-id-retention-days/)
  })

  it('refuses a bad port or an unknown flag with a message naming it', () => {
    expect(() => options(['--port', 'eighty'])).toThrow(/--port must be a whole number/)
    expect(() => options(['--prot', '80'])).toThrow(ServerConfigError)
    expect(() => options(['--prot', '80'])).toThrow(/--prot/)
  })

  it('answers --help with the usage text', () => {
    expect(parseCli(['--help'], {})).toEqual({ help: true })
  })
})
