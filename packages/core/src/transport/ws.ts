import { retryDelay } from '../session/retry.js'
import { defaultEnvironment, type SyncEnvironment, type WebSocketLike } from '../shared/env.js'
import { ConfigError, TransportError } from '../shared/errors.js'
import {
  type Change,
  type PullRequest,
  type PullResult,
  type PushResult,
  validatePullPage,
  validatePushResult,
} from '../wire.js'
import { answerError, DEFAULT_TIMEOUT_MS, HttpTransport, type HttpTransportOptions } from './http.js'
import { TabVisibility } from './tabVisibility.js'
import type { LiveSession, Transport, TransportContext } from './types.js'

export interface WsTransportOptions extends Omit<HttpTransportOptions, 'env'> {
  /** The live endpoint, e.g. `wss://api.example.com/sync/live`; else the HTTP base URL's `/live` over ws(s). */
  socketUrl?: string
  /** While the socket is down, pull over HTTP this often; 30 s by default. */
  fallbackPollMs?: number
  /** First reconnect delay; it doubles with each failed attempt up to `maxReconnectDelayMs`. */
  reconnectDelayMs?: number
  maxReconnectDelayMs?: number
  /** Close the socket after every tab has been hidden this long (null: never); it reopens when one is shown. */
  hiddenPauseMs?: number | null
  env?: SyncEnvironment
}

/** Close code the server uses for a refused or expired token. */
export const UNAUTHORIZED_CLOSE_CODE = 4401
export const DEFAULT_FALLBACK_POLL_MS = 30_000
export const DEFAULT_HIDDEN_PAUSE_MS = 5 * 60_000
const OPEN = 1
/** Sockets in a row that close before they are ready, after which pokes come over Server-Sent Events. */
const SOCKET_FAILURES_BEFORE_EVENTS = 3
/** How long the leader waits for another tab to say its page is shown before it pauses. */
const VISIBILITY_ANSWER_MS = 1_000

interface PendingRequest {
  resolve(body: unknown): void
  reject(error: unknown): void
}

type ServerMessage =
  | { type: 'ready' }
  | { type: 'poke'; cursor?: unknown }
  | { type: 'result'; id: number; status: number; body: unknown }

/**
 * Real time as a poke, over a WebSocket. While the session runs, the leader tab holds one socket; the
 * server's `poke` makes the session run its ordinary cursor pull, so a lost poke costs only latency.
 * Push and pull travel over the socket while it is open and over HTTP otherwise. The socket reconnects
 * with backoff, takes fresh credentials after the server refuses a token, polls over HTTP while it
 * cannot open, and closes while the page stays hidden.
 */
export class WsTransport implements Transport {
  readonly #http: HttpTransport
  readonly #env: SyncEnvironment
  readonly #options: WsTransportOptions
  readonly #timeoutMs: number
  readonly #validateResponses: boolean
  #channel: LiveChannel | null = null
  readonly #tabs: TabVisibility

  constructor(options: WsTransportOptions = {}) {
    const env = options.env ?? defaultEnvironment()
    for (const name of ['fallbackPollMs', 'reconnectDelayMs', 'maxReconnectDelayMs'] as const) {
      const value = options[name]
      if (value !== undefined && !(value > 0)) {
        throw new ConfigError(`WsTransport ${name} must be a positive number of milliseconds, got ${value}.`)
      }
    }
    this.#http = new HttpTransport({ ...options, env })
    this.#env = env
    this.#options = options
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.#validateResponses = options.validateResponses ?? true
    // Every tab's transport answers for its page, the leader's included.
    this.#tabs = new TabVisibility(env)
  }

  async push(changes: Change[], context: TransportContext = {}): Promise<PushResult> {
    const socket = this.#channel?.usable(context)
    if (!socket) return this.#http.push(changes, context)
    const body = await socket.request('push', { changes }, context.signal, this.#timeoutMs)
    return this.#validateResponses ? validatePushResult(body) : (body as PushResult)
  }

  async pull(request: PullRequest, context: TransportContext = {}): Promise<PullResult> {
    const socket = this.#channel?.usable(context)
    if (!socket) return this.#http.pull(request, context)
    const { cursor, batchSize, collections } = request
    const body = await socket.request(
      'pull',
      { cursor, batchSize, collections },
      context.signal,
      this.#timeoutMs,
    )
    return this.#validateResponses ? validatePullPage(body) : (body as PullResult)
  }

  live(session: LiveSession): () => void {
    this.#channel?.stop()
    const channel = new LiveChannel(session, this.#env, this.#options, this.#tabs)
    this.#channel = channel
    channel.start()
    return () => {
      channel.stop()
      if (this.#channel === channel) this.#channel = null
    }
  }
}

/** One run of the live channel: a socket at a time, reconnected until stopped. */
class LiveChannel {
  #socket: WebSocketLike | null = null
  #events: AbortController | null = null
  /** Credentials are being fetched for a connection: a second open() must not start another. */
  #opening = false
  #useEvents = false
  #socketFailures = 0
  #token: string | undefined
  #ready = false
  #everReady = false
  #failures = 0
  #stopped = false
  #paused = false
  #reconnectTimer: unknown = null
  #pollTimer: unknown = null
  #hiddenTimer: unknown = null
  #askTimer: unknown = null
  #nextId = 0
  readonly #pending = new Map<number, PendingRequest>()
  readonly #cleanups: (() => void)[] = []

  readonly #session: LiveSession
  readonly #env: SyncEnvironment
  readonly #options: WsTransportOptions
  readonly #tabs: TabVisibility

  constructor(session: LiveSession, env: SyncEnvironment, options: WsTransportOptions, tabs: TabVisibility) {
    this.#session = session
    this.#env = env
    this.#options = options
    this.#tabs = tabs
  }

  start(): void {
    this.#cleanups.push(this.#env.onVisibilityChange((visible) => this.#visibilityChanged(visible)))
    this.#cleanups.push(this.#tabs.onOtherTabVisible(() => this.#otherTabVisible()))
    this.#open()
    if (!this.#env.isVisible()) this.#armHiddenCheck()
  }

  stop(): void {
    if (this.#stopped) return
    this.#stopped = true
    for (const cleanup of this.#cleanups.splice(0)) cleanup()
    this.#clearTimers()
    this.#closeSocket()
  }

  /** The socket, when a request with these credentials can go over it now. */
  usable(context: TransportContext): this | undefined {
    if (!this.#ready || !this.#socket || this.#socket.readyState !== OPEN) return undefined
    const token = context.credentials?.token
    // Fresh credentials re-authenticate the open socket; the server applies them before what follows.
    if (token !== undefined && token !== this.#token) {
      this.#token = token
      this.#send({ type: 'auth', token })
    }
    return this
  }

  request(type: 'push' | 'pull', body: unknown, signal: AbortSignal | undefined, timeoutMs: number) {
    if (signal?.aborted) return Promise.reject(signal.reason)
    const id = ++this.#nextId
    return new Promise<unknown>((resolve, reject) => {
      const onAbort = () => settle(() => reject(signal?.reason))
      const timer = this.#env.setTimeout(() => {
        settle(() =>
          reject(
            new TransportError(
              0,
              `Sync ${type} over the live socket timed out after ${timeoutMs} ms. It will be retried.`,
            ),
          ),
        )
        // A socket that stops answering may be half-open: a fresh one is the way to find out.
        this.#dropSocket()
      }, timeoutMs)
      const settle = (finish: () => void) => {
        if (!this.#pending.delete(id)) return
        this.#env.clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        finish()
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#pending.set(id, {
        resolve: (answer) => settle(() => resolve(answer)),
        reject: (error) => settle(() => reject(error)),
      })
      this.#send({ type, id, body })
    })
  }

  async #open(): Promise<void> {
    if (this.#stopped || this.#paused || this.#socket || this.#events || this.#opening) return
    let credentials: { endpoint: string; token: string } | undefined
    this.#opening = true
    try {
      credentials = await this.#session.credentials()
    } catch {
      // The session's own rounds report credential failures; the channel just tries again later.
      this.#retryLater()
      return
    } finally {
      this.#opening = false
    }
    if (this.#stopped || this.#paused || this.#socket || this.#events) return
    const token = credentials?.token
    this.#token = token
    const url = this.#useEvents ? undefined : socketUrl(this.#options, credentials?.endpoint)
    const socket = url ? this.#env.webSocket(url) : undefined
    if (!socket) {
      // No WebSocket here, or it keeps failing to open: Server-Sent Events carry the pokes instead.
      this.#useEvents = true
      this.#openEvents(credentials?.endpoint, token)
      return
    }
    this.#socket = socket
    socket.onopen = () => this.#send({ type: 'auth', token: token ?? '' })
    socket.onmessage = (event) => this.#received(event.data)
    socket.onclose = (event) => {
      if (this.#socket !== socket) return
      this.#socket = null
      this.#lost(event.code)
    }
    socket.onerror = () => {}
  }

  /** `GET {base}/events` as a fetch stream, so the token goes in the Authorization header. */
  async #openEvents(endpoint: string | undefined, token: string | undefined): Promise<void> {
    const url = eventsUrl(this.#options, endpoint)
    if (!url) {
      this.#startPolling()
      return
    }
    const controller = new AbortController()
    this.#events = controller
    let code = 1006
    try {
      const headers: Record<string, string> = { accept: 'text/event-stream' }
      if (token) headers.authorization = `Bearer ${token}`
      const response = await this.#env.fetch(url, { method: 'GET', headers, signal: controller.signal })
      if (response.status === 401) code = UNAUTHORIZED_CLOSE_CODE
      if (response.ok && response.body) {
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
        let buffer = ''
        for (;;) {
          const { done, value } = await reader.read()
          if (done) break
          buffer += value
          for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
            const event = /^event: ?(.*)$/m.exec(buffer.slice(0, end))?.[1]
            buffer = buffer.slice(end + 2)
            if (event === 'ready' || event === 'poke') this.#received(JSON.stringify({ type: event }))
          }
        }
      }
    } catch {
      // A network failure or our own abort; either way the stream is gone.
    }
    if (this.#events !== controller) return
    this.#events = null
    this.#lost(code)
  }

  #received(data: unknown): void {
    let message: ServerMessage
    try {
      message = JSON.parse(String(data)) as ServerMessage
    } catch {
      return
    }
    if (message.type === 'ready') {
      const reconnected = this.#everReady
      this.#ready = true
      this.#everReady = true
      this.#failures = 0
      this.#socketFailures = 0
      this.#stopPolling()
      this.#session.onLiveChange(true)
      // Pokes sent while the channel was down are lost: one pull catches up.
      if (reconnected) this.#session.onPoke()
    } else if (message.type === 'poke') {
      this.#session.onPoke()
    } else if (message.type === 'result') {
      const request = this.#pending.get(message.id)
      if (!request) return
      if (message.status === 200) request.resolve(message.body)
      else request.reject(resultError(message.status, message.body))
    }
  }

  /** The socket closed or the event stream ended with `code` (4401: the token was refused). */
  #lost(code: number): void {
    const wasReady = this.#ready
    this.#ready = false
    this.#rejectPending()
    if (this.#stopped || this.#paused) return
    if (wasReady) this.#session.onLiveChange(false)
    const refused = code === UNAUTHORIZED_CLOSE_CODE
    if (refused && this.#token) this.#session.invalidateCredentials(this.#token)
    // A socket that never opens (a proxy that blocks WebSockets) is given up for Server-Sent Events.
    if (!wasReady && !refused) {
      if (this.#useEvents) {
        // Neither works: go back to trying the socket.
        this.#useEvents = false
        this.#socketFailures = 0
      } else if (++this.#socketFailures >= SOCKET_FAILURES_BEFORE_EVENTS) {
        this.#useEvents = true
      }
    }
    if (wasReady) {
      // The next round goes over HTTP, which also tells whether the server still answers.
      this.#session.onPoke()
      this.#failures = 0
    }
    this.#startPolling()
    this.#retryLater()
  }

  #retryLater(): void {
    if (this.#stopped || this.#paused || this.#reconnectTimer !== null) return
    this.#failures++
    // The first try after losing an open socket (or a refused token) is immediate.
    const delay =
      this.#failures === 1
        ? 0
        : retryDelay(this.#failures - 1, {
            baseMs: this.#options.reconnectDelayMs ?? 1_000,
            maxMs: this.#options.maxReconnectDelayMs ?? 30_000,
            random: this.#env.random,
          })
    this.#reconnectTimer = this.#env.setTimeout(() => {
      this.#reconnectTimer = null
      this.#open()
    }, delay)
  }

  #startPolling(): void {
    if (this.#pollTimer !== null || this.#stopped || this.#paused) return
    this.#pollTimer = this.#env.setTimeout(() => {
      this.#pollTimer = null
      if (this.#ready || this.#stopped || this.#paused) return
      this.#session.onPoke()
      this.#startPolling()
    }, this.#options.fallbackPollMs ?? DEFAULT_FALLBACK_POLL_MS)
  }

  #stopPolling(): void {
    if (this.#pollTimer !== null) this.#env.clearTimeout(this.#pollTimer)
    this.#pollTimer = null
  }

  #visibilityChanged(visible: boolean): void {
    if (this.#stopped) return
    if (visible) this.#resume()
    else this.#armHiddenCheck()
  }

  /** Another tab shows its page: the socket stays, or comes back. */
  #otherTabVisible(): void {
    if (this.#stopped) return
    const asking = this.#askTimer !== null
    if (asking) this.#env.clearTimeout(this.#askTimer)
    this.#askTimer = null
    if (this.#paused) this.#resume()
    else if (asking && !this.#env.isVisible()) this.#armHiddenCheck()
  }

  #resume(): void {
    for (const timer of [this.#hiddenTimer, this.#askTimer]) if (timer !== null) this.#env.clearTimeout(timer)
    this.#hiddenTimer = null
    this.#askTimer = null
    if (!this.#paused) return
    this.#paused = false
    this.#failures = 0
    this.#session.onPoke()
    this.#open()
  }

  /** After `hiddenPauseMs` hidden, ask the other tabs; if none answers that it is shown, pause. */
  #armHiddenCheck(): void {
    const pauseMs =
      this.#options.hiddenPauseMs === undefined ? DEFAULT_HIDDEN_PAUSE_MS : this.#options.hiddenPauseMs
    if (pauseMs === null || this.#hiddenTimer !== null || this.#askTimer !== null || this.#paused) return
    this.#hiddenTimer = this.#env.setTimeout(() => {
      this.#hiddenTimer = null
      this.#tabs.ask()
      this.#askTimer = this.#env.setTimeout(() => {
        this.#askTimer = null
        this.#pause()
      }, VISIBILITY_ANSWER_MS)
    }, pauseMs)
  }

  #pause(): void {
    this.#paused = true
    const wasReady = this.#ready
    this.#clearTimers()
    this.#closeSocket()
    if (wasReady) this.#session.onLiveChange(false)
  }

  #send(message: unknown): void {
    if (this.#socket?.readyState === OPEN) this.#socket.send(JSON.stringify(message))
  }

  /** Gives up on the current socket as if it had closed, so the channel reconnects. */
  #dropSocket(): void {
    const socket = this.#socket
    if (!socket) return
    this.#socket = null
    socket.onopen = null
    socket.onmessage = null
    socket.onclose = null
    socket.close(1000, 'No answer.')
    this.#lost(1006)
  }

  #closeSocket(): void {
    this.#events?.abort()
    this.#events = null
    const socket = this.#socket
    this.#socket = null
    this.#ready = false
    this.#rejectPending()
    if (!socket) return
    socket.onopen = null
    socket.onmessage = null
    socket.onclose = null
    socket.close(1000, 'Sync stopped.')
  }

  #rejectPending(): void {
    for (const request of [...this.#pending.values()]) {
      request.reject(
        new TransportError(0, 'The live socket closed before the server answered. It will be retried.'),
      )
    }
  }

  #clearTimers(): void {
    for (const timer of [this.#reconnectTimer, this.#pollTimer, this.#hiddenTimer, this.#askTimer]) {
      if (timer !== null) this.#env.clearTimeout(timer)
    }
    this.#reconnectTimer = null
    this.#pollTimer = null
    this.#hiddenTimer = null
    this.#askTimer = null
  }
}

/** `{base}/live` with ws:// or wss://, from the options or the credentials' endpoint. */
function socketUrl(options: WsTransportOptions, endpoint: string | undefined): string | undefined {
  if (options.socketUrl) return options.socketUrl
  const url = endpointUrl(options, endpoint, 'live')
  if (url) url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  return url?.toString()
}

/** `{base}/events`, the Server-Sent Events endpoint. */
function eventsUrl(options: WsTransportOptions, endpoint: string | undefined): string | undefined {
  return endpointUrl(options, endpoint, 'events')?.toString()
}

function endpointUrl(
  options: WsTransportOptions,
  endpoint: string | undefined,
  path: string,
): URL | undefined {
  const base = options.url ?? endpoint
  if (!base) return undefined
  const url = new URL(base, (globalThis as { location?: { href: string } }).location?.href)
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path}`
  url.search = ''
  url.hash = ''
  return url
}

/** A non-200 answer to a socket request: the same `TransportError` HTTP would give. */
function resultError(status: number, body: unknown): TransportError {
  const serverError =
    typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string'
      ? (body as { error: string }).error
      : undefined
  const maxBatchSize = (body as { maxBatchSize?: unknown } | null)?.maxBatchSize
  return answerError('Sync over the live socket', status, { serverError, maxBatchSize })
}
