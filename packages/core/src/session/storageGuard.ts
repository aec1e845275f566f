import type { SyncEnvironment } from '../shared/env.js'
import type { StorageState, SyncStatusStore } from '../shared/status.js'

/**
 * Keeps `status.storage` current from `navigator.storage` (through the environment), and asks the browser
 * to persist this site's data once something the user wrote has synced: by then the app is clearly in
 * use, which is when browsers grant it (a request on first load is refused or prompts for nothing).
 */
export class StorageGuard {
  #persistRequested = false

  readonly #env: Pick<SyncEnvironment, 'storage' | 'logger'>
  readonly #status: SyncStatusStore
  readonly #persistAfterFirstSync: boolean

  constructor(
    env: Pick<SyncEnvironment, 'storage' | 'logger'>,
    status: SyncStatusStore,
    persistAfterFirstSync: boolean,
  ) {
    this.#env = env
    this.#status = status
    this.#persistAfterFirstSync = persistAfterFirstSync
  }

  /** Reads whether storage is persisted and the usage estimate into the status. */
  async refresh(): Promise<void> {
    const storage = this.#env.storage
    if (!storage) return
    try {
      const [persisted, estimate] = await Promise.all([
        storage.persisted ? storage.persisted() : Promise.resolve(false),
        storage.estimate ? storage.estimate() : Promise.resolve(undefined),
      ])
      this.#patch({
        persisted,
        usage: estimate?.usage ?? null,
        quota: estimate?.quota ?? null,
      })
    } catch (error) {
      this.#env.logger.warn('Driftless: could not read the storage estimate', error)
    }
  }

  /** After a completed round: the first one that uploaded a change asks for persistence. */
  async afterRound(pushed: number): Promise<void> {
    if (this.#persistAfterFirstSync && pushed > 0 && !this.#persistRequested) await this.requestPersistence()
    else await this.refresh()
  }

  /** Asks the browser not to evict this site's data; the answer shows in `status.storage.persisted`. */
  async requestPersistence(): Promise<boolean> {
    this.#persistRequested = true
    const storage = this.#env.storage
    let granted = false
    try {
      if (storage?.persist) granted = (await storage.persisted?.()) || (await storage.persist())
    } catch (error) {
      this.#env.logger.warn('Driftless: navigator.storage.persist() failed', error)
    }
    await this.refresh()
    return granted
  }

  setFull(full: boolean): void {
    if (this.#status.getSnapshot().storage.full !== full) this.#patch({ full })
  }

  #patch(patch: Partial<StorageState>): void {
    this.#status.update({ storage: Object.freeze({ ...this.#status.getSnapshot().storage, ...patch }) })
  }
}
