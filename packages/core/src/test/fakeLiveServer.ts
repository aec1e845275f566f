import type { WebSocketLike } from '../shared/env.js'
import type { FakeSyncServer } from './fakeServer.js'

const CONNECTING = 0
const OPEN = 1
const CLOSED = 3

/** The header the relay adds, so tests can tell requests that came over the socket from HTTP ones. */
export const VIA_SOCKET = 'x-via-socket'

/** One fake WebSocket as the client sees it; the FakeLiveServer plays the server end. */
export class FakeSocket implements WebSocketLike {
  readyState = CONNECTING
  token: string | undefined
  closedByClient: { code: number | undefined; reason: string | undefined } | null = null
  onopen: ((event: unknown) => void) | null = null
  onmessage: ((event: { data: unknown }) => void) | null = null
  onclose: ((event: { code: number; reason: string }) => void) | null = null
  onerror: ((event: unknown) => void) | null = null

  constructor(
    readonly url: string,
    private readonly received: (socket: FakeSocket, message: Record<string, unknown>) => void,
  ) {}

  send(data: string): void {
    if (this.readyState !== OPEN) throw new Error('send() on a socket that is not open')
    this.received(this, JSON.parse(data) as Record<string, unknown>)
  }

  close(code?: number, reason?: string): void {
    this.readyState = CLOSED
    this.closedByClient = { code, reason }
  }

  /** Server side: a message to the client. */
  deliver(message: unknown): void {
    if (this.readyState === OPEN) this.onmessage?.({ data: JSON.stringify(message) })
  }

  /** Server side: the connection ends with `code`. */
  end(code: number, reason = ''): void {
    if (this.readyState === CLOSED) return
    this.readyState = CLOSED
    this.onclose?.({ code, reason })
  }

  get isReady(): boolean {
    return this.readyState === OPEN && this.token !== undefined
  }
}

/**
 * The reference server's live endpoint, in memory: it accepts `auth`, answers `ready`, relays push and
 * pull messages to a FakeSyncServer, and pokes on demand. Events fire on microtasks, as a browser's do.
 */
export class FakeLiveServer {
  readonly sockets: FakeSocket[] = []
  /** False: new sockets fail before they open, as behind a proxy that blocks WebSockets. */
  reachable = true
  /** Tokens the server refuses with close code 4401. */
  refuses: (token: string) => boolean = () => false
  /** True: socket requests wait until `release()`. */
  holdAnswers = false
  private held: (() => void)[] = []

  constructor(private readonly server: FakeSyncServer) {}

  readonly webSocket = (url: string): WebSocketLike => {
    const socket = new FakeSocket(url, (from, message) => this.received(from, message))
    this.sockets.push(socket)
    queueMicrotask(() => {
      if (socket.readyState !== CONNECTING) return
      if (!this.reachable) {
        socket.onerror?.({})
        socket.end(1006)
        return
      }
      socket.readyState = OPEN
      socket.onopen?.({})
    })
    return socket
  }

  /** Sockets the client holds open now. */
  get open(): FakeSocket[] {
    return this.sockets.filter((socket) => socket.readyState === OPEN)
  }

  poke(cursor: string | null = null): void {
    for (const socket of this.open) if (socket.isReady) socket.deliver({ type: 'poke', cursor })
  }

  /** Every open socket drops, as when the network or the server goes away. */
  dropAll(code = 1006): void {
    for (const socket of this.open) socket.end(code)
  }

  release(): void {
    this.holdAnswers = false
    for (const answer of this.held.splice(0)) answer()
  }

  private received(socket: FakeSocket, message: Record<string, unknown>): void {
    queueMicrotask(() => {
      if (message.type === 'auth') {
        const token = String(message.token)
        if (this.refuses(token)) {
          socket.end(4401, 'The token has expired; fetch new credentials and retry.')
          return
        }
        socket.token = token
        socket.deliver({ type: 'ready' })
        return
      }
      const answer = () => this.relay(socket, message)
      if (this.holdAnswers) this.held.push(answer)
      else answer()
    })
  }

  private async relay(socket: FakeSocket, message: Record<string, unknown>): Promise<void> {
    const response = await this.server.fetch(`https://sync.test/${String(message.type)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${socket.token}`, [VIA_SOCKET]: '1' },
      body: JSON.stringify(message.body),
    })
    const text = await response.text()
    let body: unknown = text
    try {
      body = JSON.parse(text)
    } catch {}
    socket.deliver({ type: 'result', id: message.id, status: response.status, body })
  }
}
