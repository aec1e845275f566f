import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { type RawData, type WebSocket, WebSocketServer } from 'ws'
import type { SyncHandler } from './handler.js'
import { type LiveIdentity, markLiveRequest, newSocketId } from './liveHub.js'

/** Close codes of the live socket: 4401 asks the client for fresh credentials before it reconnects. */
export const LiveCloseCode = {
  unauthorized: 4401,
  otherUser: 4403,
  badMessage: 4400,
  goingAway: 1001,
} as const

/** A socket that has not authenticated by then is closed. */
const AUTH_TIMEOUT_MS = 10_000
/** Sockets that miss a ping between two of these are dropped, so dead peers do not pile up. */
const PING_INTERVAL_MS = 30_000

type ClientMessage =
  | { type: 'auth'; token: string }
  | { type: 'push' | 'pull'; id: string | number; body: unknown }

/**
 * The live channel over WebSockets at `{basePath}/live`. The token comes in the first message,
 * `{ type: 'auth', token }`: browsers cannot set headers on a WebSocket, and a token in the URL or a
 * subprotocol ends up in proxy and access logs. The server answers `{ type: 'ready' }`, then sends
 * `{ type: 'poke', cursor }` whenever the user's changes move (except after its own pushes, which
 * the client follows with a pull anyway); `{ type: 'push' | 'pull', id, body }` is answered
 * `{ type: 'result', id, status, body }` by the HTTP route of the same name.
 */
export function attachLiveSockets(
  server: Server,
  handler: SyncHandler,
  origin: () => string,
): { close(): Promise<void> } {
  const hub = handler.live
  if (!hub) return { close: async () => {} }
  const sockets = new WebSocketServer({ noServer: true, maxPayload: hub.maxMessageBytes })
  const alive = new WeakSet<WebSocket>()

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const { pathname } = new URL(request.url ?? '/', 'http://localhost')
    if (pathname !== hub.socketPath) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return
    }
    sockets.handleUpgrade(request, socket, head, (ws) => serve(ws))
  }
  server.on('upgrade', onUpgrade)

  const pinger = setInterval(() => {
    for (const ws of sockets.clients) {
      if (!alive.has(ws)) {
        ws.terminate()
        continue
      }
      alive.delete(ws)
      ws.ping()
    }
  }, PING_INTERVAL_MS)
  pinger.unref()

  const serve = (ws: WebSocket): void => {
    alive.add(ws)
    const socketId = newSocketId()
    ws.on('pong', () => alive.add(ws))
    // ws closes the socket itself after a protocol error (1009 for an oversized message); an 'error' with
    // no listener would instead be thrown, and one client could bring the whole server down.
    ws.on('error', () => {})
    let identity: LiveIdentity | null = null
    let authorization = ''
    let unsubscribe: (() => void) | null = null
    let expiry: ReturnType<typeof setTimeout> | null = null
    // Auth messages apply in order; requests wait for the auth sent before them.
    let authed: Promise<void> = Promise.resolve()
    const authTimer = setTimeout(
      () => ws.close(LiveCloseCode.unauthorized, 'Send { type: "auth", token } first.'),
      AUTH_TIMEOUT_MS,
    )
    const send = (message: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message))
    }

    const authenticate = async (token: string) => {
      let next: LiveIdentity
      try {
        next = await hub.authenticate(`Bearer ${token}`)
      } catch (error) {
        ws.close(LiveCloseCode.unauthorized, closeReason(error))
        return
      }
      if (identity && identity.userId !== next.userId) {
        ws.close(LiveCloseCode.otherUser, 'A live socket belongs to one user; open another one.')
        return
      }
      clearTimeout(authTimer)
      authorization = `Bearer ${token}`
      identity = next
      if (expiry) clearTimeout(expiry)
      expiry = setTimeout(
        () => ws.close(LiveCloseCode.unauthorized, 'The token has expired; authenticate again.'),
        Math.max(0, next.expiresAt - Date.now()),
      )
      if (!unsubscribe) {
        const stop = await hub.subscribe(next.userId, (cursor) => send({ type: 'poke', cursor }), socketId)
        if (ws.readyState !== ws.OPEN) stop()
        else unsubscribe = stop
      }
      send({ type: 'ready' })
    }

    const answer = async (type: 'push' | 'pull', id: string | number, body: unknown) => {
      if (!identity) {
        send({ type: 'result', id, status: 401, body: { error: 'Authenticate the socket first.' } })
        return
      }
      const request = new Request(`${origin()}${hub.httpBase}/${type}`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify(body ?? {}),
      })
      const response = await handler(markLiveRequest(request, socketId))
      const text = await response.text()
      let parsed: unknown = text
      try {
        parsed = JSON.parse(text)
      } catch {}
      send({ type: 'result', id, status: response.status, body: parsed })
    }

    ws.on('message', (data: RawData) => {
      const message = parseMessage(data)
      if (!message) {
        ws.close(LiveCloseCode.badMessage, 'Messages are JSON: auth, push or pull.')
        return
      }
      if (message.type === 'auth') {
        authed = authed.then(() => authenticate(message.token))
        return
      }
      authed
        .then(() => answer(message.type, message.id, message.body))
        .catch(() =>
          send({ type: 'result', id: message.id, status: 500, body: { error: 'Internal error.' } }),
        )
    })
    ws.on('close', () => {
      clearTimeout(authTimer)
      if (expiry) clearTimeout(expiry)
      unsubscribe?.()
      unsubscribe = null
    })
  }

  return {
    async close() {
      clearInterval(pinger)
      server.off('upgrade', onUpgrade)
      for (const ws of sockets.clients) ws.close(LiveCloseCode.goingAway, 'The server is shutting down.')
      await new Promise<void>((resolve) => sockets.close(() => resolve()))
      for (const ws of sockets.clients) ws.terminate()
    },
  }
}

function parseMessage(data: RawData): ClientMessage | null {
  let value: unknown
  try {
    value = JSON.parse(data.toString())
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null) return null
  const { type, token, id } = value as Record<string, unknown>
  if (type === 'auth' && typeof token === 'string') return { type, token }
  if ((type === 'push' || type === 'pull') && (typeof id === 'string' || typeof id === 'number')) {
    return { type, id, body: (value as { body?: unknown }).body }
  }
  return null
}

/** Close reasons are at most 123 bytes. */
function closeReason(error: unknown): string {
  const text = error instanceof Error ? error.message : 'The token was refused.'
  return Buffer.from(text).subarray(0, 123).toString()
}
