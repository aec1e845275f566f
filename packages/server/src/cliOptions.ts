import { parseArgs } from 'node:util'
import { ServerConfigError } from './httpError.js'
import { DEFAULT_HOST, DEFAULT_PORT, type StartServerOptions } from './node.js'

export const USAGE = `Usage: driftless-server [options]

Serves the Driftless sync API (POST /push, POST or GET /pull, GET /health).

Options (environment variable in brackets):
  --port <n>              port to listen on, 0 for any free one [PORT] (default ${DEFAULT_PORT})
  --host <addr>           address to listen on [HOST] (default ${DEFAULT_HOST})
  --base-path <path>      serve the API under this path, e.g. /sync [DRIFTLESS_BASE_PATH] (default /)
  --data-dir <dir>        where embedded PostgreSQL keeps its files [DRIFTLESS_DATA_DIR] (default .data/driftless)
  --database-url <url>    use this PostgreSQL server instead of the embedded one [DATABASE_URL]
  --database-schema <s>   PostgreSQL schema for the tables [DRIFTLESS_DATABASE_SCHEMA]
  --jwt-secret <secret>   HS256 secret tokens are signed with, 32+ characters [DRIFTLESS_JWT_SECRET]
  --jwks-url <url>        verify tokens with the identity provider's keys instead [DRIFTLESS_JWKS_URL]
  --jwt-audience <aud>    required "aud" claim [DRIFTLESS_JWT_AUDIENCE]
  --jwt-issuer <iss>      required "iss" claim [DRIFTLESS_JWT_ISSUER]
  --cors-origin <origin>  allow browser calls from this origin; repeat or comma-separate [DRIFTLESS_CORS_ORIGINS]
  --static <dir>          serve the files in <dir> (e.g. the built app) [DRIFTLESS_STATIC_DIR]
  --collections <a,b>     accept changes to these collections only [DRIFTLESS_COLLECTIONS]
  --max-body-bytes <n>    largest request body [DRIFTLESS_MAX_BODY_BYTES] (default 1048576)
  --change-id-retention-days <n>
                          days applied change ids are kept to recognise replays, 0 for ever
                          [DRIFTLESS_CHANGE_ID_RETENTION_DAYS] (default 30)
  --dev-tokens            DEVELOPMENT ONLY: POST /auth/dev-token issues a token for any user [DRIFTLESS_DEV_TOKENS=1]
  --dev-token-ttl <s>     lifetime of development tokens in seconds [DRIFTLESS_DEV_TOKEN_TTL] (default 3600)
  --help                  show this text
`

export type CliCommand = { help: true } | { help: false; options: StartServerOptions }

function integer(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined || value === '') return undefined
  const parsed = Number(value)
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new ServerConfigError(`${name} must be a whole number from ${min} to ${max}, got "${value}".`)
  }
  return parsed
}

function list(values: readonly string[]): string[] | undefined {
  const items = values
    .flatMap((value) => value.split(','))
    .map((item) => item.trim())
    .filter(Boolean)
  return items.length > 0 ? items : undefined
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value
}

/** Reads the command line, falling back to environment variables; throws `ServerConfigError` when wrong. */
export function parseCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): CliCommand {
  let values: ReturnType<typeof parse>['values']
  try {
    values = parse(argv).values
  } catch (error) {
    throw new ServerConfigError(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`)
  }
  if (values.help) return { help: true }
  const databaseUrl = nonEmpty(values['database-url'] ?? env.DATABASE_URL)
  const options: StartServerOptions = {
    port: integer('--port', values.port ?? env.PORT, 0, 65535) ?? DEFAULT_PORT,
    host: nonEmpty(values.host ?? env.HOST) ?? DEFAULT_HOST,
    auth: {
      secret: nonEmpty(values['jwt-secret'] ?? env.DRIFTLESS_JWT_SECRET),
      jwksUrl: nonEmpty(values['jwks-url'] ?? env.DRIFTLESS_JWKS_URL),
      audience: nonEmpty(values['jwt-audience'] ?? env.DRIFTLESS_JWT_AUDIENCE),
      issuer: nonEmpty(values['jwt-issuer'] ?? env.DRIFTLESS_JWT_ISSUER),
    },
    basePath: nonEmpty(values['base-path'] ?? env.DRIFTLESS_BASE_PATH),
    corsOrigins: list(values['cors-origin'] ?? [env.DRIFTLESS_CORS_ORIGINS ?? '']),
    staticDir: nonEmpty(values.static ?? env.DRIFTLESS_STATIC_DIR),
    allowedCollections: list([values.collections ?? env.DRIFTLESS_COLLECTIONS ?? '']),
    maxBodyBytes: integer(
      '--max-body-bytes',
      values['max-body-bytes'] ?? env.DRIFTLESS_MAX_BODY_BYTES,
      1024,
      1024 * 1024 * 1024,
    ),
    changeIdRetentionDays: integer(
      '--change-id-retention-days',
      values['change-id-retention-days'] ?? env.DRIFTLESS_CHANGE_ID_RETENTION_DAYS,
      0,
      36_500,
    ),
  }
  if (databaseUrl) {
    options.databaseUrl = databaseUrl
    options.schema = nonEmpty(values['database-schema'] ?? env.DRIFTLESS_DATABASE_SCHEMA)
  } else {
    options.dataDir = nonEmpty(values['data-dir'] ?? env.DRIFTLESS_DATA_DIR) ?? '.data/driftless'
  }
  const devTokens =
    values['dev-tokens'] || env.DRIFTLESS_DEV_TOKENS === '1' || env.DRIFTLESS_DEV_TOKENS === 'true'
  if (devTokens) {
    const ttl = integer(
      '--dev-token-ttl',
      values['dev-token-ttl'] ?? env.DRIFTLESS_DEV_TOKEN_TTL,
      60,
      7 * 24 * 3600,
    )
    options.devTokens = ttl === undefined ? true : { ttlSeconds: ttl }
  }
  return { help: false, options }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'base-path': { type: 'string' },
      'data-dir': { type: 'string' },
      'database-url': { type: 'string' },
      'database-schema': { type: 'string' },
      'jwt-secret': { type: 'string' },
      'jwks-url': { type: 'string' },
      'jwt-audience': { type: 'string' },
      'jwt-issuer': { type: 'string' },
      'cors-origin': { type: 'string', multiple: true },
      static: { type: 'string' },
      collections: { type: 'string' },
      'max-body-bytes': { type: 'string' },
      'change-id-retention-days': { type: 'string' },
      'dev-tokens': { type: 'boolean' },
      'dev-token-ttl': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
}
