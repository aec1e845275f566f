import type { ChangeType, RecordData } from '../wire.js'

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
  /**
   * The HTTP status with which the server refused the request carrying this change on its own (413: too
   * large, 422: unprocessable…); null when the server rejected it inside a 2xx answer or it never failed.
   * Absent on entries stored by versions before 0.2.
   */
  readonly errorStatus?: number | null
  /** How many times the entry was handed out for upload; above 1, the server may have applied it already. */
  readonly attempts?: number
}

export interface SyncStats {
  total: number
  pending: number
  syncing: number
  failed: number
}

/** What `getCrudBatch()` hands a custom connector: upload `crud`, then `complete()`. */
export interface CrudBatch {
  readonly crud: readonly OutboxEntry[]
  /** More pending entries were waiting behind this batch. */
  readonly haveMore: boolean
  /** Removes exactly these entries from the outbox. */
  complete(): Promise<void>
}

/** What `getNextCrudTransaction()` hands a custom connector: the entries of one local transaction. */
export interface CrudTransaction {
  readonly crud: readonly OutboxEntry[]
  readonly transactionId: string
  /** Removes exactly these entries from the outbox. */
  complete(): Promise<void>
}

export interface OutboxFilter {
  status?: ChangeStatus | readonly ChangeStatus[]
}
