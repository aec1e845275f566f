import { liveQuery } from 'dexie'
import type { Outbox, SyncStats } from '../capture/outbox.js'
import type { Logger } from '../shared/env.js'
import type { SyncStatusStore } from '../shared/status.js'

/** What the queue counts tell the client besides the status. */
export interface QueueCountHooks {
  /** The first counts are in the status. */
  loaded(): void
  /** Entries were added to the queue since the counts were last read: local writes, in any tab. */
  newWrites(): void
}

/**
 * `pendingChanges` and `failedChanges` in the status. A local write counts at once, inside its transaction,
 * so a list re-read after the commit never shows a row the status does not count yet; a live query keeps
 * the exact counts (other tabs' writes, uploads), and a round recounts once its uploads are done.
 */
export class QueueCounts {
  private lastSeq = 0
  private readonly stops: (() => void)[] = []

  constructor(
    private readonly outbox: Outbox,
    private readonly status: SyncStatusStore,
    private readonly logger: Pick<Logger, 'error'>,
    private readonly hooks: QueueCountHooks,
  ) {}

  start(): void {
    this.stops.push(
      this.outbox.onCaptured((queued) => {
        const { pendingChanges } = this.status.getSnapshot()
        this.status.update({ pendingChanges: Math.max(0, pendingChanges + queued) })
      }),
    )
    const counts = liveQuery(async () => ({
      stats: await this.outbox.stats(),
      lastSeq: await this.outbox.highWater(),
    })).subscribe({
      next: ({ stats, lastSeq }) => {
        this.show(stats)
        this.hooks.loaded()
        // Only new entries are local writes; the engine's own updates to the queue must not trigger rounds.
        if (lastSeq > this.lastSeq) {
          this.lastSeq = lastSeq
          if (stats.pending > 0) this.hooks.newWrites()
        }
      },
      error: (error: unknown) => this.logger.error('Driftless: watching the outbox failed', error),
    })
    this.stops.push(() => counts.unsubscribe())
  }

  /** Reads the counts into the status now. */
  async recount(): Promise<void> {
    this.show(await this.outbox.stats())
  }

  /** The database was deleted: its queue starts again from the first sequence number. */
  restartSequence(): void {
    this.lastSeq = 0
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop()
  }

  private show(stats: SyncStats): void {
    this.status.update({ pendingChanges: stats.pending + stats.syncing, failedChanges: stats.failed })
  }
}
