/**
 * The push/pull wire contract shared by the client transports and the reference server.
 * Imports nothing but its own checks, so a server can depend on `@driftless/core/wire` alone.
 */
import {
  anyObject,
  array,
  boolean,
  type Check,
  check,
  isoDateTime,
  nullable,
  number,
  object,
  oneOf,
  optional,
  refine,
  string,
  union,
} from './shared/check.js'
import { formatIssues, InvalidResponseError } from './shared/errors.js'

export type { Check, CheckResult, Issue } from './shared/check.js'
export { type ChangeVersion, isLaterVersion, jsonEqual } from './shared/versionOrder.js'

export const changeTypes = ['create', 'update', 'delete'] as const
export type ChangeType = (typeof changeTypes)[number]
export const changeTypeSchema: Check<ChangeType> = oneOf(changeTypes)

/** A record's fields, as JSON. Every key travels, `__proto__` included. */
export type RecordData = Record<string, unknown>
export const recordDataSchema: Check<RecordData> = anyObject

/** Milliseconds since the epoch; servers may also answer with an ISO-8601 string. */
export const timestampSchema: Check<number> = union(
  [number({ min: 0 }), isoDateTime],
  'expected epoch milliseconds (a non-negative number) or an ISO-8601 date-time with offset',
)

export const MAX_ID_LENGTH = 256

/** An outbox entry as it travels to the server. `id` is the idempotency key. */
export interface Change {
  id: string
  collection: string
  recordId: string
  type: ChangeType
  data: RecordData | null
  prevData?: RecordData | null
  timestamp: number
}

const idSchema = string({ min: 1, max: MAX_ID_LENGTH })

export const changeSchema: Check<Change> = object<Change>({
  id: idSchema,
  collection: idSchema,
  recordId: idSchema,
  type: changeTypeSchema,
  data: nullable(recordDataSchema),
  prevData: optional(nullable(recordDataSchema)),
  timestamp: number({ min: 0 }),
})

export interface PushRequest {
  changes: Change[]
}
export const pushRequestSchema: Check<PushRequest> = object<PushRequest>({ changes: array(changeSchema) })

export interface AcceptedChange {
  id: string
  /** The server's clock when it answers, also for a change id it had already applied (a client should trust it only for first sends). */
  serverTimestamp: number
}
export const acceptedChangeSchema: Check<AcceptedChange> = object<AcceptedChange>({
  id: string(),
  serverTimestamp: timestampSchema,
})

export interface PushConflict {
  changeId: string
  recordId: string
  collection: string
  local: RecordData | null
  remote: RecordData | null
  localTimestamp: number
  remoteTimestamp: number
  fieldConflicts: string[]
}
export const pushConflictSchema: Check<PushConflict> = object<PushConflict>({
  changeId: string(),
  recordId: string(),
  collection: string(),
  local: nullable(recordDataSchema),
  remote: nullable(recordDataSchema),
  localTimestamp: timestampSchema,
  remoteTimestamp: timestampSchema,
  fieldConflicts: array(string()),
})

export interface ChangeError {
  id: string
  error: string
}
export const changeErrorSchema: Check<ChangeError> = object<ChangeError>({ id: string(), error: string() })

export interface PushResult {
  accepted: AcceptedChange[]
  conflicts: PushConflict[]
  errors: ChangeError[]
}
export const pushResultSchema: Check<PushResult> = object<PushResult>({
  accepted: array(acceptedChangeSchema),
  conflicts: array(pushConflictSchema),
  errors: array(changeErrorSchema),
})

export interface PullRequest {
  cursor: string | null
  batchSize: number
  collections?: string[]
}
export const pullRequestSchema: Check<PullRequest> = object<PullRequest>({
  cursor: nullable(string()),
  batchSize: number({ int: true, min: 1 }),
  collections: optional(array(string({ min: 1 }))),
})

export interface PulledChange {
  id: string
  collection: string
  recordId: string
  type: ChangeType
  data: RecordData | null
  timestamp: number
}
export const pulledChangeSchema: Check<PulledChange> = object<PulledChange>({
  id: string(),
  collection: string({ min: 1 }),
  // Servers keyed by integers send them as numbers; locally every record id is its string form.
  recordId: union<string>(
    [string({ min: 1 }), refine(number(), (id) => ({ value: String(id) }))],
    'expected a non-empty string or a number',
  ),
  type: changeTypeSchema,
  data: nullable(recordDataSchema),
  timestamp: timestampSchema,
})

export interface PullResult {
  changes: PulledChange[]
  cursor: string | null
  hasMore: boolean
  /** Optional: how many changes for this user and these collections come after this page (for progress). */
  remaining?: number
}
function pullAnswer(change: Check<PulledChange>): Check<PullResult> {
  return object<PullResult>({
    changes: array(change),
    cursor: nullable(string()),
    hasMore: boolean,
    remaining: optional(number({ int: true, min: 0 })),
  })
}
export const pullResultSchema: Check<PullResult> = pullAnswer(pulledChangeSchema)

/** A pulled change left as it came, for the client to check on its own. */
const uncheckedChange: Check<PulledChange> = check((input) => input as PulledChange)

/**
 * A pull answer whose changes are not checked yet: the client checks each one with `pulledChangeSchema`
 * and skips (and reports) an unusable one, so one bad change cannot fail its page and stall the cursor.
 */
export const pullPageSchema: Check<PullResult> = pullAnswer(uncheckedChange)

function parseOrThrow<T>(schema: Check<T>, what: string, input: unknown): T {
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

/** Checks a pull answer's page fields only; each change is checked on its own by the client's pull. */
export function validatePullPage(input: unknown): PullResult {
  return parseOrThrow(pullPageSchema, 'pull answer', input)
}
