import { runUncaptured } from '../capture/capture.js'
import { OUTBOX_TABLE, type OutboxEntry } from '../capture/outbox.js'
import { InvalidResponseError, UnusableChangeError } from '../shared/errors.js'
import type { PulledChange } from '../wire.js'
import { type ConflictResolution, differingFields, resolveConflict, type SyncConflict } from './conflicts.js'
import { currentGeneration, findEcho, forgetGeneration, forgetThrough, readEchoes } from './echoes.js'
import {
  after,
  type EngineContext,
  outboxHighWater,
  readKnownVersion,
  readLocalRow,
  writeKnownVersion,
  writeLocalRow,
} from './engine.js'

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
  conflict: SyncConflict | null
  resolution: ConflictResolution | null
}

/** Pages through the server's changes and applies them without capturing them. */
export class PullLoop {
  constructor(private readonly ctx: EngineContext) {}

  /** Pulls until `hasMore` is false; returns how many changes were applied. */
  async pullAll(signal: AbortSignal): Promise<number> {
    const { ctx } = this
    let cursor = ((await ctx.outbox.getMeta(CURSOR_KEY)) as string | undefined) ?? null
    const generation = await currentGeneration(ctx)
    let applied = 0
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
      applied += await this.applyPage(page.changes, cursor, nextCursor, page.hasMore ? null : generation)
      ctx.emit({ phase: 'pull', at: ctx.env.now(), changes: page.changes.length, hasMore: page.hasMore })
      cursor = nextCursor
      if (!page.hasMore) return applied
    }
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
    const settled: Decision[] = []
    const unknown = new Set<string>()
    await runUncaptured(ctx.db, [...ctx.tables.keys()], async () => {
      const seenAtSeq = await outboxHighWater(ctx)
      const since = (await ctx.outbox.getMeta<AppliedSinceCursor>(APPLIED_KEY)) ?? { cursor: null, ids: [] }
      // Changes a server sends again from a cursor that did not move are ones we applied already.
      const appliedIds = new Set(since.cursor === cursor ? since.ids : [])
      for (const decision of decisions) {
        const { change } = decision
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
        const resolution = decision.conflict ? decision.resolution! : 'local'
        // Awaiting an async call that touches no table would let this transaction commit early.
        if (needsSettling(change, pending, resolution)) await this.settle(change, pending, resolution)
        if (decision.conflict) settled.push(decision)
      }
      if (nextCursor !== null) await ctx.outbox.setMeta(CURSOR_KEY, nextCursor)
      const kept = nextCursor === cursor ? [...appliedIds] : []
      await ctx.outbox.setMeta(APPLIED_KEY, { cursor: nextCursor, ids: kept } satisfies AppliedSinceCursor)
      if (completes !== null) await forgetGeneration(ctx, completes)
    })
    for (const collection of unknown) this.reportUnknownCollection(collection)
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
    if (!ctx.tables.has(change.collection)) return { change, conflict: null, resolution: null }
    const pending = await ctx.outbox.entriesFor(change.collection, change.recordId)
    if (pending.length === 0) return { change, conflict: null, resolution: null }
    // A change already applied, or the echo of one this device pushed or settled against, is no conflict.
    const known = await readKnownVersion(ctx, change.collection, change.recordId)
    if (known?.changeId === change.id) return { change, conflict: null, resolution: null }
    if (findEcho(await readEchoes(ctx, change.collection, change.recordId), change) >= 0) {
      return { change, conflict: null, resolution: null }
    }
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
