/**
 * The one seam through which the engine touches the outside world: clocks, timers, fetch, the
 * online flag, BroadcastChannel and Web Locks. Tests pass their own; browsers get `defaultEnvironment()`.
 */

export interface Logger {
  warn(message: string, ...details: unknown[]): void
  error(message: string, ...details: unknown[]): void
}

export interface BroadcastChannelLike {
  postMessage(message: unknown): void
  close(): void
  onmessage: ((event: { data: unknown }) => void) | null
}

export interface LockManagerLike {
  request<T>(
    name: string,
    options: { mode?: 'exclusive' | 'shared'; ifAvailable?: boolean; steal?: boolean; signal?: AbortSignal },
    callback: (lock: unknown) => Promise<T> | T,
  ): Promise<T>
}

/** What the live channel needs of a WebSocket; the browser's and the `ws` package's both fit. */
export interface WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  onopen: ((event: unknown) => void) | null
  onmessage: ((event: { data: unknown }) => void) | null
  onclose: ((event: { code: number; reason: string }) => void) | null
  onerror: ((event: unknown) => void) | null
}

/** The parts of `navigator.storage` the client uses; each may be missing in older browsers. */
export interface StorageManagerLike {
  persist?(): Promise<boolean>
  persisted?(): Promise<boolean>
  estimate?(): Promise<{ usage?: number; quota?: number }>
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>

export interface SyncEnvironment {
  /** Wall-clock milliseconds since the epoch. */
  now(): number
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
  /** In [0, 1); used for retry jitter. */
  random(): number
  fetch: FetchLike
  isOnline(): boolean
  /** Calls `listener` on every online/offline transition; returns the unsubscribe function. */
  onOnlineChange(listener: (online: boolean) => void): () => void
  /** A channel shared by every tab of this origin, or undefined where there is none. */
  broadcastChannel(name: string): BroadcastChannelLike | undefined
  /** Web Locks, or undefined (Node, old browsers): then a client leads alone. */
  locks: LockManagerLike | undefined
  /** Opens a WebSocket, or undefined where there is none (then the live channel falls back to HTTP). */
  webSocket(url: string): WebSocketLike | undefined
  /** Whether the page is shown; true outside browsers. */
  isVisible(): boolean
  /** Calls `listener` whenever the page is shown or hidden; returns the unsubscribe function. */
  onVisibilityChange(listener: (visible: boolean) => void): () => void
  /** `navigator.storage`, or undefined where there is none (Node, insecure pages). */
  storage: StorageManagerLike | undefined
  logger: Logger
}

interface BrowserGlobals {
  WebSocket?: new (url: string) => unknown
  document?: {
    visibilityState?: string
    addEventListener(type: string, listener: () => void): void
    removeEventListener(type: string, listener: () => void): void
  }
  navigator?: { onLine?: boolean; locks?: LockManagerLike; storage?: StorageManagerLike }
  addEventListener?: (type: string, listener: () => void) => void
  removeEventListener?: (type: string, listener: () => void) => void
}

/** The longest delay a JavaScript timer holds; a longer one overflows and fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1

/** Reads globals at call time, so fake timers installed after creation still apply. */
export function defaultEnvironment(): SyncEnvironment {
  const g = globalThis as typeof globalThis & BrowserGlobals
  return {
    now: () => Date.now(),
    setTimeout: (callback, ms) => globalThis.setTimeout(callback, Math.min(Math.max(0, ms), MAX_TIMER_MS)),
    clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
    random: () => Math.random(),
    fetch: (input, init) => globalThis.fetch(input, init),
    isOnline: () => g.navigator?.onLine ?? true,
    onOnlineChange(listener) {
      if (typeof g.addEventListener !== 'function') return () => {}
      const online = () => listener(true)
      const offline = () => listener(false)
      g.addEventListener('online', online)
      g.addEventListener('offline', offline)
      return () => {
        g.removeEventListener?.('online', online)
        g.removeEventListener?.('offline', offline)
      }
    },
    broadcastChannel: (name) =>
      g.BroadcastChannel ? (new g.BroadcastChannel(name) as unknown as BroadcastChannelLike) : undefined,
    locks: g.navigator?.locks,
    webSocket: (url) => (g.WebSocket ? (new g.WebSocket(url) as WebSocketLike) : undefined),
    isVisible: () => g.document?.visibilityState !== 'hidden',
    onVisibilityChange(listener) {
      const doc = g.document
      if (!doc) return () => {}
      const changed = () => listener(doc.visibilityState !== 'hidden')
      doc.addEventListener('visibilitychange', changed)
      return () => doc.removeEventListener('visibilitychange', changed)
    },
    storage: g.navigator?.storage,
    logger: console,
  }
}

/** The default environment with some parts replaced, typically by tests. */
export function createEnvironment(overrides: Partial<SyncEnvironment> = {}): SyncEnvironment {
  return { ...defaultEnvironment(), ...overrides }
}
