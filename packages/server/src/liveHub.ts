import { decodeJwt } from 'jose'
import type { Authenticator } from './auth.js'
import { encodeCursor } from './cursor.js'
import type { Database } from './database.js'

/** The NOTIFY channel on which every server process of one database hears that a user's changes moved. */
export const CHANGES_CHANNEL = 'driftless_changes'

/** Who a live connection belongs to, and until when its token holds. */
export interface LiveIdentity {
  userId: string
  /** Epoch milliseconds of the token's `exp`. */
  expiresAt: number
}

/**
 * Real time as a poke: after a push commits, every connection of that user — in this process or any
 * other sharing the database — is told the newest cursor, and pulls the changes the ordinary way.
 */
export interface LiveHub {
  /** Where the WebSocket endpoint listens, e.g. `/live`. */
  readonly socketPath: string
  /** Where the HTTP endpoints live: a socket's push and pull messages are answered by `{httpBase}/push` and `/pull`. */
  readonly httpBase: string
  /** The largest socket message: the request body limit plus room for the envelope. */
  readonly maxMessageBytes: number
  /** Verifies an `Authorization: Bearer` value; throws the same 401 `HttpError` as an HTTP request would. */
  authenticate(authorization: string | null): Promise<LiveIdentity>
  /** Tells every process sharing the database that `userId` has new changes, pushed by `request`. */
  publish(userId: string, request: Request): Promise<void>
  /**
   * Calls `listener` with the newest cursor whenever `userId`'s changes move, except after pushes of
   * the socket `socketId`; resolves once listening.
   */
  subscribe(userId: string, listener: (cursor: string) => void, socketId?: string): Promise<() => void>
}

interface Notice {
  userId: string
  cursor: string
  /** The socket whose push this was: it pulls after pushing anyway, so it is not poked. */
  origin?: string
}

const origins = new WeakMap<Request, string>()
let socketCount = 0
// Unique across processes sharing a database, so a notice names one socket.
const processTag = `${process.pid}.${Math.random().toString(36).slice(2, 8)}`

/** A name for a new live socket, unique among every process of the database. */
export function newSocketId(): string {
  return `${processTag}.${++socketCount}`
}

/** Marks a request as sent by the socket `socketId`, which needs no poke for its own push. */
export function markLiveRequest(request: Request, socketId: string): Request {
  origins.set(request, socketId)
  return request
}

interface Subscriber {
  listener(cursor: string): void
  socketId: string | undefined
}

export function createLiveHub(options: {
  database: Database
  authenticator: Authenticator
  basePath?: string
  maxBodyBytes: number
  logger: { error(message: string, ...details: unknown[]): void }
}): LiveHub {
  const { database, authenticator, logger } = options
  const base = (options.basePath ?? '').replace(/\/+$/, '')
  const subscribers = new Map<string, Set<Subscriber>>()
  let listening: Promise<unknown> | null = null

  const deliver = (payload: string) => {
    let notice: Notice
    try {
      notice = JSON.parse(payload) as Notice
    } catch {
      logger.error('driftless-server: ignored a malformed change notification')
      return
    }
    for (const subscriber of subscribers.get(notice.userId) ?? []) {
      if (subscriber.socketId === undefined || subscriber.socketId !== notice.origin) {
        subscriber.listener(notice.cursor)
      }
    }
  }

  return {
    socketPath: `${base}/live`,
    httpBase: base,
    maxMessageBytes: options.maxBodyBytes + 1024,
    async authenticate(authorization) {
      const userId = await authenticator.authenticate(authorization)
      // Verified just above, so its claims can be read without checking again.
      const { exp } = decodeJwt(authorization!.trim().split(/ +/)[1]!)
      return { userId, expiresAt: (exp ?? 0) * 1000 }
    },
    async publish(userId, request) {
      const [row] = await database.query<{ seq: string | number | null; database_id: string }>(
        `select max(seq) as seq, (select id from driftless_database_id) as database_id
         from driftless_records where user_id = $1`,
        [userId],
      )
      if (row?.seq == null) return
      const origin = origins.get(request)
      const cursor = encodeCursor(Number(row.seq), row.database_id)
      const notice: Notice = { userId, cursor, ...(origin ? { origin } : {}) }
      await database.notify(CHANGES_CHANNEL, JSON.stringify(notice))
    },
    async subscribe(userId, listener, socketId) {
      let set = subscribers.get(userId)
      if (!set) {
        set = new Set()
        subscribers.set(userId, set)
      }
      const subscriber: Subscriber = { listener, socketId }
      set.add(subscriber)
      listening ??= database.listen(CHANGES_CHANNEL, deliver).catch((error: unknown) => {
        listening = null
        throw error
      })
      try {
        await listening
      } catch (error) {
        set.delete(subscriber)
        throw error
      }
      return () => {
        const current = subscribers.get(userId)
        current?.delete(subscriber)
        if (current?.size === 0) subscribers.delete(userId)
      }
    },
  }
}
