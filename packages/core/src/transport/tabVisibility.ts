import type { BroadcastChannelLike, SyncEnvironment } from '../shared/env.js'

const CHANNEL = 'driftless-live-visibility'

type Message = { type: 'anyone-visible' } | { type: 'visible' }

/**
 * Whether any tab of this origin shows its page: only the leader holds the live socket, but it may
 * close it only when every tab is hidden. Each tab answers for itself and speaks up when it is shown.
 */
export class TabVisibility {
  readonly #channel: BroadcastChannelLike | undefined
  readonly #listeners = new Set<() => void>()

  constructor(env: SyncEnvironment) {
    this.#channel = env.broadcastChannel(CHANNEL)
    if (this.#channel) {
      this.#channel.onmessage = ({ data }) => {
        const message = data as Message | null
        if (message?.type === 'anyone-visible' && env.isVisible()) this.#say()
        else if (message?.type === 'visible') for (const listener of this.#listeners) listener()
      }
    }
    env.onVisibilityChange((visible) => {
      if (visible) this.#say()
    })
  }

  /** Asks the other tabs; those showing their page answer through `onOtherTabVisible`. */
  ask(): void {
    this.#channel?.postMessage({ type: 'anyone-visible' } satisfies Message)
  }

  /** Calls `listener` whenever another tab says its page is shown; returns the unsubscribe function. */
  onOtherTabVisible(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  #say(): void {
    this.#channel?.postMessage({ type: 'visible' } satisfies Message)
  }
}
