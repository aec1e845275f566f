import { type Change, changeSchema, type RecordData } from '@driftless/core/wire'
import { z } from 'zod'
import { HttpError } from './httpError.js'
import { describeIssues } from './issues.js'
import { unstorableText } from './storableText.js'

/** A validator for one collection's records; a change whose `data` fails it is refused. */
export type RecordValidator = z.ZodType<unknown, RecordData>

export interface PushRules {
  maxChanges: number
  /** Per-collection validators of `data` for creates and updates. */
  collections?: Readonly<Record<string, RecordValidator>> | undefined
  /** When set, changes to any other collection are refused. */
  allowedCollections?: readonly string[] | undefined
}

export interface ValidatedPush {
  changes: Change[]
  errors: { id: string; error: string }[]
}

/**
 * Splits a push body into the changes to apply and per-change errors. Only a body that is not
 * `{ changes: [...] }`, has too many changes, or a change without a string `id` fails as a whole.
 */
export function validatePushRequest(body: unknown, rules: PushRules): ValidatedPush {
  const sent = (body as { changes?: unknown } | null)?.changes
  // Said machine-readably, so a client sends batches of this size next instead of guessing by halving.
  if (Array.isArray(sent) && sent.length > rules.maxChanges) {
    throw new HttpError(
      413,
      `The push has ${sent.length} changes; this server accepts at most ${rules.maxChanges} per push. Send batches of ${rules.maxChanges} or fewer.`,
      { code: 'batch-too-large', details: { maxBatchSize: rules.maxChanges } },
    )
  }
  const envelope = z.object({ changes: z.array(z.looseObject({ id: z.string() })) }).safeParse(body)
  if (!envelope.success)
    throw new HttpError(400, `Invalid push request: ${describeIssues(envelope.error.issues)}`)
  const validated: ValidatedPush = { changes: [], errors: [] }
  envelope.data.changes.forEach((raw, index) => {
    const outcome = checkChange(raw, index, rules)
    if (typeof outcome === 'string') validated.errors.push({ id: raw.id, error: outcome })
    else validated.changes.push(outcome)
  })
  return validated
}

// Other clients of the contract may send ISO-8601 timestamps; they are stored as epoch milliseconds.
const isoTimestamp = z.iso.datetime({ offset: true })

function withEpochTimestamp(raw: Record<string, unknown>): Record<string, unknown> | string {
  const { timestamp } = raw
  if (typeof timestamp !== 'string') return raw
  if (!isoTimestamp.safeParse(timestamp).success) {
    return `timestamp: ${JSON.stringify(timestamp)} is neither epoch milliseconds nor an ISO-8601 date-time with an offset (e.g. 2027-01-15T08:00:00Z)`
  }
  return { ...raw, timestamp: Date.parse(timestamp) }
}

function checkChange(raw: Record<string, unknown>, index: number, rules: PushRules): Change | string {
  const normalized = withEpochTimestamp(raw)
  if (typeof normalized === 'string') return normalized
  const parsed = changeSchema.safeParse(normalized)
  if (!parsed.success) return `Invalid change: ${describeIssues(parsed.error.issues, ['changes', index])}`
  // The record as sent, not as the schema rebuilt it: a field named `__proto__` is data like any other.
  const change: Change = {
    ...parsed.data,
    data: raw.data as RecordData | null,
    ...(parsed.data.prevData === undefined ? {} : { prevData: raw.prevData as RecordData | null }),
  }
  for (const field of ['id', 'collection', 'recordId', 'data', 'prevData'] as const) {
    const unstorable = unstorableText(change[field], field)
    if (unstorable) return unstorable
  }
  const allowed = rules.allowedCollections
  if (allowed && !allowed.includes(change.collection)) {
    return `collection: "${change.collection}" is not a collection this server syncs (${allowed.join(', ')})`
  }
  if (change.type === 'delete') return { ...change, data: null }
  if (change.data === null) return `data: a ${change.type} needs the record's data, got null`
  const validator = rules.collections?.[change.collection]
  if (validator) {
    const checked = validator.safeParse(change.data)
    if (!checked.success) {
      return `Invalid ${change.collection} record ${JSON.stringify(change.recordId)}: ${describeIssues(checked.error.issues, ['data'])}`
    }
  }
  return change
}
