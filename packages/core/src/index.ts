export type { AttachOutboxOptions, SyncedTableOptions, SyncedTables, TableNameOf } from './capture/capture.js'
export { attachOutbox, driftlessStores, runUncaptured } from './capture/capture.js'
export type {
  ChangeStatus,
  CrudBatch,
  CrudTransaction,
  OutboxEntry,
  OutboxFilter,
  SyncStats,
} from './capture/outbox.js'
export { getSyncStats, META_TABLE, OUTBOX_TABLE, Outbox } from './capture/outbox.js'
export type { StandardSchema, StandardSchemaIssue, StandardSchemaResult } from './capture/standardSchema.js'
export type { SyncClient } from './session/client.js'
export type { SyncConnector, SyncCredentials, UploadClient } from './session/connector.js'
export type { Credentials, FetchCredentials, FetchedCredentials } from './session/credentials.js'
export { CredentialCache } from './session/credentials.js'
export type { ConflictStrategy, EngineOptionsInput as SyncOptions } from './session/options.js'
export { DEFAULT_RETRY_DELAY_MS, parseRetryAfter, retryDelay } from './session/retry.js'
export type { SyncClientOptions } from './session/syncClient.js'
export { createSyncClient, NotConnectedError } from './session/syncClient.js'
export type { HybridClockState } from './shared/clock.js'
export { HybridClock } from './shared/clock.js'
export type {
  BroadcastChannelLike,
  FetchLike,
  LockManagerLike,
  Logger,
  SyncEnvironment,
} from './shared/env.js'
export { createEnvironment, defaultEnvironment } from './shared/env.js'
export {
  ConfigError,
  CredentialsError,
  DriftlessError,
  InvalidResponseError,
  SyncValidationError,
  TransportError,
} from './shared/errors.js'
export type { SyncEvent, SyncEventListener, SyncEventLog, SyncPhase } from './shared/events.js'
export { createSyncEventLog, SyncEventEmitter } from './shared/events.js'
export type { SyncStatus } from './shared/status.js'
export { initialSyncStatus, SyncStatusStore, statusEquals } from './shared/status.js'
export type { ConflictResolution, ConflictResolver, SyncConflict } from './sync/conflicts.js'
export { differingFields } from './sync/conflicts.js'
export { STALLED_UPLOAD_WARNING, UploadStalledError } from './sync/uploadLoop.js'
export { LeaderSyncError } from './tabs/tabChannel.js'
export type { HttpTransportOptions } from './transport/http.js'
export { HttpTransport } from './transport/http.js'
export type { Transport, TransportContext } from './transport/types.js'
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
