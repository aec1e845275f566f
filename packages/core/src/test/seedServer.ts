/**
 * A second backend for tests, written from the server pseudocode of the sync-engine spec rather than from
 * our own server: it restamps every stored change with its own id and its own clock, answers timestamps as
 * ISO-8601 strings, never dedupes a replayed change id, takes `cursor` and `batchSize` as optional (POST
 * body or GET query) and ends its last page with `cursor: null`. As a `FetchLike`; not part of the public API.
 */
import type { FetchLike } from '../shared/env.js'
import type { RecordData } from '../wire.js'

export interface SeedServerOptions {
  /** The wall clock this server adds its offset to; defaults to `Date.now` (so fake timers drive it). */
  now?: () => number
  /** How far this server's clock runs ahead of `now` (negative: behind), milliseconds. */
  offsetMs?: number
}

/** A change as this server logs and serves it: its own id and timestamp. */
export interface SeedChange {
  id: string
  collection: string
  recordId: string
  type: 'create' | 'update' | 'delete'
  data: RecordData | null
  /** ISO-8601, this server's clock when it stored the change. */
  timestamp: string
}

interface StoredRow {
  data: RecordData | null
  updatedAt: number
}

interface IncomingChange {
  id: string
  collection: string
  recordId: string
  type: 'create' | 'update' | 'delete'
  data: RecordData | null
  timestamp: number | string
}

export class SeedServer {
  /** How far this server's clock runs ahead of the wall clock; tests may move it at any time. */
  offsetMs: number
  /** Every change id every push carried, in order (this server applies a replayed id again). */
  readonly pushedChangeIds: string[] = []

  private readonly wallClock: () => number
  private readonly rows = new Map<string, StoredRow & { collection: string; recordId: string }>()
  private readonly log: unknown[] = []
  private nextId = 1

  constructor(options: SeedServerOptions = {}) {
    this.wallClock = options.now ?? (() => Date.now())
    this.offsetMs = options.offsetMs ?? 0
  }

  /** Pass this as the environment's `fetch`, or serve it over HTTP. */
  readonly fetch: FetchLike = async (input, init) => {
    const url = new URL(input, 'http://seed.invalid')
    const endpoint = url.pathname.split('/').pop()
    const method = init.method ?? 'GET'
    const body = typeof init.body === 'string' && init.body !== '' ? (JSON.parse(init.body) as unknown) : {}
    if (endpoint === 'push' && method === 'POST')
      return json(this.push(body as { changes: IncomingChange[] }))
    if (endpoint === 'pull' && (method === 'POST' || method === 'GET')) {
      const query = url.searchParams
      const request =
        method === 'GET'
          ? {
              cursor: query.get('cursor') ?? undefined,
              batchSize: query.has('batchSize') ? Number(query.get('batchSize')) : undefined,
            }
          : (body as { cursor?: string | null; batchSize?: number })
      return json(this.pull(request))
    }
    return json({ error: `no route for ${method} ${url.pathname}` }, 404)
  }

  /** This server's clock now, epoch milliseconds. */
  now(): number {
    return this.wallClock() + this.offsetMs
  }

  /** A write by some other client, stored as a push from it would be. */
  write(collection: string, recordId: string, data: RecordData | null): void {
    const type = data === null ? 'delete' : this.rows.get(key(collection, recordId)) ? 'update' : 'create'
    this.applyChange({ id: 'other', collection, recordId, type, data, timestamp: this.now() })
  }

  /** Appends an arbitrary object to the change log, as a buggy or foreign writer might. */
  appendRaw(change: Record<string, unknown>): void {
    this.log.push({ id: this.newId(), ...change })
  }

  /** The stored rows that are not deleted, by collection and record id. */
  records(): { collection: string; recordId: string; data: RecordData }[] {
    return [...this.rows.values()]
      .filter((row) => row.data !== null)
      .map(({ collection, recordId, data }) => ({ collection, recordId, data: data! }))
  }

  /** Every logged change, in cursor order. */
  get changes(): readonly SeedChange[] {
    return this.log as SeedChange[]
  }

  private push({ changes }: { changes: IncomingChange[] }) {
    const accepted: { id: string; serverTimestamp: string }[] = []
    const conflicts: unknown[] = []
    for (const change of changes) {
      this.pushedChangeIds.push(change.id)
      const latest = this.rows.get(key(change.collection, change.recordId))
      if (latest && latest.updatedAt > toMs(change.timestamp)) {
        conflicts.push({
          changeId: change.id,
          recordId: change.recordId,
          collection: change.collection,
          local: change.data,
          remote: latest.data,
          localTimestamp: iso(toMs(change.timestamp)),
          remoteTimestamp: iso(latest.updatedAt),
          fieldConflicts: findConflictingFields(change.data, latest.data),
        })
      } else {
        this.applyChange(change)
        accepted.push({ id: change.id, serverTimestamp: iso(this.now()) })
      }
    }
    return { accepted, conflicts, errors: [] }
  }

  private pull({
    cursor,
    batchSize = 100,
  }: {
    cursor?: string | null | undefined
    batchSize?: number | undefined
  }) {
    const start = cursor ? this.log.findIndex((change) => (change as { id: string }).id === cursor) + 1 : 0
    const changes = this.log.slice(start, start + batchSize)
    const full = changes.length === batchSize
    return {
      changes,
      cursor: full ? (changes[changes.length - 1] as { id: string }).id : null,
      hasMore: full,
    }
  }

  private applyChange(change: IncomingChange): void {
    const updatedAt = this.now()
    const data = change.type === 'delete' ? null : change.data
    const { collection, recordId, type } = change
    this.rows.set(key(collection, recordId), { collection, recordId, data, updatedAt })
    const logged: SeedChange = {
      id: this.newId(),
      collection,
      recordId,
      type,
      data,
      timestamp: iso(updatedAt),
    }
    this.log.push(logged)
  }

  private newId(): string {
    return `seed-${String(this.nextId++).padStart(8, '0')}`
  }
}

function findConflictingFields(local: RecordData | null, remote: RecordData | null): string[] {
  const fields = new Set([...Object.keys(local ?? {}), ...Object.keys(remote ?? {})])
  return [...fields].filter((field) => JSON.stringify(local?.[field]) !== JSON.stringify(remote?.[field]))
}

function toMs(timestamp: number | string): number {
  return typeof timestamp === 'number' ? timestamp : Date.parse(timestamp)
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}

function key(collection: string, recordId: string): string {
  return `${collection}\u0000${recordId}`
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
}
