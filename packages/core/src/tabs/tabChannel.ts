import { nanoid } from 'nanoid'
import { type Check, check, isPlainObject, nullable, object, optional, string } from '../shared/check.js'
import type { BroadcastChannelLike, SyncEnvironment } from '../shared/env.js'
import { DriftlessError, errorMessage } from '../shared/errors.js'
import { Listeners } from '../shared/listeners.js'
import { isSyncStatus, type SyncStatus, statusEquals } from '../shared/status.js'

const PROTOCOL_VERSION = 1
const DEFAULT_REQUEST_TIMEOUT_MS = 3000

/** The BroadcastChannel all tabs of one database talk on. */
export function tabChannelName(name: string): string {
  return `driftless:${name}`
}

/**
 * A `sync()` forwarded to the leader tab did not succeed. `code` says why: `NO_LEADER` (no tab accepted
 * the request in time) and `LEADER_CHANGED` (the leader went away) are worth calling `sync()` again;
 * `TAB_CHANNEL_CLOSED` means this client was closed; any other code is the leader's own error.
 */
export class LeaderSyncError extends DriftlessError {}

export interface TabChannelOptions {
  /** This tab's id on the channel; a random one by default. */
  tabId?: string
  /** How long `requestSync()` waits for a leader tab to accept the request. */
  requestTimeoutMs?: number
}

// The status a leader publishes; its field list lives in shared/status.ts.
const syncStatusSchema = check<SyncStatus>((input, path, issues) => {
  if (!isSyncStatus(input)) issues.push({ path, message: 'not a sync status' })
  return input as SyncStatus
})

interface Envelope {
  v: typeof PROTOCOL_VERSION
  from: string
  to?: string
}

/**
 * hello: a tab opened and wants to know who leads and the current status. status: from the leader, it
 * leads and this is its status (null before it has one). bye: the leader stopped leading. sync,
 * sync-accepted, sync-done: a forwarded `sync()` and its answers.
 */
type Message = Envelope &
  (
    | { type: 'hello' }
    | { type: 'status'; status: SyncStatus | null }
    | { type: 'bye' }
    | { type: 'sync'; requestId: string }
    | { type: 'sync-accepted'; requestId: string }
    | { type: 'sync-done'; requestId: string; error: { code: string; message: string } | null }
  )

const requestId = string({ min: 1 })
const bodies: Record<Message['type'], Check<object>> = {
  hello: object({}),
  status: object({ status: nullable(syncStatusSchema) }),
  bye: object({}),
  sync: object({ requestId }),
  'sync-accepted': object({ requestId }),
  'sync-done': object({
    requestId,
    error: nullable(object<{ code: string; message: string }>({ code: string(), message: string() })),
  }),
}
const envelopeSchema = object<Envelope>({
  v: check((input, path, issues) => {
    if (input !== PROTOCOL_VERSION) issues.push({ path, message: `expected version ${PROTOCOL_VERSION}` })
    return PROTOCOL_VERSION
  }),
  from: string({ min: 1 }),
  to: optional(string()),
})

/** A message of this protocol version with a known type, or undefined. */
function parseMessage(data: unknown): Message | undefined {
  if (!isPlainObject(data) || typeof data.type !== 'string' || !Object.hasOwn(bodies, data.type))
    return undefined
  const envelope = envelopeSchema.safeParse(data)
  const body = bodies[data.type as Message['type']].safeParse(data)
  if (!envelope.success || !body.success) return undefined
  return { ...envelope.data, ...body.data, type: data.type } as Message
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
type Outgoing = DistributiveOmit<Message, 'v' | 'from'>

interface PendingRequest {
  readonly resolve: () => void
  readonly reject: (error: LeaderSyncError) => void
  timer: unknown
  acceptedBy: string | null
}

/**
 * The tabs of one database talking over BroadcastChannel: the leader publishes its status and runs
 * rounds for followers; followers mirror the status and forward `sync()`.
 * Messages are versioned; malformed, foreign or misaddressed ones are ignored. Without
 * BroadcastChannel it is a no-op channel for a tab that is alone.
 */
export class TabChannel {
  readonly tabId: string
  readonly #env: SyncEnvironment
  readonly #channel: BroadcastChannelLike | undefined
  readonly #requestTimeoutMs: number
  #leading = false
  #closed = false
  #leaderTab: string | null = null
  #ownStatus: SyncStatus | null = null
  #leaderStatus: SyncStatus | null = null
  readonly #statusListeners: Listeners<SyncStatus>
  #syncHandler: (() => Promise<void>) | null = null
  readonly #pending = new Map<string, PendingRequest>()
  #requestCount = 0
  #warnedVersion = false

  constructor(name: string, env: SyncEnvironment, options: TabChannelOptions = {}) {
    this.tabId = options.tabId ?? nanoid()
    this.#env = env
    // One throwing listener must neither stop the others nor break message handling.
    this.#statusListeners = new Listeners(env.logger, 'a status listener')
    this.#requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
    this.#channel = openChannel(env, tabChannelName(name))
    if (this.#channel) this.#channel.onmessage = (event) => this.#receive(event.data)
    this.#post({ type: 'hello' })
  }

  get isLeader(): boolean {
    return this.#leading
  }

  /** The leader's tab id as far as this tab knows (its own when it leads), or null. */
  get leaderId(): string | null {
    return this.#leaderTab
  }

  /** The latest status heard from the leader tab, or null before any. */
  get status(): SyncStatus | null {
    return this.#leaderStatus
  }

  /** Tells the channel whether this tab leads now; a new leader announces itself with its last status. */
  setLeader(leading: boolean): void {
    if (this.#closed || leading === this.#leading) return
    this.#leading = leading
    if (leading) {
      this.#leaderTab = this.tabId
      this.#failPending(
        'LEADER_CHANGED',
        'This tab became the leader before another tab ran the requested sync; call sync() again to run it here.',
      )
      this.#post({ type: 'status', status: this.#ownStatus })
    } else {
      this.#leaderTab = null
      this.#post({ type: 'bye' })
    }
  }

  /** The leader's status changed: followers hear it. Kept while following, and sent once this tab leads. */
  publishStatus(status: SyncStatus): void {
    if (this.#closed) return
    this.#ownStatus = status
    if (this.#leading) this.#post({ type: 'status', status })
  }

  /** While following: hears every status the leader publishes. Returns the unsubscribe function. */
  onStatus(listener: (status: SyncStatus) => void): () => void {
    return this.#statusListeners.add(listener)
  }

  /** While leading: runs a round for a follower's `requestSync()`. One handler; returns the unregister function. */
  onSyncRequest(handler: () => Promise<void>): () => void {
    this.#syncHandler = handler
    return () => {
      if (this.#syncHandler === handler) this.#syncHandler = null
    }
  }

  /**
   * Asks the leader tab for a round and settles when it finished: resolves on success, rejects with the
   * leader's error, or with `NO_LEADER` / `LEADER_CHANGED` when forwarding failed (call again). When this
   * tab leads, runs the handler here.
   */
  requestSync(): Promise<void> {
    if (this.#closed) return Promise.reject(closedError())
    if (this.#leading) return this.#runHandler()
    if (!this.#channel) {
      return Promise.reject(
        new LeaderSyncError(
          'NO_LEADER',
          'This tab does not lead and cannot reach the leader tab (no BroadcastChannel); call sync() again once it leads.',
        ),
      )
    }
    const id = `${this.tabId}:${++this.#requestCount}`
    return new Promise<void>((resolve, reject) => {
      const request: PendingRequest = { resolve, reject, timer: undefined, acceptedBy: null }
      request.timer = this.#env.setTimeout(() => {
        if (this.#pending.get(id) !== request || request.acceptedBy) return
        this.#pending.delete(id)
        reject(
          new LeaderSyncError(
            'NO_LEADER',
            `No leader tab accepted the sync request within ${this.#requestTimeoutMs} ms; another tab may be taking over, so call sync() again.`,
          ),
        )
      }, this.#requestTimeoutMs)
      this.#pending.set(id, request)
      this.#post({ type: 'sync', requestId: id })
    })
  }

  /** Says goodbye if leading, fails pending requests, and stops sending and receiving. Idempotent. */
  close(): void {
    if (this.#closed) return
    if (this.#leading) this.#post({ type: 'bye' })
    this.#closed = true
    this.#leading = false
    this.#leaderTab = null
    this.#failPending('TAB_CHANNEL_CLOSED', closedError().message)
    this.#statusListeners.clear()
    this.#syncHandler = null
    if (this.#channel) {
      this.#channel.onmessage = null
      this.#channel.close()
    }
  }

  #receive(data: unknown): void {
    if (this.#closed) return
    const message = parseMessage(data)
    if (!message) {
      this.#noticeOtherVersion(data)
      return
    }
    if (message.from === this.tabId || (message.to !== undefined && message.to !== this.tabId)) return

    switch (message.type) {
      case 'hello':
        if (this.#leading) this.#post({ type: 'status', status: this.#ownStatus, to: message.from })
        return
      case 'status':
        if (this.#leading) return
        this.#followLeader(message.from)
        if (message.status) this.#hearStatus(Object.freeze(message.status))
        return
      case 'bye':
        if (this.#leaderTab === message.from) this.#leaderTab = null
        this.#failPending(
          'LEADER_CHANGED',
          'The leader tab stopped leading while running the requested sync; call sync() again.',
          message.from,
        )
        return
      case 'sync':
        if (this.#leading) this.#answerSyncRequest(message.from, message.requestId)
        return
      case 'sync-accepted': {
        const request = this.#pending.get(message.requestId)
        if (!request || request.acceptedBy) return
        request.acceptedBy = message.from
        this.#env.clearTimeout(request.timer)
        return
      }
      case 'sync-done': {
        const request = this.#pending.get(message.requestId)
        if (!request) return
        this.#pending.delete(message.requestId)
        this.#env.clearTimeout(request.timer)
        if (message.error) request.reject(new LeaderSyncError(message.error.code, message.error.message))
        else request.resolve()
        return
      }
    }
  }

  #followLeader(tab: string): void {
    if (this.#leaderTab === tab) return
    this.#leaderTab = tab
    // A request a previous leader accepted may never finish; one nobody accepted yet goes to the new leader.
    this.#failPending(
      'LEADER_CHANGED',
      'Another tab took over as leader while the requested sync ran; call sync() again.',
      (acceptedBy) => acceptedBy !== tab,
    )
    for (const [id, request] of this.#pending)
      if (!request.acceptedBy) this.#post({ type: 'sync', requestId: id })
  }

  #answerSyncRequest(follower: string, id: string): void {
    this.#post({ type: 'sync-accepted', to: follower, requestId: id })
    this.#runHandler().then(
      () => this.#post({ type: 'sync-done', to: follower, requestId: id, error: null }),
      (error: unknown) =>
        this.#post({ type: 'sync-done', to: follower, requestId: id, error: serializeError(error) }),
    )
  }

  #runHandler(): Promise<void> {
    const handler = this.#syncHandler
    if (!handler) {
      return Promise.reject(
        new LeaderSyncError(
          'NO_SYNC_HANDLER',
          'The leader tab has no sync handler registered (onSyncRequest), so it cannot run a round.',
        ),
      )
    }
    try {
      return Promise.resolve(handler())
    } catch (error) {
      return Promise.reject(error)
    }
  }

  #hearStatus(status: SyncStatus): void {
    // A hello answer often repeats the last broadcast; listeners hear only real changes.
    if (this.#leaderStatus && statusEquals(this.#leaderStatus, status)) return
    this.#leaderStatus = status
    this.#statusListeners.notify(status)
  }

  /** Rejects pending requests: all of them, those accepted by one tab, or those whose acceptor matches. */
  #failPending(code: string, message: string, acceptedBy?: string | ((acceptedBy: string) => boolean)): void {
    for (const [id, request] of this.#pending) {
      if (acceptedBy !== undefined) {
        if (!request.acceptedBy) continue
        const matches =
          typeof acceptedBy === 'string' ? request.acceptedBy === acceptedBy : acceptedBy(request.acceptedBy)
        if (!matches) continue
      }
      this.#pending.delete(id)
      this.#env.clearTimeout(request.timer)
      request.reject(new LeaderSyncError(code, message))
    }
  }

  #noticeOtherVersion(data: unknown): void {
    if (this.#warnedVersion || typeof data !== 'object' || data === null) return
    const { v, from } = data as { v?: unknown; from?: unknown }
    if (typeof v !== 'number' || v === PROTOCOL_VERSION || typeof from !== 'string') return
    this.#warnedVersion = true
    this.#env.logger.warn(
      `Driftless: another tab speaks tab protocol v${v}, this one v${PROTOCOL_VERSION}, so they cannot share sync status. Reload the older tab.`,
    )
  }

  #post(message: Outgoing): void {
    if (this.#closed || !this.#channel) return
    try {
      this.#channel.postMessage({ v: PROTOCOL_VERSION, from: this.tabId, ...message })
    } catch (error) {
      this.#env.logger.error(`Driftless: could not post "${message.type}" to the other tabs.`, error)
    }
  }
}

function openChannel(env: SyncEnvironment, name: string): BroadcastChannelLike | undefined {
  try {
    return env.broadcastChannel(name)
  } catch (error) {
    env.logger.warn(
      `Driftless: BroadcastChannel "${name}" could not be opened, so this tab works alone.`,
      error,
    )
    return undefined
  }
}

function serializeError(error: unknown): { code: string; message: string } {
  const code = (error as { code?: unknown } | null)?.code
  return { code: typeof code === 'string' ? code : 'SYNC_FAILED', message: errorMessage(error) }
}

function closedError(): LeaderSyncError {
  return new LeaderSyncError(
    'TAB_CHANNEL_CLOSED',
    'The sync client was closed before the requested sync ran.',
  )
}
