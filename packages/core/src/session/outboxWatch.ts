import Dexie, { type ObservabilitySet } from 'dexie'
import { OUTBOX_TABLE, type Outbox, type SyncStats } from '../capture/outbox.js'

export interface OutboxReading {
  stats: SyncStats
  /** The highest `seq` in use, as in `Outbox.highWater()`. */
  lastSeq: number
}

/**
 * Re-reads the outbox's counts after it changes, in this tab or another: at most one read runs at a time
 * and every change during it is covered by one more read, so a burst of writes or batches costs a few
 * reads instead of one full recount each.
 */
export function watchOutboxCounts(
  outbox: Outbox,
  next: (reading: OutboxReading) => void,
  error: (error: unknown) => void,
): () => void {
  const prefix = `idb://${outbox.db.name}/${OUTBOX_TABLE}/`
  let reading = false
  let stale = false
  let stopped = false
  const read = async () => {
    if (reading) {
      stale = true
      return
    }
    reading = true
    try {
      do {
        stale = false
        // The high-water mark first: an entry added between the two reads is counted and seen by the next read.
        const lastSeq = await outbox.highWater()
        const result = { stats: await outbox.stats(), lastSeq }
        if (!stopped) next(result)
      } while (stale && !stopped)
    } catch (cause) {
      if (!stopped) error(cause)
    } finally {
      reading = false
    }
  }
  const onMutated = (parts: ObservabilitySet) => {
    if (Object.keys(parts).some((part) => part.startsWith(prefix))) void read()
  }
  Dexie.on('storagemutated', onMutated)
  void read()
  return () => {
    stopped = true
    Dexie.on.storagemutated.unsubscribe(onMutated)
  }
}
