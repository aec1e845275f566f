/**
 * Engine internals for Driftless's own packages, tests and benchmarks: no compatibility promise, any
 * release may change them. Apps use `@driftless/core`.
 */
export { backfill } from './capture/backfill.js'
export type { AttachOutboxOptions } from './capture/capture.js'
export { attachOutbox, driftlessStores, runUncaptured } from './capture/capture.js'
export { META_TABLE, OUTBOX_TABLE, Outbox } from './capture/outbox.js'
export { CredentialCache } from './session/credentials.js'
export { DEFAULT_RETRY_DELAY_MS, parseRetryAfter, retryDelay } from './session/retry.js'
export type { HybridClockState } from './shared/clock.js'
export { HybridClock } from './shared/clock.js'
export { Listeners } from './shared/listeners.js'
export { isSyncStatus, SyncStatusStore, statusEquals } from './shared/status.js'
