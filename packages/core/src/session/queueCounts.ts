import { Dexie } from 'dexie'
import { OUTBOX_TABLE, type Outbox, type SyncStats } from '../capture/outbox.js'
import type { SyncEnvironment } from '../shared/env.js'
import type { SyncStatusStore } from '../shared/status.js'

/** What the queue counts tell the client besides the status. */
export interface QueueCountHooks {
  /** The first counts are in the status. */
  loaded(): void
  /** Entries were added to the queue: a local write of this tab (at once) or of another (when read). */
  newWrites(): void
}

/** The shortest pause between two reads of the counts; a slow read (a long queue) waits longer. */
const MIN_READ_INTERVAL_MS = 50
/**
 * A read that took t waits 10 t before the next: counting a long queue takes at most a tenth of the time,
 * as a read holds up the upload's transactions on the queue (a count walks every entry it counts).
 */
const SLOW_READ_FACTOR = 10

/**
 * `pendingChanges` and `failedChanges` in the status. A local write counts at once, inside its transaction,
 * so a list re-read after the commit never shows a row the status does not count yet. Every other change
 * of the queue (uploads, other tabs' writes) is read again soon after, at most one read at a time and at
 * most one per interval, so counting never costs a read per write; a round recounts once its uploads end.
 */
export class QueueCounts {
  #lastSeq = 0
  readonly #stops: (() => void)[] = []
  #timer: unknown = null
  #reading: Promise<void> | null = null
  #stale = false
  #interval = MIN_READ_INTERVAL_MS
  #stopped = false

  readonly #outbox: Outbox
  readonly #status: SyncStatusStore
  readonly #env: Pick<SyncEnvironment, 'setTimeout' | 'clearTimeout' | 'now' | 'logger'>
  readonly #hooks: QueueCountHooks

  constructor(
    outbox: Outbox,
    status: SyncStatusStore,
    env: Pick<SyncEnvironment, 'setTimeout' | 'clearTimeout' | 'now' | 'logger'>,
    hooks: QueueCountHooks,
  ) {
    this.#outbox = outbox
    this.#status = status
    this.#env = env
    this.#hooks = hooks
  }

  start(): void {
    this.#stops.push(
      this.#outbox.onCaptured((queued) => {
        const { pendingChanges } = this.#status.getSnapshot()
        this.#status.update({ pendingChanges: Math.max(0, pendingChanges + queued) })
        if (queued > 0) this.#hooks.newWrites()
      }),
    )
    // Dexie's own signal of committed writes, from this tab and (through a BroadcastChannel) from others.
    const queueParts = `idb://${this.#outbox.db.name}/${OUTBOX_TABLE}/`
    const onMutated = (parts: Record<string, unknown>) => {
      if ('all' in parts || Object.keys(parts).some((part) => part.startsWith(queueParts))) this.#readSoon()
    }
    Dexie.on('storagemutated', onMutated)
    this.#stops.push(() => Dexie.on('storagemutated').unsubscribe(onMutated))
    void this.#read()
  }

  /** Reads the counts into the status now (after a read under way, which may predate the caller's change). */
  async recount(): Promise<void> {
    if (this.#reading) await this.#reading
    await this.#read()
  }

  /** The database was deleted: its queue starts again from the first sequence number. */
  restartSequence(): void {
    this.#lastSeq = 0
  }

  stop(): void {
    this.#stopped = true
    if (this.#timer !== null) this.#env.clearTimeout(this.#timer)
    this.#timer = null
    for (const stop of this.#stops.splice(0)) stop()
  }

  #readSoon(): void {
    if (this.#stopped) return
    if (this.#reading) {
      this.#stale = true
      return
    }
    if (this.#timer !== null) return
    this.#timer = this.#env.setTimeout(() => {
      this.#timer = null
      void this.#read()
    }, this.#interval)
  }

  #read(): Promise<void> {
    this.#stale = false
    const started = this.#env.now()
    const reading = this.#outbox
      .countsAndHighWater()
      .then(({ stats, highWater }) => {
        if (!this.#stopped) this.#show(stats, highWater)
      })
      .catch((error: unknown) => this.#env.logger.error('Driftless: counting the outbox failed', error))
      .finally(() => {
        this.#reading = null
        this.#interval = Math.max(MIN_READ_INTERVAL_MS, SLOW_READ_FACTOR * (this.#env.now() - started))
        if (this.#stale) this.#readSoon()
      })
    this.#reading = reading
    return reading
  }

  #show(stats: SyncStats, highWater: number): void {
    this.#status.update({ pendingChanges: stats.pending + stats.syncing, failedChanges: stats.failed })
    this.#hooks.loaded()
    // Only new entries are local writes; the engine's own updates to the queue must not trigger rounds.
    if (highWater > this.#lastSeq) {
      this.#lastSeq = highWater
      if (stats.pending > 0) this.#hooks.newWrites()
    }
  }
}
