/** Carries what components want said to the provider's one live region. */
export class AnnouncerChannel {
  #listener: ((message: string) => void) | null = null

  say = (message: string): void => {
    this.#listener?.(message)
  }

  listen(listener: (message: string) => void): () => void {
    this.#listener = listener
    return () => {
      if (this.#listener === listener) this.#listener = null
    }
  }
}
