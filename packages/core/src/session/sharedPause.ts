import { liveQuery } from 'dexie'
import type { Outbox } from '../capture/outbox.js'
import type { Logger } from '../shared/env.js'

/** The meta key of the shared pause; every tab watches it. */
const PAUSED_KEY = 'paused'

/**
 * "Work offline", stored in the database so that every tab of it and every reload sees it: any tab may set
 * it, each tab hears it from the database, even those that are not leading.
 */
export class SharedPause {
  readonly #outbox: Outbox
  readonly #logger: Pick<Logger, 'error'>

  constructor(outbox: Outbox, logger: Pick<Logger, 'error'>) {
    this.#outbox = outbox
    this.#logger = logger
  }

  /** Whether an earlier visit or another tab left sync paused. */
  async read(): Promise<boolean> {
    return (await this.#outbox.getMeta<boolean>(PAUSED_KEY)) === true
  }

  /** Stores the pause for every tab. */
  write(paused: boolean): Promise<void> {
    return this.#outbox.setMeta(PAUSED_KEY, paused)
  }

  /** Calls `listener` with the stored pause now and after every change from any tab; returns the stop. */
  watch(listener: (paused: boolean) => void): () => void {
    const subscription = liveQuery(() => this.read()).subscribe({
      next: listener,
      error: (error: unknown) => this.#logger.error('Driftless: watching the pause failed', error),
    })
    return () => subscription.unsubscribe()
  }
}
