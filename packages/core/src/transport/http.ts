import { parseRetryAfter } from '../session/retry.js'
import { defaultEnvironment, type SyncEnvironment } from '../shared/env.js'
import {
  ConfigError,
  CredentialsError,
  errorMessage,
  InvalidResponseError,
  TransportError,
} from '../shared/errors.js'
import {
  type Change,
  type PullRequest,
  type PullResult,
  type PushResult,
  validatePullPage,
  validatePushResult,
} from '../wire.js'
import type { Transport, TransportContext } from './types.js'

export interface HttpTransportOptions {
  /** Base URL of the sync API; requests go to `{url}/push` and `{url}/pull`. Else the credentials' endpoint. */
  url?: string
  /** Extra headers, or a function (possibly async) returning them per request, e.g. the app's own token. */
  headers?: HeadersInit | (() => HeadersInit | Promise<HeadersInit>)
  /** A request that has not fully answered after this long fails with a retryable `TransportError`. */
  timeoutMs?: number
  /**
   * Check every answer against the wire contract (`validatePushResult`; a pull answer's page fields, while
   * the engine checks each pulled change on its own and skips an unusable one).
   */
  validateResponses?: boolean
  env?: Pick<SyncEnvironment, 'fetch' | 'setTimeout' | 'clearTimeout' | 'now'>
}

export const DEFAULT_TIMEOUT_MS = 30_000

type Endpoint = 'push' | 'pull'

/**
 * The wire contract over fetch: `POST {url}/push` and `POST {url}/pull` with JSON bodies. Network
 * failures, timeouts and HTTP errors become `TransportError`; answers that break the contract become
 * `InvalidResponseError`. A request aborted by the caller's signal rejects with the signal's reason.
 */
export class HttpTransport implements Transport {
  readonly #url: string | undefined
  readonly #headers: HttpTransportOptions['headers']
  readonly #timeoutMs: number
  readonly #validateResponses: boolean
  readonly #env: NonNullable<HttpTransportOptions['env']>

  constructor(options: HttpTransportOptions = {}) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    if (!(timeoutMs > 0)) {
      throw new ConfigError(
        `HttpTransport timeoutMs must be a positive number of milliseconds, got ${timeoutMs}.`,
      )
    }
    if (options.url !== undefined && options.url.trim() === '') {
      throw new ConfigError(
        'HttpTransport url is empty: pass the base URL of your sync API, or leave it out.',
      )
    }
    this.#url = options.url
    this.#headers = options.headers
    this.#timeoutMs = timeoutMs
    this.#validateResponses = options.validateResponses ?? true
    this.#env = options.env ?? defaultEnvironment()
  }

  async push(changes: Change[], context: TransportContext = {}): Promise<PushResult> {
    const body = await this.#post('push', { changes }, context)
    return this.#validateResponses ? validatePushResult(body) : (body as PushResult)
  }

  async pull(request: PullRequest, context: TransportContext = {}): Promise<PullResult> {
    const { cursor, batchSize, collections } = request
    const body = await this.#post('pull', { cursor, batchSize, collections }, context)
    return this.#validateResponses ? validatePullPage(body) : (body as PullResult)
  }

  async #post(endpoint: Endpoint, payload: unknown, context: TransportContext): Promise<unknown> {
    const base = this.#url ?? context.credentials?.endpoint
    if (!base) {
      throw new ConfigError(
        'HttpTransport has no URL: pass new HttpTransport({ url }) or return an endpoint from fetchCredentials().',
      )
    }
    const url = joinUrl(base, endpoint)
    const token = context.credentials?.token
    const what = `Sync ${endpoint} to ${describeUrl(url)}`
    const headers = await this.#buildHeaders(token)

    const outer = context.signal
    if (outer?.aborted) throw outer.reason
    const controller = new AbortController()
    let timedOut = false
    const timer = this.#env.setTimeout(() => {
      timedOut = true
      controller.abort()
    }, this.#timeoutMs)
    const forwardAbort = () => controller.abort(outer?.reason)
    outer?.addEventListener('abort', forwardAbort, { once: true })

    const fail = (error: unknown): unknown => {
      if (outer?.aborted) return outer.reason
      if (timedOut) {
        return new TransportError(0, `${what} timed out after ${this.#timeoutMs} ms. It will be retried.`, {
          cause: error,
        })
      }
      return new TransportError(
        0,
        `${what} failed with a network error (${redact(errorMessage(error), token)}). It will be retried when the connection is back.`,
        { cause: error },
      )
    }

    try {
      let response: Response
      let text: string
      try {
        response = await untilAborted(
          this.#env.fetch(url, {
            method: 'POST',
            headers,
            body: JSON.stringify(payload),
            signal: controller.signal,
          }),
          controller.signal,
        )
        text = await untilAborted(response.text(), controller.signal)
      } catch (error) {
        throw fail(error)
      }
      if (!response.ok) throw httpError(what, response, text, token, this.#env.now())
      try {
        return JSON.parse(text) as unknown
      } catch {
        const type = response.headers.get('content-type') ?? 'no content type'
        throw new InvalidResponseError(
          `${endpoint} answer`,
          `the body is not JSON (HTTP ${response.status}, ${type})`,
        )
      }
    } finally {
      this.#env.clearTimeout(timer)
      outer?.removeEventListener('abort', forwardAbort)
    }
  }

  async #buildHeaders(token: string | undefined): Promise<Record<string, string>> {
    let extra: HeadersInit | undefined
    try {
      extra = typeof this.#headers === 'function' ? await this.#headers() : this.#headers
    } catch (error) {
      throw new CredentialsError(
        `The HttpTransport headers function failed: ${redact(errorMessage(error), token)}. Sync waits and tries again.`,
        { cause: error },
      )
    }
    const headers = new Headers(extra)
    headers.set('content-type', 'application/json')
    headers.set('accept', 'application/json')
    // Credentials from fetchCredentials() are the managed path, so they win over a static header.
    if (token) headers.set('authorization', `Bearer ${token}`)
    return Object.fromEntries(headers.entries())
  }
}

function httpError(what: string, response: Response, text: string, token: string | undefined, now: number) {
  const { status } = response
  const body = errorBody(text)
  const errorText = body?.error
  const retryAfterMs =
    status === 429 || status === 503 ? parseRetryAfter(response.headers.get('retry-after'), now) : undefined
  return answerError(what, status, {
    shown: redact(errorText ?? response.statusText, token),
    serverError: errorText === undefined ? undefined : redact(errorText, token),
    retryAfterMs,
    maxBatchSize: body?.maxBatchSize,
  })
}

/** The error for a non-2xx answer, over HTTP or the live socket alike: what failed, why, and what happens next. */
export function answerError(
  what: string,
  status: number,
  answer: {
    shown?: string | undefined
    serverError?: string | undefined
    retryAfterMs?: number | undefined
    maxBatchSize?: unknown
  },
): TransportError {
  const { maxBatchSize } = answer
  const shown = (answer.shown ?? answer.serverError ?? '').slice(0, 500)
  const advice =
    status === 401 || status === 403
      ? 'The backend rejected the credentials; fetchCredentials() or the headers option must supply a valid token.'
      : status === 408 || status === 429 || status >= 500
        ? 'It will be retried.'
        : 'The backend refused the request; check that it speaks the Driftless wire contract.'
  return new TransportError(
    status,
    `${what} failed with HTTP ${status}${shown ? ` (${shown})` : ''}. ${advice}`,
    {
      ...(answer.retryAfterMs === undefined ? {} : { retryAfterMs: answer.retryAfterMs }),
      ...(answer.serverError === undefined ? {} : { serverError: answer.serverError.slice(0, 200) }),
      ...(status === 413 && Number.isSafeInteger(maxBatchSize) && (maxBatchSize as number) > 0
        ? { maxBatchSize: maxBatchSize as number }
        : {}),
    },
  )
}

/** The `{ error, maxBatchSize }` of a JSON error body, if it has an `error` text. */
function errorBody(text: string): { error: string; maxBatchSize: unknown } | undefined {
  try {
    const body: unknown = JSON.parse(text)
    if (
      typeof body === 'object' &&
      body !== null &&
      typeof (body as { error?: unknown }).error === 'string'
    ) {
      const { error, maxBatchSize } = body as { error: string; maxBatchSize?: unknown }
      return { error, maxBatchSize }
    }
  } catch {
    return undefined
  }
  return undefined
}

/** `{base}/push`, keeping a query string or fragment of the base after the path. */
function joinUrl(base: string, endpoint: Endpoint): string {
  const split = base.search(/[?#]/)
  const path = split === -1 ? base : base.slice(0, split)
  const rest = split === -1 ? '' : base.slice(split)
  return `${path.replace(/\/+$/, '')}/${endpoint}${rest}`
}

/** The URL without query string or user info, which may carry secrets. */
function describeUrl(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.origin}${parsed.pathname}`
  } catch {
    return url.split(/[?#]/)[0] ?? url
  }
}

function redact(text: string, token: string | undefined): string {
  return token ? text.split(token).join('[token]') : text
}

/** Settles with `promise`, or rejects as soon as `signal` aborts even if `promise` never settles. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}
