import { runUncaptured } from '../capture/capture.js'
import { META_TABLE, type OutboxEntry } from '../capture/outbox.js'
import { InvalidResponseError, TransportError } from '../shared/errors.js'
import { downloadProgressAfterPage, type TransferProgress } from '../shared/progress.js'
import type { PulledChange, PullResult, RecordData } from '../wire.js'
import type { ConflictResolution } from './conflicts.js'
import type { EngineContext } from './engineContext.js'
import {
  forgetKnownVersions,
  isKnownChange,
  type KnownVersion,
  readKnownVersion,
  readKnownVersions,
  versionKey,
  writeKnownVersions,
} from './knownVersions.js'
import { writeLocalRows } from './localRows.js'
import { conflictEvent, judge, type ServerVersion, settle, type Verdict } from './settlement.js'

export const CURSOR_KEY = 'pull:cursor'

/** Changes applied per transaction: small enough that no one task holds the page's main thread for long. */
const APPLY_CHUNK = 100

interface Decision {
  change: PulledChange
  /** null: no local edit stands in the way, or the change is one we already have. */
  verdict: Verdict | null
}

/** Pages through the server's changes and applies them without capturing them. */
export class PullLoop {
  constructor(private readonly ctx: EngineContext) {}

  /**
   * Pulls until `hasMore` is false; returns how many changes were applied. While more pages follow (a
   * catch-up), `progress` hears how far it has come after each applied page.
   */
  async pullAll(signal: AbortSignal, progress?: (progress: TransferProgress) => void): Promise<number> {
    const { ctx } = this
    let cursor = ((await ctx.outbox.getMeta(CURSOR_KEY)) as string | undefined) ?? null
    let applied = 0
    let received = 0
    for (;;) {
      signal.throwIfAborted()
      const request = {
        cursor,
        batchSize: ctx.options.pullBatchSize,
        ...(ctx.options.collections ? { collections: ctx.options.collections } : {}),
      }
      let page: PullResult
      try {
        page = await ctx.withTransport((transport, context) =>
          transport.pull(request, { ...context, signal }),
        )
      } catch (error) {
        if (cursor === null || !isCursorUnknown(error)) throw error
        await this.startOver()
        cursor = null
        received = 0
        continue
      }
      // A server that ends with `cursor: null` (as simple servers do) keeps our place.
      const nextCursor = page.cursor ?? cursor
      if (page.hasMore && (nextCursor === null || nextCursor === cursor)) {
        throw new InvalidResponseError('pull answer', 'hasMore is true but the cursor did not advance')
      }
      signal.throwIfAborted()
      applied += await this.applyPage(page.changes, nextCursor)
      received += page.changes.length
      ctx.emit({
        phase: 'pull',
        at: ctx.env.now(),
        changes: page.changes.length,
        hasMore: page.hasMore,
        ...(page.remaining === undefined ? {} : { remaining: page.remaining }),
      })
      cursor = nextCursor
      if (!page.hasMore) return applied
      progress?.(downloadProgressAfterPage(received, page.remaining))
    }
  }

  /**
   * The server no longer knows our cursor (its data was reset or replaced): pull everything again. Known
   * versions go too, or changes of the new data older than them would be skipped; pending edits stay queued.
   */
  private async startOver(): Promise<void> {
    const { ctx } = this
    await ctx.db.transaction('rw', META_TABLE, async () => {
      await ctx.db.table(META_TABLE).delete(CURSOR_KEY)
      await forgetKnownVersions(ctx)
    })
    ctx.env.logger.warn(
      "Driftless: the server no longer knows this device's pull cursor (its data was reset); pulling everything again.",
    )
    ctx.emit({ phase: 'reset', at: ctx.env.now(), reason: 'cursor-unknown' })
  }

  /**
   * Applies a page in transactions of at most `APPLY_CHUNK` changes, each with bulk reads and writes, so a
   * large page never holds the page's main thread for long. The cursor moves with the last one; a chunk
   * applied again after a crash is skipped by its known versions.
   */
  private async applyPage(changes: readonly PulledChange[], cursor: string | null): Promise<number> {
    let applied = 0
    for (let start = 0; start < changes.length || start === 0; start += APPLY_CHUNK) {
      const chunk = changes.slice(start, start + APPLY_CHUNK)
      const last = start + APPLY_CHUNK >= changes.length
      applied += await this.applyChunk(chunk, last ? cursor : null)
    }
    return applied
  }

  private async applyChunk(changes: readonly PulledChange[], cursor: string | null): Promise<number> {
    const { ctx } = this
    for (const change of changes) ctx.clock.observe(change.timestamp)
    const synced = changes.filter((change) => ctx.tables.has(change.collection))
    const recordKeys = [...new Set(synced.map((change) => versionKey(change.collection, change.recordId)))]
    const withEdits = await this.recordsWithPendingEdits(synced)
    const decisions = await Promise.all(
      synced.map((change) =>
        withEdits.has(versionKey(change.collection, change.recordId))
          ? this.decide(change)
          : { change, verdict: null },
      ),
    )
    let applied = 0
    const settled: Verdict[] = []
    await runUncaptured(ctx.db, [...ctx.tables.keys()], async () => {
      const seenAtSeq = await ctx.outbox.highWater()
      const known = await readKnownVersions(ctx, recordKeys)
      // Local edits made since the decisions were taken count too.
      const editedNow = await this.recordsWithPendingEdits(synced)
      const written = new Map<string, KnownVersion>()
      const rows = new Map<string, Map<string, RecordData | null>>()
      for (const { change, verdict } of decisions) {
        const key = versionKey(change.collection, change.recordId)
        if (isKnownChange(known.get(key), change)) continue
        const version = { timestamp: change.timestamp, changeId: change.id, seenAtSeq }
        known.set(key, version)
        written.set(key, version)
        applied++
        const pending = editedNow.has(key)
          ? await ctx.outbox.entriesFor(change.collection, change.recordId)
          : []
        if (pending.length === 0) {
          const table = rows.get(change.collection) ?? new Map<string, RecordData | null>()
          rows.set(change.collection, table)
          table.set(change.recordId, change.data)
          continue
        }
        // A local edit arrived after the decision was made: keep it; its push settles the rest.
        const resolution = verdict?.resolution ?? 'local'
        // Awaiting an async call that touches no table would let this transaction commit early.
        if (needsSettling(change, pending, resolution)) {
          await settle(ctx, serverVersion(change), pending, [], resolution)
        }
        if (verdict) settled.push(verdict)
      }
      await writeKnownVersions(ctx, written)
      for (const [collection, table] of rows) await writeLocalRows(ctx, collection, table)
      if (cursor !== null) await ctx.outbox.setMeta(CURSOR_KEY, cursor)
    })
    for (const verdict of settled) ctx.emit(conflictEvent(ctx.env.now(), verdict, null))
    return applied
  }

  /** The `versionKey`s of the records among `changes` with queued local edits, in one outbox read. */
  private async recordsWithPendingEdits(changes: readonly PulledChange[]): Promise<Set<string>> {
    if (changes.length === 0) return new Set()
    const entries = await this.ctx.outbox.entriesForRecords(
      changes.map((change) => [change.collection, change.recordId] as const),
    )
    return new Set(entries.map((entry) => versionKey(entry.collection, entry.recordId)))
  }

  /** Outside the transaction (a custom resolver may be async): is there a local edit, and who wins? */
  private async decide(change: PulledChange): Promise<Decision> {
    const { ctx } = this
    if (!ctx.tables.has(change.collection)) return { change, verdict: null }
    const pending = await ctx.outbox.entriesFor(change.collection, change.recordId)
    if (pending.length === 0) return { change, verdict: null }
    // An echo of our own accepted change, or a change already applied, is no conflict.
    const known = await readKnownVersion(ctx, change.collection, change.recordId)
    if (isKnownChange(known, change)) return { change, verdict: null }
    return { change, verdict: await judge(ctx, 'pull', serverVersion(change), pending) }
  }
}

function serverVersion(change: PulledChange): ServerVersion {
  return {
    collection: change.collection,
    recordId: change.recordId,
    data: change.data,
    timestamp: change.timestamp,
    changeId: change.id,
  }
}

/** Whether the outcome needs any write: a winning local edit already newer than the server's needs none. */
function needsSettling(
  change: PulledChange,
  pending: readonly OutboxEntry[],
  resolution: ConflictResolution,
): boolean {
  if (resolution !== 'local') return true
  return pending.some((entry) => entry.timestamp <= change.timestamp)
}

/** The server's answer to a cursor it did not issue: `410 Gone` with `{ "error": "cursor-unknown" }`. */
function isCursorUnknown(error: unknown): boolean {
  return error instanceof TransportError && error.status === 410 && error.serverError === 'cursor-unknown'
}
