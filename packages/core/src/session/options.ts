import {
  array,
  type Check,
  number,
  object,
  oneOf,
  optional,
  string,
  union,
  withDefault,
} from '../shared/check.js'
import { DEFAULT_CONNECTION_GRACE_MS } from '../shared/connection.js'
import { ConfigError, formatIssues } from '../shared/errors.js'
import type { ConflictResolver } from '../sync/conflicts.js'

export const conflictStrategies = ['lww', 'client-wins', 'server-wins', 'custom'] as const
export type ConflictStrategy = (typeof conflictStrategies)[number]

export interface AutoSyncOptions {
  /** A round at least this often while connected. */
  intervalMs: number
  /** Upload this long after a burst of local writes. */
  debounceMs: number
}

/** The engine's options with every default applied (see `SyncOptions` for each default). */
export interface EngineOptions {
  autoSync: false | AutoSyncOptions
  pushBatchSize: number
  pullBatchSize: number
  /** Pages one round may pull before it ends and lets uploads go first; the next round goes on from there. */
  maxPullPagesPerRound: number
  strategy: ConflictStrategy
  retryMaxAttempts: number
  retryDelayMs: number
  maxRetryDelayMs: number
  uploadThrottleMs: number
  /** How long a connection problem must last before the status shows it; recovery shows at once. */
  connectionGraceMs: number
  collections?: string[] | undefined
  resolveConflict: ConflictResolver | undefined
}

export type SyncOptions = Partial<Omit<EngineOptions, 'autoSync' | 'resolveConflict'>> & {
  autoSync?: false | Partial<AutoSyncOptions>
  resolveConflict?: ConflictResolver
}

const count = (min: number, fallback: number, max?: number) =>
  withDefault(number({ int: true, min, ...(max === undefined ? {} : { max }) }), fallback)

const DEFAULT_AUTO_SYNC: AutoSyncOptions = { intervalMs: 30_000, debounceMs: 1_000 }

const autoSyncSchema: Check<false | AutoSyncOptions> = withDefault(
  union<false | AutoSyncOptions>([
    oneOf([false] as const),
    object<AutoSyncOptions>({
      intervalMs: count(0, DEFAULT_AUTO_SYNC.intervalMs),
      debounceMs: count(0, DEFAULT_AUTO_SYNC.debounceMs),
    }),
  ]),
  DEFAULT_AUTO_SYNC,
)

const optionsSchema = object<Omit<EngineOptions, 'resolveConflict'>>({
  autoSync: autoSyncSchema,
  pushBatchSize: count(1, 50, 10_000),
  pullBatchSize: count(1, 100, 10_000),
  maxPullPagesPerRound: count(1, 100),
  strategy: withDefault(oneOf(conflictStrategies), 'lww'),
  retryMaxAttempts: count(1, 10),
  retryDelayMs: count(0, 5_000),
  maxRetryDelayMs: count(0, 60_000),
  uploadThrottleMs: count(0, 1_000),
  connectionGraceMs: count(0, DEFAULT_CONNECTION_GRACE_MS),
  collections: optional(array(string({ min: 1 }))),
})

/** Fills in the defaults and rejects bad values with an error naming the option. */
export function resolveEngineOptions(input: SyncOptions = {}): EngineOptions {
  const { resolveConflict, ...rest } = input
  const parsed = optionsSchema.safeParse(rest)
  if (!parsed.success) {
    throw new ConfigError(`Invalid sync options: ${formatIssues(parsed.error.issues)}.`)
  }
  if (parsed.data.strategy === 'custom' && typeof resolveConflict !== 'function') {
    throw new ConfigError('strategy "custom" needs a resolveConflict(conflict) function in the sync options.')
  }
  if (resolveConflict !== undefined && typeof resolveConflict !== 'function') {
    throw new ConfigError('resolveConflict must be a function returning "local", "remote" or { merged }.')
  }
  return { ...parsed.data, resolveConflict }
}
