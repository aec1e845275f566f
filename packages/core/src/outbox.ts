import type { ChangeType, RecordData } from './wire.js'

/** The outbox table: one entry per changed row, ordered by `seq`. */
export const OUTBOX_TABLE = '_driftless_outbox'
/** Key-value state of the engine (pull cursor, clock) that must survive reloads. */
export const META_TABLE = '_driftless_meta'

export type ChangeStatus = 'pending' | 'syncing' | 'failed'

/** One captured change, as stored in the outbox. */
export interface OutboxEntry {
  /** Auto-increment position in the queue. */
  readonly seq: number
  /** nanoid; the idempotency key the server dedupes on. */
  readonly id: string
  /** Shared by every entry written in one local transaction. */
  readonly txId: string
  readonly collection: string
  readonly recordId: string
  readonly type: ChangeType
  /** The row after the write; null for a delete. */
  readonly data: RecordData | null
  /** The row before the write; null for a create. */
  readonly prevData: RecordData | null
  /** Hybrid-logical-clock milliseconds of the write. */
  readonly timestamp: number
  readonly status: ChangeStatus
  readonly retries: number
  readonly errorMessage: string | null
}

export interface SyncStats {
  total: number
  pending: number
  syncing: number
  failed: number
}
