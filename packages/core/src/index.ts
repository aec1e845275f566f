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
