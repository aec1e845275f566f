import type { Logger } from './env.js'

/**
 * The one listener list of the engine. Each registration is its own entry (the same function added twice
 * hears twice), and each listener runs isolated: one that throws is logged and never stops the others
 * or the code that notified them.
 */
export class Listeners<T> {
  readonly #entries = new Set<(value: T) => void>()

  /** `what` names the listeners in the logged error, e.g. "a status listener". */
  readonly #logger: Pick<Logger, 'error'>
  readonly #what: string

  constructor(logger: Pick<Logger, 'error'>, what: string) {
    this.#logger = logger
    this.#what = what
  }

  /** Adds a listener; returns the function that removes it. */
  add(listener: (value: T) => void): () => void {
    const entry = (value: T) => listener(value)
    this.#entries.add(entry)
    return () => {
      this.#entries.delete(entry)
    }
  }

  /** Removes every listener. */
  clear(): void {
    this.#entries.clear()
  }

  /** Calls every listener registered now, in order. */
  notify(value: T): void {
    for (const entry of [...this.#entries]) {
      try {
        entry(value)
      } catch (error) {
        this.#logger.error(`Driftless: ${this.#what} threw.`, error)
      }
    }
  }
}
