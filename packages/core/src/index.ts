export type { SyncClient } from './client.js'
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
export type { SyncEvent, SyncEventListener, SyncPhase } from './events.js'
export type { ChangeStatus, OutboxEntry, SyncStats } from './outbox.js'
export { META_TABLE, OUTBOX_TABLE } from './outbox.js'
export type { SyncStatus } from './status.js'
export { initialSyncStatus, SyncStatusStore, statusEquals } from './status.js'
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
