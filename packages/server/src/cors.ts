/** Cross-origin access for the configured origins only; `*` allows any origin. */
export interface CorsPolicy {
  /** Headers to add to a response to a request from `origin` (none when it is not allowed). */
  headersFor(origin: string | null): Record<string, string>
  /** The answer to an OPTIONS preflight. */
  preflight(request: Request): Response
}

const ALLOWED_METHODS = 'GET, HEAD, POST, OPTIONS'
const ALLOWED_HEADERS = ['Authorization', 'Content-Type']
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/

/** The API's headers plus those an allowed origin's client adds (e.g. `X-App-Version`). */
function allowedHeaders(requested: string | null): string {
  const base = new Set(ALLOWED_HEADERS.map((name) => name.toLowerCase()))
  const extra = (requested ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => HEADER_NAME.test(name) && !base.has(name))
  return [...ALLOWED_HEADERS, ...new Set(extra)].join(', ')
}

export function createCorsPolicy(origins: readonly string[] = []): CorsPolicy {
  const anyOrigin = origins.includes('*')
  const allowed = new Set(origins.map((origin) => origin.replace(/\/+$/, '')))
  const isAllowed = (origin: string | null): origin is string =>
    origin !== null && (anyOrigin || allowed.has(origin))

  const headersFor = (origin: string | null): Record<string, string> => {
    // Vary on Origin whenever the answer depends on it, so caches never serve one origin's headers to another.
    const vary: Record<string, string> = origins.length > 0 ? { Vary: 'Origin' } : {}
    if (!isAllowed(origin)) return vary
    return { ...vary, 'Access-Control-Allow-Origin': origin }
  }
  return {
    headersFor,
    preflight(request) {
      const origin = request.headers.get('origin')
      if (!isAllowed(origin)) {
        return Response.json(
          { error: `Origin ${origin ?? '(none)'} is not allowed to call this server.` },
          { status: 403, headers: headersFor(origin) },
        )
      }
      return new Response(null, {
        status: 204,
        headers: {
          ...headersFor(origin),
          Vary: 'Origin, Access-Control-Request-Headers',
          'Access-Control-Allow-Methods': ALLOWED_METHODS,
          'Access-Control-Allow-Headers': allowedHeaders(
            request.headers.get('access-control-request-headers'),
          ),
          'Access-Control-Max-Age': '600',
        },
      })
    },
  }
}
