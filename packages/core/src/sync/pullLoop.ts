import { runUncaptured } from '../capture/capture.js'
import type { OutboxEntry } from '../capture/outbox.js'
import { InvalidResponseError } from '../shared/errors.js'
import type { PulledChange } from '../wire.js'
import type { ConflictResolution } from './conflicts.js'
import type { EngineContext } from './engineContext.js'
import { isKnownChange, readKnownVersion, writeKnownVersion } from './knownVersions.js'
import { writeLocalRow } from './localRows.js'
import { conflictEvent, judge, type ServerVersion, settle, type Verdict } from './settlement.js'

export const CURSOR_KEY = 'pull:cursor'

interface Decision {
  change: PulledChange
  /** null: no local edit stands in the way, or the change is one we already have. */
  verdict: Verdict | null
}

/** Pages through the server's changes and applies them without capturing them. */
export class PullLoop {
  constructor(private readonly ctx: EngineContext) {}

  /** Pulls until `hasMore` is false; returns how many changes were applied. */
  async pullAll(signal: AbortSignal): Promise<number> {
    const { ctx } = this
    let cursor = ((await ctx.outbox.getMeta(CURSOR_KEY)) as string | undefined) ?? null
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
      // A server that ends with `cursor: null` (as simple servers do) keeps our place.
      const nextCursor = page.cursor ?? cursor
      if (page.hasMore && (nextCursor === null || nextCursor === cursor)) {
        throw new InvalidResponseError('pull answer', 'hasMore is true but the cursor did not advance')
      }
      signal.throwIfAborted()
      applied += await this.applyPage(page.changes, nextCursor)
      ctx.emit({ phase: 'pull', at: ctx.env.now(), changes: page.changes.length, hasMore: page.hasMore })
      cursor = nextCursor
      if (!page.hasMore) return applied
    }
  }

  private async applyPage(changes: readonly PulledChange[], cursor: string | null): Promise<number> {
    const { ctx } = this
    for (const change of changes) ctx.clock.observe(change.timestamp)
    const decisions = await Promise.all(changes.map((change) => this.decide(change)))
    let applied = 0
    const settled: Verdict[] = []
    await runUncaptured(ctx.db, [...ctx.tables.keys()], async () => {
      const seenAtSeq = await ctx.outbox.highWater()
      for (const { change, verdict } of decisions) {
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
        const resolution = verdict?.resolution ?? 'local'
        // Awaiting an async call that touches no table would let this transaction commit early.
        if (needsSettling(change, pending, resolution)) {
          await settle(ctx, serverVersion(change), pending, [], resolution)
        }
        if (verdict) settled.push(verdict)
      }
      if (cursor !== null) await ctx.outbox.setMeta(CURSOR_KEY, cursor)
    })
    for (const verdict of settled) ctx.emit(conflictEvent(ctx.env.now(), verdict, null))
    return applied
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
