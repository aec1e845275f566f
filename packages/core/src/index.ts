/** The public API of @driftless/core: what an app or a connector needs. Internals: ./internal.ts. */
export type { BackfillOptions, BackfillResult } from './capture/backfill.js'
export type { SyncedTableOptions, SyncedTables, TableNameOf } from './capture/capture.js'
export type {
  ChangeStatus,
  CrudBatch,
  CrudTransaction,
  OutboxEntry,
  OutboxFilter,
  SyncStats,
} from './capture/outbox.js'
export { getSyncStats } from './capture/outbox.js'
export type { StandardSchema, StandardSchemaIssue, StandardSchemaResult } from './capture/standardSchema.js'
export type { SyncConnector, UploadClient } from './session/connector.js'
export type { Credentials, FetchCredentials, SyncCredentials } from './session/credentials.js'
export type { ConflictStrategy, SyncOptions } from './session/options.js'
export type { SyncClient, SyncClientOptions } from './session/syncClient.js'
export { createSyncClient } from './session/syncClient.js'
export type { ConnectionState } from './shared/connection.js'
export { outcomeOfFailure } from './shared/connection.js'
export type {
  BroadcastChannelLike,
  FetchLike,
  LockManagerLike,
  Logger,
  StorageManagerLike,
  SyncEnvironment,
  WebSocketLike,
} from './shared/env.js'
export { createEnvironment, defaultEnvironment } from './shared/env.js'
export {
  ConfigError,
  CredentialsError,
  DriftlessError,
  InvalidResponseError,
  isStorageFullError,
  NotConnectedError,
  PullPageLimitError,
  StorageFullError,
  SyncPausedError,
  SyncValidationError,
  TransportError,
} from './shared/errors.js'
export type { SyncEvent, SyncEventListener, SyncEventLog, SyncPhase } from './shared/events.js'
export { createSyncEventLog } from './shared/events.js'
export type { TransferProgress } from './shared/progress.js'
export type { StorageState, SyncStatus } from './shared/status.js'
export { initialSyncStatus } from './shared/status.js'
export type { ConflictResolution, ConflictResolver, SyncConflict } from './sync/conflicts.js'
export { differingFields } from './sync/conflicts.js'
export { STALLED_UPLOAD_WARNING, UploadStalledError } from './sync/uploadLoop.js'
export { LeaderSyncError } from './tabs/tabChannel.js'
export type { HttpTransportOptions } from './transport/http.js'
export { HttpTransport } from './transport/http.js'
export type { LiveSession, Transport, TransportContext } from './transport/types.js'
export type { WsTransportOptions } from './transport/ws.js'
export { WsTransport } from './transport/ws.js'
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
