import { runUncaptured } from '../capture/capture.js'
import { META_TABLE, type OutboxEntry } from '../capture/outbox.js'
import {
  InvalidResponseError,
  PullPageLimitError,
  TransportError,
  UnusableChangeError,
} from '../shared/errors.js'
import { downloadProgressAfterPage, type TransferProgress } from '../shared/progress.js'
import type { PulledChange, PullResult } from '../wire.js'
import type { ConflictResolution } from './conflicts.js'
import { currentGeneration, findEcho, forgetGeneration, forgetThrough, readEchoes } from './echoes.js'
import type { EngineContext } from './engineContext.js'
import { forgetKnownVersions, readKnownVersion, writeKnownVersion } from './knownVersions.js'
import { writeLocalRow } from './localRows.js'
import { conflictEvent, judge, type ServerVersion, settle, type Verdict } from './settlement.js'

export const CURSOR_KEY = 'pull:cursor'
/** Ids of the changes applied since the stored cursor, for servers that end a page without moving it. */
const APPLIED_KEY = 'pull:applied'

interface AppliedSinceCursor {
  cursor: string | null
  ids: string[]
}

interface Decision {
  change: PulledChange
  /** null: no local edit stands in the way, or the change is one we already have. */
  verdict: Verdict | null
}

/** Pages through the server's changes and applies them without capturing them. */
export class PullLoop {
  constructor(private readonly ctx: EngineContext) {}

  /**
   * Pulls until `hasMore` is false, or for `maxPullPagesPerRound` pages, so a long (or endless) backlog
   * never holds uploads back: `more` says the next round goes on from the stored cursor, and `unended` is
   * the reported error when the server gave no sign of an end. While more pages follow (a catch-up),
   * `progress` hears how far it has come after each applied page.
   */
  async pullAll(
    signal: AbortSignal,
    progress?: (progress: TransferProgress) => void,
  ): Promise<{ applied: number; more: boolean; unended: PullPageLimitError | null }> {
    const { ctx } = this
    let cursor = ((await ctx.outbox.getMeta(CURSOR_KEY)) as string | undefined) ?? null
    const generation = await currentGeneration(ctx)
    let applied = 0
    let received = 0
    let pages = 0
    /** What remained before this round's first page, when the server says. */
    let remainingBefore: number | undefined
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
      applied += await this.applyPage(page.changes, cursor, nextCursor, page.hasMore ? null : generation)
      received += page.changes.length
      ctx.emit({
        phase: 'pull',
        at: ctx.env.now(),
        changes: page.changes.length,
        hasMore: page.hasMore,
        ...(page.remaining === undefined ? {} : { remaining: page.remaining }),
      })
      cursor = nextCursor
      if (!page.hasMore) return { applied, more: false, unended: null }
      progress?.(downloadProgressAfterPage(received, page.remaining))
      if (pages === 0 && page.remaining !== undefined) remainingBefore = page.remaining + page.changes.length
      if (++pages >= ctx.options.maxPullPagesPerRound) {
        // A backlog the server counts down is a long catch-up; one it does not is reported as likely endless.
        const shrinking =
          remainingBefore !== undefined && page.remaining !== undefined && page.remaining < remainingBefore
        return { applied, more: true, unended: shrinking ? null : this.reportUnended(pages, received) }
      }
    }
  }

  private reportUnended(pages: number, changes: number): PullPageLimitError {
    const { ctx } = this
    const error = new PullPageLimitError(pages, changes)
    ctx.env.logger.warn(`Driftless: ${error.message}`)
    ctx.emit({ phase: 'error', at: ctx.env.now(), stage: 'pull', error })
    return error
  }

  /**
   * The server no longer knows our cursor (its data was reset or replaced): pull everything again. Known
   * versions go too, as they describe data the server no longer has; pending edits stay queued.
   */
  private async startOver(): Promise<void> {
    const { ctx } = this
    await ctx.db.transaction('rw', META_TABLE, async () => {
      await ctx.db.table(META_TABLE).bulkDelete([CURSOR_KEY, APPLIED_KEY])
      await forgetKnownVersions(ctx)
    })
    ctx.env.logger.warn(
      "Driftless: the server no longer knows this device's pull cursor (its data was reset); pulling everything again.",
    )
    ctx.emit({ phase: 'reset', at: ctx.env.now(), reason: 'cursor-unknown' })
  }

  private async applyPage(
    changes: readonly PulledChange[],
    cursor: string | null,
    nextCursor: string | null,
    /** On the last page: the generation the pull started at, whose echoes it has now brought back. */
    completes: number | null,
  ): Promise<number> {
    const { ctx } = this
    for (const change of changes) ctx.clock.observe(change.timestamp)
    const decisions = await Promise.all(changes.map((change) => this.decide(change)))
    let applied = 0
    const settled: Verdict[] = []
    const unknown = new Set<string>()
    await runUncaptured(ctx.db, [...ctx.tables.keys()], async () => {
      const seenAtSeq = await ctx.outbox.highWater()
      const since = (await ctx.outbox.getMeta<AppliedSinceCursor>(APPLIED_KEY)) ?? { cursor: null, ids: [] }
      // Changes a server sends again from a cursor that did not move are ones we applied already.
      const appliedIds = new Set(since.cursor === cursor ? since.ids : [])
      for (const { change, verdict } of decisions) {
        if (!ctx.tables.has(change.collection)) {
          unknown.add(change.collection)
          continue
        }
        if (appliedIds.has(change.id)) continue
        appliedIds.add(change.id)
        const known = await readKnownVersion(ctx, change.collection, change.recordId)
        // The very change we pushed (a server that keeps our ids) or one applied before.
        if (known?.changeId === change.id) continue
        const pending = await ctx.outbox.entriesFor(change.collection, change.recordId)
        if (pending.length > 0) {
          const echoes = await readEchoes(ctx, change.collection, change.recordId)
          const echo = findEcho(echoes, change)
          if (echo >= 0) await forgetThrough(ctx, change.collection, change.recordId, echoes[echo]!)
        }
        await writeKnownVersion(ctx, change.collection, change.recordId, {
          timestamp: change.timestamp,
          changeId: change.id,
          seenAtSeq,
        })
        applied++
        // Nothing local stands in the way: the server's order decides, so its version is taken as it comes.
        if (pending.length === 0) {
          await writeLocalRow(ctx, change.collection, change.recordId, change.data)
          continue
        }
        // Our own echo, or a local edit that arrived after the decision was made: keep the local edits.
        const resolution = verdict?.resolution ?? 'local'
        // Awaiting an async call that touches no table would let this transaction commit early.
        if (needsSettling(change, pending, resolution)) {
          await settle(ctx, serverVersion(change), pending, [], resolution)
        }
        if (verdict) settled.push(verdict)
      }
      if (nextCursor !== null) await ctx.outbox.setMeta(CURSOR_KEY, nextCursor)
      const kept = nextCursor === cursor ? [...appliedIds] : []
      await ctx.outbox.setMeta(APPLIED_KEY, { cursor: nextCursor, ids: kept } satisfies AppliedSinceCursor)
      if (completes !== null) await forgetGeneration(ctx, completes)
    })
    for (const collection of unknown) this.reportUnknownCollection(collection)
    for (const verdict of settled) ctx.emit(conflictEvent(ctx.env.now(), verdict, null))
    return applied
  }

  /** A change to a table this client does not sync cannot be applied; saying so beats stalling the cursor. */
  private reportUnknownCollection(collection: string): void {
    const { ctx } = this
    const error = new UnusableChangeError(
      `collection "${collection}" is not one of this client's synced tables (${[...ctx.tables.keys()].join(', ')})`,
    )
    ctx.env.logger.warn(`Driftless: ${error.message}`)
    ctx.emit({ phase: 'error', at: ctx.env.now(), stage: 'pull', error })
  }

  /** Outside the transaction (a custom resolver may be async): is there a local edit, and who wins? */
  private async decide(change: PulledChange): Promise<Decision> {
    const { ctx } = this
    if (!ctx.tables.has(change.collection)) return { change, verdict: null }
    const pending = await ctx.outbox.entriesFor(change.collection, change.recordId)
    if (pending.length === 0) return { change, verdict: null }
    // A change already applied, or the echo of one this device pushed or settled against, is no conflict.
    const known = await readKnownVersion(ctx, change.collection, change.recordId)
    if (known?.changeId === change.id) return { change, verdict: null }
    if (findEcho(await readEchoes(ctx, change.collection, change.recordId), change) >= 0) {
      return { change, verdict: null }
    }
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
