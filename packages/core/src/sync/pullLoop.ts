import { runUncaptured } from '../capture/capture.js'
import { OUTBOX_TABLE, type OutboxEntry } from '../capture/outbox.js'
import { InvalidResponseError } from '../shared/errors.js'
import { downloadProgressAfterPage, type TransferProgress } from '../shared/progress.js'
import type { PulledChange } from '../wire.js'
import { type ConflictResolution, differingFields, resolveConflict, type SyncConflict } from './conflicts.js'
import {
  after,
  type EngineContext,
  isKnownChange,
  outboxHighWater,
  readKnownVersion,
  readLocalRow,
  writeKnownVersion,
  writeLocalRow,
} from './engine.js'

export const CURSOR_KEY = 'pull:cursor'

interface Decision {
  change: PulledChange
  /** null: no local edit stands in the way, or the change is one we already have. */
  conflict: SyncConflict | null
  resolution: ConflictResolution | null
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
      const page = await ctx.withTransport((transport, context) =>
        transport.pull(request, { ...context, signal }),
      )
      // A server that ends with `cursor: null` (as the seed's example does) keeps our place.
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

  private async applyPage(changes: readonly PulledChange[], cursor: string | null): Promise<number> {
    const { ctx } = this
    for (const change of changes) ctx.clock.observe(change.timestamp)
    const decisions = await Promise.all(changes.map((change) => this.decide(change)))
    let applied = 0
    const settled: Decision[] = []
    await runUncaptured(ctx.db, [...ctx.tables.keys()], async () => {
      const seenAtSeq = await outboxHighWater(ctx)
      for (const decision of decisions) {
        const { change } = decision
        if (!ctx.tables.has(change.collection)) continue
        if (isKnownChange(await readKnownVersion(ctx, change.collection, change.recordId), change)) continue
        const pending = await ctx.outbox.entriesFor(change.collection, change.recordId)
        await writeKnownVersion(ctx, change.collection, change.recordId, {
          timestamp: change.timestamp,
          changeId: change.id,
          seenAtSeq,
        })
        applied++
        if (pending.length === 0) {
          await writeLocalRow(ctx, change.collection, change.recordId, change.data)
          continue
        }
        // A local edit arrived after the decision was made: keep it; its push settles the rest.
        const resolution = decision.conflict ? decision.resolution! : 'local'
        // Awaiting an async call that touches no table would let this transaction commit early.
        if (needsSettling(change, pending, resolution)) await this.settle(change, pending, resolution)
        if (decision.conflict) settled.push(decision)
      }
      if (cursor !== null) await ctx.outbox.setMeta(CURSOR_KEY, cursor)
    })
    for (const { conflict, resolution } of settled) {
      ctx.emit({
        phase: 'conflict',
        at: ctx.env.now(),
        source: 'pull',
        collection: conflict!.collection,
        recordId: conflict!.recordId,
        changeId: null,
        resolution: typeof resolution === 'string' ? resolution! : 'merged',
        fieldConflicts: [...conflict!.fieldConflicts],
      })
    }
    return applied
  }

  /** Outside the transaction (a custom resolver may be async): is there a local edit, and who wins? */
  private async decide(change: PulledChange): Promise<Decision> {
    const { ctx } = this
    if (!ctx.tables.has(change.collection)) return { change, conflict: null, resolution: null }
    const pending = await ctx.outbox.entriesFor(change.collection, change.recordId)
    if (pending.length === 0) return { change, conflict: null, resolution: null }
    // An echo of our own accepted change, or a change already applied, is no conflict.
    const known = await readKnownVersion(ctx, change.collection, change.recordId)
    if (isKnownChange(known, change)) return { change, conflict: null, resolution: null }
    const local = await readLocalRow(ctx, change.collection, change.recordId)
    const conflict: SyncConflict = {
      source: 'pull',
      collection: change.collection,
      recordId: change.recordId,
      local,
      remote: change.data,
      localTimestamp: Math.max(...pending.map((entry) => entry.timestamp)),
      remoteTimestamp: change.timestamp,
      fieldConflicts: differingFields(local, change.data),
    }
    const resolution = await resolveConflict(ctx.options.strategy, conflict, ctx.options.resolveConflict)
    return { change, conflict, resolution }
  }

  private async settle(
    change: PulledChange,
    pending: readonly OutboxEntry[],
    resolution: ConflictResolution,
  ): Promise<void> {
    const { ctx } = this
    const outbox = ctx.db.table(OUTBOX_TABLE)
    const last = pending[pending.length - 1]!
    if (resolution === 'remote') {
      await outbox.bulkDelete(pending.map((entry) => entry.seq))
      await writeLocalRow(ctx, change.collection, change.recordId, change.data)
      return
    }
    if (resolution === 'local') {
      // Re-stamp the local edits, oldest first, so each outranks the server's version when pushed.
      for (const entry of pending) {
        await outbox.update(entry.seq, {
          timestamp: after(ctx, change.timestamp),
          ...(entry === last ? { prevData: change.data } : {}),
        })
      }
      return
    }
    const merged = resolution.merged
    await writeLocalRow(ctx, change.collection, change.recordId, merged)
    await outbox.bulkDelete(pending.slice(0, -1).map((entry) => entry.seq))
    await outbox.update(last.seq, {
      type: merged === null ? 'delete' : change.data === null ? 'create' : 'update',
      data: merged,
      prevData: change.data,
      timestamp: after(ctx, change.timestamp),
      status: 'pending',
      retries: 0,
      errorMessage: null,
    })
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
