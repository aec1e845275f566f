import type { SyncEnvironment } from '../shared/env.js'
import { errorMessage } from '../shared/errors.js'
import { Listeners } from '../shared/listeners.js'

/** The Web Lock that makes one tab the leader; its name is per database. */
export function leaderLockName(name: string): string {
  return `driftless:leader:${name}`
}

interface Candidacy {
  readonly abort: AbortController
  readonly resign: () => void
}

/**
 * Makes exactly one tab at a time the leader for `name`, by holding an exclusive Web Lock until
 * `stop()`. The browser releases the lock when the tab dies, so the next waiting tab takes over.
 * Without Web Locks (Node, old browsers) the instance leads alone as soon as it starts.
 */
export class LeaderElection {
  readonly lockName: string
  readonly #env: SyncEnvironment
  readonly #listeners: Listeners<boolean>
  #candidacy: Candidacy | null = null
  #leading = false
  #warnedAlone = false

  constructor(name: string, env: SyncEnvironment) {
    this.lockName = leaderLockName(name)
    this.#env = env
    // A throwing listener must not reject the lock callback, which would release the lock.
    this.#listeners = new Listeners(env.logger, 'a leadership listener')
  }

  /** Hears every change of leadership; returns the unsubscribe function. */
  subscribe(listener: (isLeader: boolean) => void): () => void {
    return this.#listeners.add(listener)
  }

  get isLeader(): boolean {
    return this.#leading
  }

  /** Queues for the lock (or leads alone without Web Locks). Calling it again while started does nothing. */
  start(): void {
    if (this.#candidacy) return
    let resign!: () => void
    const held = new Promise<void>((resolve) => {
      resign = resolve
    })
    const candidacy: Candidacy = { abort: new AbortController(), resign }
    this.#candidacy = candidacy

    const locks = this.#env.locks
    if (!locks) {
      this.#leadAlone('Web Locks (navigator.locks) are not available')
      return
    }
    locks
      .request(this.lockName, { mode: 'exclusive', signal: candidacy.abort.signal }, async () => {
        // Granted after stop(): let the lock go at once so the next tab can lead.
        if (this.#candidacy !== candidacy) return
        this.#setLeading(true)
        await held
      })
      .catch((error: unknown) => {
        if (this.#candidacy !== candidacy) return
        if (isAbortError(error)) {
          // Only a steal aborts a current candidacy: we lost the lock, so queue again behind the thief.
          this.#candidacy = null
          candidacy.resign()
          this.#setLeading(false)
          this.start()
          return
        }
        this.#leadAlone(`Requesting the Web Lock "${this.lockName}" failed (${errorMessage(error)})`)
      })
  }

  /** Gives up leadership (the lock is released) or withdraws the pending request. Idempotent. */
  stop(): void {
    const candidacy = this.#candidacy
    if (!candidacy) return
    this.#candidacy = null
    candidacy.abort.abort()
    candidacy.resign()
    this.#setLeading(false)
  }

  #leadAlone(reason: string): void {
    if (!this.#warnedAlone) {
      this.#warnedAlone = true
      this.#env.logger.warn(
        `Driftless: ${reason}, so this client leads alone and runs the sync loops itself. Other open tabs of this app may do the same; the server deduplicates their uploads by change id.`,
      )
    }
    this.#setLeading(true)
  }

  #setLeading(leading: boolean): void {
    if (this.#leading === leading) return
    this.#leading = leading
    this.#listeners.notify(leading)
  }
}

function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError'
}
