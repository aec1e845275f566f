import type { LockManagerLike } from '../shared/env.js'

type LockMode = 'exclusive' | 'shared'

interface LockRequest {
  readonly name: string
  readonly mode: LockMode
  readonly tab: string
  readonly callback: (lock: FakeLock | null) => unknown
  readonly resolve: (value: unknown) => void
  readonly reject: (reason: unknown) => void
  readonly signal: AbortSignal | undefined
  readonly onAbort: () => void
}

interface HeldLock {
  readonly request: LockRequest
  released: boolean
}

export interface FakeLock {
  readonly name: string
  readonly mode: LockMode
}

/**
 * Web Locks for tests, shared by simulated tabs in one process: per-name queues granted in request
 * order, `exclusive`/`shared`, `ifAvailable`, `steal`, `signal`, release when the callback settles, and
 * `crash(tab)` for a tab that dies without cleaning up.
 */
export class FakeLockManager {
  private readonly queues = new Map<string, LockRequest[]>()
  private readonly held = new Map<string, HeldLock[]>()
  private readonly crashed = new Set<string>()

  /** The lock manager one tab sees; its requests belong to `tab`. */
  forTab(tab: string): LockManagerLike {
    return {
      request: <T>(
        name: string,
        options: { mode?: LockMode; ifAvailable?: boolean; steal?: boolean; signal?: AbortSignal },
        callback: (lock: unknown) => Promise<T> | T,
      ) => this.request(tab, name, options, callback) as Promise<T>,
    }
  }

  /** The tabs holding `name` now, in grant order. */
  holders(name: string): string[] {
    return (this.held.get(name) ?? []).map((lock) => lock.request.tab)
  }

  /** The tabs waiting for `name`, in queue order. */
  waiting(name: string): string[] {
    return (this.queues.get(name) ?? []).map((request) => request.tab)
  }

  /** What the browser does when a tab dies: its locks are released, its pending requests vanish, and later requests from it never settle. */
  crash(tab: string): void {
    this.crashed.add(tab)
    for (const [name, queue] of this.queues) {
      const kept = queue.filter((request) => request.tab !== tab)
      for (const request of queue)
        if (request.tab === tab) request.signal?.removeEventListener('abort', request.onAbort)
      this.queues.set(name, kept)
    }
    for (const [name, locks] of this.held) {
      for (const lock of locks) if (lock.request.tab === tab) lock.released = true
      this.held.set(
        name,
        locks.filter((lock) => !lock.released),
      )
    }
    for (const name of this.queues.keys()) this.grant(name)
  }

  private request(
    tab: string,
    name: string,
    options: { mode?: LockMode; ifAvailable?: boolean; steal?: boolean; signal?: AbortSignal },
    callback: (lock: FakeLock | null) => unknown,
  ): Promise<unknown> {
    // A dead tab's code may still run in this process; nothing it asks for ever happens.
    if (this.crashed.has(tab)) return new Promise(() => {})
    const mode = options.mode ?? 'exclusive'
    const signal = options.signal
    if (name.startsWith('-'))
      return Promise.reject(new DOMException('Lock names must not start with "-"', 'NotSupportedError'))
    if (signal?.aborted) return Promise.reject(abortReason(signal))
    if (options.steal && options.ifAvailable) {
      return Promise.reject(new DOMException('steal and ifAvailable cannot be combined', 'NotSupportedError'))
    }

    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const queue = this.queues.get(name) ?? []
        const index = queue.indexOf(request)
        if (index === -1) return
        queue.splice(index, 1)
        reject(abortReason(signal!))
        this.grant(name)
      }
      const request: LockRequest = { name, mode, tab, callback, resolve, reject, signal, onAbort }
      const queue = this.queues.get(name) ?? []
      this.queues.set(name, queue)

      if (options.steal) {
        for (const lock of this.held.get(name) ?? []) {
          lock.released = true
          lock.request.reject(new DOMException('The lock was stolen by another request', 'AbortError'))
        }
        this.held.set(name, [])
        queue.unshift(request)
        this.grant(name)
        return
      }
      if (options.ifAvailable && !this.grantable(name, mode, queue)) {
        run(request, null, () => {})
        return
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      queue.push(request)
      this.grant(name)
    })
  }

  private grantable(name: string, mode: LockMode, before: readonly LockRequest[]): boolean {
    if (before.length > 0) return false
    const held = this.held.get(name) ?? []
    return mode === 'shared' ? held.every((lock) => lock.request.mode === 'shared') : held.length === 0
  }

  private grant(name: string): void {
    const queue = this.queues.get(name) ?? []
    while (queue.length > 0) {
      const request = queue[0]!
      if (!this.grantable(name, request.mode, [])) return
      queue.shift()
      request.signal?.removeEventListener('abort', request.onAbort)
      const lock: HeldLock = { request, released: false }
      this.held.set(name, [...(this.held.get(name) ?? []), lock])
      run(request, { name, mode: request.mode }, () => this.release(lock))
    }
  }

  private release(lock: HeldLock): void {
    if (lock.released) return
    lock.released = true
    const name = lock.request.name
    this.held.set(
      name,
      (this.held.get(name) ?? []).filter((other) => other !== lock),
    )
    this.grant(name)
  }
}

/** Calls back asynchronously, like a granted lock; settles the request with the callback's outcome. */
function run(request: LockRequest, lock: FakeLock | null, release: () => void): void {
  Promise.resolve()
    .then(() => request.callback(lock))
    .then(
      (value) => {
        release()
        request.resolve(value)
      },
      (error: unknown) => {
        release()
        request.reject(error)
      },
    )
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The lock request was aborted', 'AbortError')
}
