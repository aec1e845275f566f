export type { AttachOutboxOptions, SyncedTableOptions, SyncedTables, TableNameOf } from './capture.js'
export { attachOutbox, driftlessStores, runUncaptured } from './capture.js'
export type { SyncClient } from './client.js'
export type { HybridClockState } from './clock.js'
export { HybridClock } from './clock.js'
export type { ConflictResolution, ConflictResolver, SyncConflict } from './conflicts.js'
export { differingFields } from './conflicts.js'
export type { SyncConnector, SyncCredentials, UploadClient } from './connector.js'
export type { Credentials, FetchCredentials, FetchedCredentials } from './credentials.js'
export { CredentialCache } from './credentials.js'
export type { BroadcastChannelLike, FetchLike, LockManagerLike, Logger, SyncEnvironment } from './env.js'
export { createEnvironment, defaultEnvironment } from './env.js'
export {
  ConfigError,
  CredentialsError,
  DriftlessError,
  InvalidResponseError,
  SyncValidationError,
  TransportError,
} from './errors.js'
export type { SyncEvent, SyncEventListener, SyncEventLog, SyncPhase } from './events.js'
export { createSyncEventLog, SyncEventEmitter } from './events.js'
export type { ConflictStrategy, EngineOptionsInput as SyncOptions } from './options.js'
export type {
  ChangeStatus,
  CrudBatch,
  CrudTransaction,
  OutboxEntry,
  OutboxFilter,
  SyncStats,
} from './outbox.js'
export { getSyncStats, META_TABLE, OUTBOX_TABLE, Outbox } from './outbox.js'
export { DEFAULT_RETRY_DELAY_MS, parseRetryAfter, retryDelay } from './retry.js'
export type { SyncStatus } from './status.js'
export { initialSyncStatus, SyncStatusStore, statusEquals } from './status.js'
export type { SyncClientOptions } from './syncClient.js'
export { createSyncClient, NotConnectedError } from './syncClient.js'
export { LeaderSyncError } from './tabChannel.js'
export type { HttpTransportOptions } from './transport/http.js'
export { HttpTransport } from './transport/http.js'
export type { Transport, TransportContext } from './transport/types.js'
export { STALLED_UPLOAD_WARNING, UploadStalledError } from './uploadLoop.js'
export type {
  Change,
  ChangeType,
  PulledChange,
  PullRequest,
  PullResult,
  PushConflict,
  PushRequest,
  PushResult,
  RecordData,
} from './wire.js'
export { validatePullResult, validatePushResult } from './wire.js'
