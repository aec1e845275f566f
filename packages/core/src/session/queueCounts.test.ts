import { Dexie } from 'dexie'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Outbox } from '../capture/outbox.js'
import { OUTBOX_TABLE } from '../capture/outboxEntry.js'
import { SyncStatusStore } from '../shared/status.js'
import { QueueCounts } from './queueCounts.js'

beforeEach(() => vi.useFakeTimers())
afterEach(() => vi.useRealTimers())

/** An outbox whose count takes `readMs`, as a count of a long queue does; it counts its reads. */
function slowOutbox(readMs: number) {
  const outbox = {
    db: { name: 'slow-queue' },
    reads: 0,
    onCaptured: () => () => {},
    countsAndHighWater: async () => {
      outbox.reads++
      await new Promise((resolve) => setTimeout(resolve, readMs))
      return { stats: { total: 5, pending: 5, syncing: 0, failed: 0 }, highWater: 5 }
    },
  }
  return outbox
}

describe('counting the queue for the status', () => {
  it('spends at most a tenth of the time counting a long queue, however often it changes', async () => {
    const outbox = slowOutbox(1_000)
    const env = {
      setTimeout: (callback: () => void, ms: number) => setTimeout(callback, ms),
      clearTimeout: (timer: unknown) => clearTimeout(timer as ReturnType<typeof setTimeout>),
      now: () => Date.now(),
      logger: { warn() {}, error() {} },
    }
    const counts = new QueueCounts(outbox as unknown as Outbox, new SyncStatusStore(), env, {
      loaded() {},
      newWrites() {},
    })
    counts.start()
    // The drain changes the queue every 20 ms for a minute.
    for (let elapsed = 0; elapsed < 60_000; elapsed += 20) {
      Dexie.on('storagemutated').fire({ [`idb://slow-queue/${OUTBOX_TABLE}/`]: true })
      await vi.advanceTimersByTimeAsync(20)
    }
    counts.stop()
    // One second per read: a tenth of the minute is six reads, and the last change is still read.
    expect(outbox.reads).toBeGreaterThanOrEqual(5)
    expect(outbox.reads).toBeLessThanOrEqual(6)
  })
})
