/** A set of listeners with lazy set-up: `onSubscribe` runs for the first, `onUnsubscribe` after the last. */
export class Subscribable<TListener extends (...args: never[]) => void> {
  protected readonly listeners = new Set<TListener>()

  subscribe = (listener: TListener): (() => void) => {
    this.listeners.add(listener)
    if (this.listeners.size === 1) this.onSubscribe()
    return () => {
      if (!this.listeners.delete(listener)) return
      if (this.listeners.size === 0) this.onUnsubscribe()
    }
  }

  hasListeners(): boolean {
    return this.listeners.size > 0
  }

  protected onSubscribe(): void {}
  protected onUnsubscribe(): void {}
}
