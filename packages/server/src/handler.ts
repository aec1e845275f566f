import { type Authenticator, type AuthOptions, createAuthenticator } from './auth.js'
import { DEFAULT_MAX_BODY_BYTES, readJsonBody } from './body.js'
import { createCorsPolicy } from './cors.js'
import { type Database, DatabaseBusyError } from './database.js'
import { eventStream } from './eventStream.js'
import { HttpError, ServerConfigError } from './httpError.js'
import { createLiveHub, type LiveHub } from './liveHub.js'
import { parsePullBody, parsePullQuery, pull } from './pull.js'
import { applyPush } from './push.js'
import { type RecordValidator, validatePushRequest } from './pushRequest.js'
import { createChangeIdPruner } from './retention.js'
import { createStaticFiles } from './staticFiles.js'

export type SyncHandler = ((request: Request) => Promise<Response>) & {
  /** The live channel a Node adapter serves over WebSockets beside the HTTP routes. */
  readonly live?: LiveHub
}

export interface Logger {
  error(message: string, ...details: unknown[]): void
}

export interface SyncHandlerOptions {
  database: Database
  /** How bearer tokens are verified. */
  auth: AuthOptions
  /**
   * Development only: `POST /auth/dev-token` `{ userId }` hands out a token for any user. Off unless set;
   * without a configured secret, a random one is made at start.
   */
  devTokens?: { ttlSeconds?: number } | boolean | undefined
  /** Per-collection validators of record data; a change that fails one gets an `errors` entry. */
  collections?: Readonly<Record<string, RecordValidator>> | undefined
  /** When set, changes to other collections are refused. */
  allowedCollections?: readonly string[] | undefined
  /** Origins allowed to call the API from a browser; `*` allows any. None by default. */
  corsOrigins?: readonly string[] | undefined
  /** A directory of static files (the app) served for GET requests outside the API. */
  staticDir?: string | undefined
  /** Largest request body accepted, in bytes; 1 MiB by default. */
  maxBodyBytes?: number | undefined
  /** Most changes in one push; 500 by default. */
  maxPushChanges?: number | undefined
  /** Largest pull page; bigger `batchSize`s are capped to it. 1000 by default. */
  maxPullBatchSize?: number | undefined
  /** Days an applied change id is remembered for recognising replays; 30 by default, 0 for ever. */
  changeIdRetentionDays?: number | undefined
  /** Serves the API under this path (e.g. `/sync` for `https://api.example.com/sync`); the root by default. */
  basePath?: string | undefined
  /** Epoch milliseconds; injectable for tests. */
  now?: (() => number) | undefined
  /** Where unexpected failures are reported; never given tokens. Defaults to `console`. */
  logger?: Logger | undefined
}

const DEFAULT_DEV_TOKEN_TTL_SECONDS = 3600
const USER_ID_PATTERN = /^[\w.@+-]{1,256}$/

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { 'Cache-Control': 'no-store', ...headers } })
}

function randomSecret(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')
}

const BASE_PATH_PATTERN = /^(\/[\w.~-]+)+\/?$/

function normalizeBasePath(basePath: string | undefined): string {
  if (basePath === undefined || basePath === '' || basePath === '/') return ''
  if (!BASE_PATH_PATTERN.test(basePath)) {
    throw new ServerConfigError(
      `basePath ${JSON.stringify(basePath)} is not a path: use one like "/sync" (letters, digits, . _ ~ -).`,
    )
  }
  return basePath.replace(/\/$/, '')
}

/**
 * The reference sync server as a Fetch-API handler: `GET /health`, `POST /push`, `POST /pull` and
 * `GET /pull`, under `basePath` when one is set.
 */
export function createSyncHandler(options: SyncHandlerOptions): SyncHandler {
  const { database } = options
  const basePath = normalizeBasePath(options.basePath)
  const now = options.now ?? Date.now
  const logger = options.logger ?? console
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const maxPullBatchSize = options.maxPullBatchSize ?? 1000
  const pushRules = {
    maxChanges: options.maxPushChanges ?? 500,
    collections: options.collections,
    allowedCollections: options.allowedCollections,
  }
  const pruneChangeIds = createChangeIdPruner(database, options.changeIdRetentionDays, now)
  const devTokens = options.devTokens ? (options.devTokens === true ? {} : options.devTokens) : undefined
  if (devTokens && options.auth.jwksUrl !== undefined) {
    throw new ServerConfigError(
      'Development tokens need a shared JWT secret; they cannot be used with a JWKS URL.',
    )
  }
  const auth: AuthOptions =
    devTokens && options.auth.secret === undefined
      ? { ...options.auth, secret: randomSecret() }
      : options.auth
  const authenticator: Authenticator = createAuthenticator(auth, now)
  const cors = createCorsPolicy(options.corsOrigins)
  const staticFiles = options.staticDir === undefined ? undefined : createStaticFiles(options.staticDir)
  const live = createLiveHub({ database, authenticator, logger, maxBodyBytes, basePath })

  const routes: Record<string, Partial<Record<string, (request: Request) => Promise<Response>>>> = {
    '/health': {
      GET: async () => {
        await database.query('select 1').catch((error: unknown) => {
          logger.error('driftless-server: health check failed', error)
          throw new HttpError(503, 'The database is not reachable.')
        })
        return json(200, { status: 'ok', database: database.kind })
      },
    },
    '/push': {
      POST: async (request) => {
        const userId = await authenticator.authenticate(request.headers.get('authorization'))
        const { changes, errors } = validatePushRequest(await readJsonBody(request, maxBodyBytes), pushRules)
        const result = await applyPush(database, userId, changes, now)
        if (result.accepted.length > 0) {
          live.publish(userId, request).catch((error: unknown) => {
            logger.error('driftless-server: could not notify live connections of new changes', error)
          })
        }
        // The push is committed: a failed clean-up is reported, never turned into a failed push.
        await pruneChangeIds().catch((error: unknown) => {
          logger.error('driftless-server: could not forget old change ids', error)
        })
        return json(200, { ...result, errors: [...errors, ...result.errors] })
      },
    },
    '/pull': {
      POST: async (request) => {
        const userId = await authenticator.authenticate(request.headers.get('authorization'))
        const query = parsePullBody(await readJsonBody(request, maxBodyBytes))
        return json(200, await pull(database, userId, query, maxPullBatchSize))
      },
      GET: async (request) => {
        const userId = await authenticator.authenticate(request.headers.get('authorization'))
        const query = parsePullQuery(new URL(request.url).searchParams)
        return json(200, await pull(database, userId, query, maxPullBatchSize))
      },
    },
    '/events': {
      GET: async (request) => {
        const identity = await live.authenticate(request.headers.get('authorization'))
        return eventStream(live, identity, request.signal, now)
      },
    },
  }
  if (devTokens) {
    const issue = authenticator.issue!
    const ttlSeconds = devTokens.ttlSeconds ?? DEFAULT_DEV_TOKEN_TTL_SECONDS
    routes['/auth/dev-token'] = {
      POST: async (request) => {
        const body = await readJsonBody(request, maxBodyBytes)
        const userId = (body as { userId?: unknown } | null)?.userId
        if (typeof userId !== 'string' || !USER_ID_PATTERN.test(userId)) {
          throw new HttpError(400, 'userId: 1-256 letters, digits or . _ @ + - characters are required')
        }
        return json(200, await issue(userId, ttlSeconds))
      },
    }
  }

  const route = async (request: Request): Promise<Response> => {
    const { pathname } = new URL(request.url)
    const apiPath = pathname.startsWith(`${basePath}/`) ? pathname.slice(basePath.length) : undefined
    const methods = apiPath === undefined ? undefined : routes[apiPath]
    const method = request.method === 'HEAD' ? 'GET' : request.method
    const endpoint = methods?.[method]
    if (endpoint) return endpoint(request)
    if (methods) {
      const allow = Object.keys(methods).join(', ')
      throw new HttpError(405, `${request.method} is not allowed on ${pathname}; use ${allow}.`, {
        headers: { Allow: allow },
      })
    }
    if (staticFiles && method === 'GET') {
      const file = await staticFiles(request)
      if (file) return file
    }
    const elsewhere = basePath && routes[pathname] ? `; the API is under ${basePath}` : ''
    throw new HttpError(404, `Nothing at ${pathname}${elsewhere}.`)
  }

  const handler = async (request: Request): Promise<Response> => {
    const origin = request.headers.get('origin')
    if (request.method === 'OPTIONS') return cors.preflight(request)
    let response: Response
    try {
      response = await route(request)
    } catch (error) {
      if (error instanceof HttpError) {
        response = json(error.status, error.toJSON(), { ...error.headers })
      } else if (error instanceof DatabaseBusyError) {
        const busy = { error: 'server-busy', message: `${error.message} Retry after a second.` }
        response = json(503, busy, { 'Retry-After': '1' })
      } else {
        logger.error('driftless-server: request failed', error)
        response = json(500, { error: 'The server failed to handle the request; try again later.' })
      }
    }
    for (const [name, value] of Object.entries(cors.headersFor(origin))) response.headers.set(name, value)
    return response
  }
  return Object.assign(handler, { live })
}
