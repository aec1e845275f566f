/**
 * The push/pull wire contract shared by the client transports and the reference server.
 * Imports nothing but zod, so a server can depend on `@driftless/core/wire` alone.
 */
import { z } from 'zod'
import { formatIssues, InvalidResponseError } from './shared/errors.js'

export { type ChangeVersion, isLaterVersion, jsonEqual } from './shared/versionOrder.js'

export const changeTypeSchema = z.enum(['create', 'update', 'delete'])
export type ChangeType = z.infer<typeof changeTypeSchema>

export const recordDataSchema = z.record(z.string(), z.unknown())
export type RecordData = z.infer<typeof recordDataSchema>

/** Milliseconds since the epoch; servers may also answer with an ISO-8601 string. */
export const timestampSchema = z.union([
  z.number().finite().nonnegative(),
  z.iso.datetime({ offset: true }).transform((iso) => Date.parse(iso)),
])

export const MAX_ID_LENGTH = 256

/** An outbox entry as it travels to the server. `id` is the idempotency key. */
export const changeSchema = z.object({
  id: z.string().min(1).max(MAX_ID_LENGTH),
  collection: z.string().min(1).max(MAX_ID_LENGTH),
  recordId: z.string().min(1).max(MAX_ID_LENGTH),
  type: changeTypeSchema,
  data: recordDataSchema.nullable(),
  prevData: recordDataSchema.nullable().optional(),
  timestamp: z.number().finite().nonnegative(),
})
export type Change = z.infer<typeof changeSchema>

export const pushRequestSchema = z.object({ changes: z.array(changeSchema) })
export type PushRequest = z.infer<typeof pushRequestSchema>

/** `serverTimestamp`: the server's clock when it answers, also for a change id it had already applied (a client should trust it only for first sends). */
export const acceptedChangeSchema = z.object({ id: z.string(), serverTimestamp: timestampSchema })
export const pushConflictSchema = z.object({
  changeId: z.string(),
  recordId: z.string(),
  collection: z.string(),
  local: recordDataSchema.nullable(),
  remote: recordDataSchema.nullable(),
  localTimestamp: timestampSchema,
  remoteTimestamp: timestampSchema,
  fieldConflicts: z.array(z.string()),
})
export const changeErrorSchema = z.object({ id: z.string(), error: z.string() })

export const pushResultSchema = z.object({
  accepted: z.array(acceptedChangeSchema),
  conflicts: z.array(pushConflictSchema),
  errors: z.array(changeErrorSchema),
})
export type PushResult = z.infer<typeof pushResultSchema>
export type PushConflict = z.infer<typeof pushConflictSchema>

export const pullRequestSchema = z.object({
  cursor: z.string().nullable(),
  batchSize: z.number().int().positive(),
  collections: z.array(z.string().min(1)).optional(),
})
export type PullRequest = z.infer<typeof pullRequestSchema>

export const pulledChangeSchema = z.object({
  id: z.string(),
  collection: z.string().min(1),
  // Servers keyed by integers send them as numbers; locally every record id is its string form.
  recordId: z.union([z.string().min(1), z.number().finite().transform(String)]),
  type: changeTypeSchema,
  data: recordDataSchema.nullable(),
  timestamp: timestampSchema,
})
export type PulledChange = z.infer<typeof pulledChangeSchema>

export const pullResultSchema = z.object({
  changes: z.array(pulledChangeSchema),
  cursor: z.string().nullable(),
  hasMore: z.boolean(),
  /** Optional: how many changes for this user and these collections come after this page (for progress). */
  remaining: z.number().int().nonnegative().optional(),
})
export type PullResult = z.infer<typeof pullResultSchema>

function parseOrThrow<T>(schema: z.ZodType<T>, what: string, input: unknown): T {
  const parsed = schema.safeParse(input)
  if (!parsed.success) throw new InvalidResponseError(what, formatIssues(parsed.error.issues))
  return parsed.data
}

/** Checks a push answer against the contract; throws `InvalidResponseError` naming the bad field. */
export function validatePushResult(input: unknown): PushResult {
  return parseOrThrow(pushResultSchema, 'push answer', input)
}

/** Checks a pull answer against the contract; throws `InvalidResponseError` naming the bad field. */
export function validatePullResult(input: unknown): PullResult {
  return parseOrThrow(pullResultSchema, 'pull answer', input)
}
