import { z } from 'zod'
import { DEFAULT_CONNECTION_GRACE_MS } from '../shared/connection.js'
import { ConfigError, formatIssues } from '../shared/errors.js'
import type { ConflictResolver } from '../sync/conflicts.js'

export const conflictStrategies = ['lww', 'client-wins', 'server-wins', 'custom'] as const
export type ConflictStrategy = (typeof conflictStrategies)[number]

const optionsSchema = z.object({
  autoSync: z
    .union([
      z.literal(false),
      z.object({
        intervalMs: z.number().int().min(0).default(30_000),
        debounceMs: z.number().int().min(0).default(1_000),
      }),
    ])
    .default({ intervalMs: 30_000, debounceMs: 1_000 }),
  pushBatchSize: z.number().int().min(1).max(10_000).default(50),
  pullBatchSize: z.number().int().min(1).max(10_000).default(100),
  strategy: z.enum(conflictStrategies).default('lww'),
  retryMaxAttempts: z.number().int().min(1).default(10),
  retryDelayMs: z.number().int().min(0).default(5_000),
  maxRetryDelayMs: z.number().int().min(0).default(60_000),
  uploadThrottleMs: z.number().int().min(0).default(1_000),
  /** How long a connection problem must last before the status shows it; recovery shows at once. */
  connectionGraceMs: z.number().int().min(0).default(DEFAULT_CONNECTION_GRACE_MS),
  collections: z.array(z.string().min(1)).optional(),
})

export type SyncOptions = z.input<typeof optionsSchema> & { resolveConflict?: ConflictResolver }

export type EngineOptions = z.output<typeof optionsSchema> & { resolveConflict: ConflictResolver | undefined }

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
