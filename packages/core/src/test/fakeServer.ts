/**
 * An in-memory backend speaking the wire contract, as a `FetchLike`, for tests of the upload and pull
 * loops: last-writer-wins conflicts, idempotent change ids, per-change errors, a numeric pull cursor,
 * and scripted failures. Not part of the public API.
 */
import type { FetchLike } from '../shared/env.js'
import { formatIssues } from '../shared/errors.js'
import {
  type Change,
  type ChangeType,
  isLaterVersion,
  type PulledChange,
  type PullResult,
  type PushConflict,
  type PushResult,
  pullRequestSchema,
  pushRequestSchema,
  type RecordData,
} from '../wire.js'

export interface FakeServerOptions {
  /** The server's clock, for `serverTimestamp`; defaults to `Date.now` (so fake timers drive it). */
  now?: () => number
  /** Returns an error text to reject one change in a 2xx answer, or undefined to let it through. */
  rejectChange?: (change: Change) => string | undefined
  /** Answer `serverTimestamp` as epoch milliseconds (default) or, like the seed's example server, ISO strings. */
  serverTimestamps?: 'number' | 'iso'
  /** Say in each pull answer how many changes follow the page (the optional `remaining`). */
  countRemaining?: boolean
}

/**
 * How the next request fails: an HTTP status (with `{ error }` JSON), `'network'` (fetch rejects),
 * `'timeout-hang'` (never answers; rejects only when the request's signal aborts), or `'lost-response'`
 * (the server applies the request, then the answer is lost to a network error).
 */
export type ScriptedFailure = number | 'network' | 'timeout-hang' | 'lost-response'

export interface RecordedRequest {
  /** The URL path, e.g. `/sync/push`. */
  path: string
  /** The parsed JSON body, or the raw text if it was not JSON. */
  body: unknown
  /** Lower-case header names. */
  headers: Record<string, string>
}

export interface StoredRecord {
  collection: string
  recordId: string
  /** Null once deleted. */
  data: RecordData | null
  /** The timestamp of the change that wrote it; LWW compares against this. */
  timestamp: number
  /** The change that wrote it; breaks a timestamp tie. */
  changeId: string
}

interface LoggedChange extends PulledChange {
  seq: number
  timestamp: number
}

type Script =
  | { kind: 'fail'; failure: ScriptedFailure; retryAfter?: string | number }
  | { kind: 'respond'; body: unknown; status: number }

export class FakeSyncServer {
  /** Every request that reached the fake, in order, including ones it was scripted to fail. */
  readonly requests: RecordedRequest[] = []
  /** Ids of every change in every push the server processed, in order; a repeat means a double push. */
  readonly pushedChangeIds: string[] = []
  rejectChange: ((change: Change) => string | undefined) | undefined

  private readonly store = new Map<string, StoredRecord>()
  private readonly log: LoggedChange[] = []
  private readonly accepted = new Map<string, number>()
  private readonly script: Script[] = []
  private requiredToken: string | undefined
  private readonly now: () => number
  private readonly isoTimestamps: boolean
  private readonly countRemaining: boolean

  constructor(options: FakeServerOptions = {}) {
    this.now = options.now ?? (() => Date.now())
    this.isoTimestamps = options.serverTimestamps === 'iso'
    this.countRemaining = options.countRemaining ?? false
    this.rejectChange = options.rejectChange
  }

  /** Pass this as the environment's `fetch`. */
  readonly fetch: FetchLike = (input, init) => this.handle(input, init)

  /** The next `count` requests fail as described. */
  failNext(count: number, failure: ScriptedFailure, options: { retryAfter?: string | number } = {}): this {
    for (let i = 0; i < count; i++)
      this.script.push({ kind: 'fail', failure, retryAfter: options.retryAfter })
    return this
  }

  /** The next request gets this body (a string is sent as is, anything else as JSON), applied nowhere. */
  respondNext(body: unknown, options: { status?: number } = {}): this {
    this.script.push({ kind: 'respond', body, status: options.status ?? 200 })
    return this
  }

  /** From now on, requests without `Authorization: Bearer <token>` get a 401; undefined lifts it. */
  requireToken(token: string | undefined): this {
    this.requiredToken = token
    return this
  }

  /** A write made on the server (another device): stored, and pulled by every client. */
  write(
    collection: string,
    recordId: string,
    data: RecordData | null,
    timestamp = this.now(),
    id = `server-${this.log.length + 1}`,
  ): PulledChange {
    const previous = this.store.get(key(collection, recordId))
    const type: ChangeType =
      data === null ? 'delete' : previous && previous.data !== null ? 'update' : 'create'
    return this.apply({ id, collection, recordId, type, data, timestamp })
  }

  /** The stored record, deleted ones included (with `data: null`). */
  get(collection: string, recordId: string): StoredRecord | undefined {
    return this.store.get(key(collection, recordId))
  }

  /** Every stored record, deleted ones included. */
  records(): StoredRecord[] {
    return [...this.store.values()]
  }

  /** The ids of every stored record (tombstones included), sorted. */
  recordIds(): string[] {
    return this.records()
      .map((record) => record.recordId)
      .sort()
  }

  /** Every applied change, in cursor order. */
  get changes(): readonly PulledChange[] {
    return this.log.map(({ seq: _seq, ...change }) => change)
  }

  private async handle(input: string, init: RequestInit): Promise<Response> {
    const path = new URL(input, 'http://fake.invalid').pathname
    const headers = Object.fromEntries(new Headers(init.headers).entries())
    const text = typeof init.body === 'string' ? init.body : ''
    const body = parseJson(text)
    this.requests.push({ path, body: body.ok ? body.value : text, headers })

    const scripted = this.script.shift()
    if (scripted?.kind === 'respond') {
      const raw = typeof scripted.body === 'string' ? scripted.body : JSON.stringify(scripted.body)
      return new Response(raw, { status: scripted.status })
    }
    if (scripted?.kind === 'fail') {
      const { failure, retryAfter } = scripted
      if (failure === 'network') throw new TypeError('fetch failed')
      if (failure === 'timeout-hang') return hangUntilAborted(init.signal)
      if (typeof failure === 'number') {
        const extra: Record<string, string> =
          retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) }
        return json({ error: `scripted HTTP ${failure}` }, failure, extra)
      }
    }
    const response = this.answer(path, init, headers, body)
    if (scripted?.kind === 'fail' && scripted.failure === 'lost-response') throw new TypeError('fetch failed')
    return response
  }

  private answer(
    path: string,
    init: RequestInit,
    headers: Record<string, string>,
    body: { ok: true; value: unknown } | { ok: false },
  ): Response {
    const endpoint = path.split('/').pop()
    if (endpoint !== 'push' && endpoint !== 'pull') return json({ error: `no route for ${path}` }, 404)
    if (init.method !== 'POST') return json({ error: `${endpoint} takes POST` }, 405)
    if (this.requiredToken !== undefined && headers.authorization !== `Bearer ${this.requiredToken}`) {
      return json({ error: 'missing or invalid token' }, 401)
    }
    if (!body.ok) return json({ error: 'the body is not JSON' }, 400)
    if (endpoint === 'push') {
      const request = pushRequestSchema.safeParse(body.value)
      if (!request.success) return json({ error: formatIssues(request.error.issues) }, 400)
      return json(this.push(request.data.changes), 200)
    }
    const request = pullRequestSchema.safeParse(body.value)
    if (!request.success) return json({ error: formatIssues(request.error.issues) }, 400)
    const after = request.data.cursor === null ? 0 : Number(request.data.cursor)
    if (!Number.isInteger(after) || after < 0) return json({ error: 'unknown cursor' }, 400)
    return json(this.pull(after, request.data.batchSize, request.data.collections), 200)
  }

  private push(changes: Change[]): unknown {
    const result: PushResult = { accepted: [], conflicts: [], errors: [] }
    for (const change of changes) {
      this.pushedChangeIds.push(change.id)
      const seenAt = this.accepted.get(change.id)
      if (seenAt !== undefined) {
        result.accepted.push({ id: change.id, serverTimestamp: seenAt })
        continue
      }
      const rejection = this.rejectChange?.(change)
      if (rejection !== undefined) {
        result.errors.push({ id: change.id, error: rejection })
        continue
      }
      const stored = this.store.get(key(change.collection, change.recordId))
      if (stored && isLaterVersion(stored, { timestamp: change.timestamp, changeId: change.id })) {
        result.conflicts.push(conflict(change, stored))
        continue
      }
      this.apply(change)
      const serverTimestamp = this.now()
      this.accepted.set(change.id, serverTimestamp)
      result.accepted.push({ id: change.id, serverTimestamp })
    }
    if (!this.isoTimestamps) return result
    const iso = (ms: number) => new Date(ms).toISOString()
    return {
      ...result,
      accepted: result.accepted.map((a) => ({ ...a, serverTimestamp: iso(a.serverTimestamp) })),
      conflicts: result.conflicts.map((c) => ({
        ...c,
        localTimestamp: iso(c.localTimestamp),
        remoteTimestamp: iso(c.remoteTimestamp),
      })),
    }
  }

  private pull(after: number, batchSize: number, collections: string[] | undefined): PullResult {
    const matching = this.log.filter(
      (entry) => entry.seq > after && (!collections || collections.includes(entry.collection)),
    )
    const page = matching.slice(0, batchSize)
    const last = page.at(-1)
    return {
      changes: page.map(({ seq: _seq, ...change }) => change),
      cursor: last ? String(last.seq) : after === 0 ? null : String(after),
      hasMore: matching.length > page.length,
      ...(this.countRemaining ? { remaining: matching.length - page.length } : {}),
    }
  }

  private apply(change: Omit<Change, 'prevData'>): PulledChange {
    const { id, collection, recordId, type, timestamp } = change
    const data = type === 'delete' ? null : change.data
    this.store.set(key(collection, recordId), { collection, recordId, data, timestamp, changeId: id })
    const entry: LoggedChange = { seq: this.log.length + 1, id, collection, recordId, type, data, timestamp }
    this.log.push(entry)
    const { seq: _seq, ...pulled } = entry
    return pulled
  }
}

function conflict(change: Change, stored: StoredRecord): PushConflict {
  const local = change.data
  const remote = stored.data
  const fields = new Set([...Object.keys(local ?? {}), ...Object.keys(remote ?? {})])
  const fieldConflicts = [...fields].filter(
    (field) => JSON.stringify(local?.[field]) !== JSON.stringify(remote?.[field]),
  )
  return {
    changeId: change.id,
    recordId: change.recordId,
    collection: change.collection,
    local,
    remote,
    localTimestamp: change.timestamp,
    remoteTimestamp: stored.timestamp,
    fieldConflicts,
  }
}

function key(collection: string, recordId: string): string {
  return `${collection}\u0000${recordId}`
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch {
    return { ok: false }
  }
}

function json(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })
}

function hangUntilAborted(signal: AbortSignal | null | undefined): Promise<Response> {
  return new Promise((_, reject) => {
    if (signal?.aborted) reject(signal.reason)
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true })
  })
}
