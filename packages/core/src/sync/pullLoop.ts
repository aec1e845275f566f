import { Dexie } from 'dexie'
import { runUncaptured } from '../capture/capture.js'
import { META_TABLE, type OutboxEntry } from '../capture/outbox.js'
import {
  InvalidResponseError,
  PullPageLimitError,
  TransportError,
  type UnusableChangeError,
} from '../shared/errors.js'
import { downloadProgressAfterPage, type TransferProgress } from '../shared/progress.js'
import type { PulledChange, PullResult, RecordData } from '../wire.js'
import type { ConflictResolution } from './conflicts.js'
import { currentGeneration, findEcho, forgetGeneration, forgetThrough, readEchoes } from './echoes.js'
import type { EngineContext } from './engineContext.js'
import {
  forgetKnownVersions,
  type KnownVersion,
  readKnownVersion,
  readKnownVersions,
  versionKey,
  writeKnownVersions,
} from './knownVersions.js'
import { writeLocalRows } from './localRows.js'
import { pendingEdits } from './pendingEdits.js'
import { conflictEvent, judge, type ServerVersion, settle, type Verdict } from './settlement.js'
import { MIN_SLICE, nextSliceSize } from './sliceBudget.js'
import { type CheckedPage, checkPulledChanges } from './unusableChanges.js'

export const CURSOR_KEY = 'pull:cursor'
/** Ids of the changes applied since the stored cursor, for servers that end a page without moving it. */
const APPLIED_KEY = 'pull:applied'

/** How many pulled changes one transaction applies at most, holding the synced tables from the app's writes. */
const MAX_CHANGES_PER_TRANSACTION = 1000

interface AppliedSinceCursor {
  cursor: string | null
  ids: string[]
}

/** Pages through the server's changes and applies them without capturing them. */
export class PullLoop {
  /** Kept from page to page and round to round: how many changes one task can apply on this machine now. */
  #sliceSize = MIN_SLICE

  readonly #ctx: EngineContext

  constructor(ctx: EngineContext) {
    this.#ctx = ctx
  }

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
    const ctx = this.#ctx
    let cursor = ((await ctx.outbox.getMeta(CURSOR_KEY)) as string | undefined) ?? null
    const generation = await currentGeneration(ctx)
    let applied = 0
    let received = 0
    let pages = 0
    /** What remained before this round's first page, when the server says. */
    let remainingBefore: number | undefined
    /** Asks for the page after `from`; its failure shows where it is awaited (never, after a failed apply). */
    const fetchPage = (from: string | null) => {
      const request = {
        cursor: from,
        batchSize: ctx.options.pullBatchSize,
        ...(ctx.options.collections ? { collections: ctx.options.collections } : {}),
      }
      const page = ctx.withTransport((transport, context) => transport.pull(request, { ...context, signal }))
      page.catch(() => {})
      return page
    }
    let next = fetchPage(cursor)
    for (;;) {
      signal.throwIfAborted()
      let page: PullResult
      try {
        page = await next
      } catch (error) {
        if (cursor === null || !isCursorUnknown(error)) throw error
        await this.#startOver()
        cursor = null
        received = 0
        next = fetchPage(cursor)
        continue
      }
      // A server that ends with `cursor: null` (as simple servers do) keeps our place.
      const nextCursor = page.cursor ?? cursor
      if (page.hasMore && (nextCursor === null || nextCursor === cursor)) {
        throw new InvalidResponseError('pull answer', 'hasMore is true but the cursor did not advance')
      }
      signal.throwIfAborted()
      // The next page downloads while this one is applied; it is used only once this one is stored.
      if (page.hasMore && pages + 1 < ctx.options.maxPullPagesPerRound) next = fetchPage(nextCursor)
      const checked = checkPulledChanges(page.changes, ctx.tables)
      const { count, skipped } = await this.#applyPage(
        checked,
        cursor,
        nextCursor,
        page.hasMore ? null : generation,
      )
      applied += count
      for (const error of skipped) this.#report(error)
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
        return {
          applied,
          more: true,
          unended: shrinking ? null : this.#report(new PullPageLimitError(pages, received)),
        }
      }
    }
  }

  /**
   * A change this client cannot apply was skipped, or the server never said the backlog ends: saying so
   * beats stalling the cursor, or pulling on in silence.
   */
  #report<E extends UnusableChangeError | PullPageLimitError>(error: E): E {
    const ctx = this.#ctx
    ctx.env.logger.warn(`Driftless: ${error.message}`)
    ctx.emit({ phase: 'error', at: ctx.env.now(), stage: 'pull', error })
    return error
  }

  /**
   * The server no longer knows our cursor (its data was reset or replaced): the local copy starts over from
   * it. Rows with no queued edit go, as the server may no longer have them; known versions go, as they
   * describe data it no longer has. Queued edits stay, with their rows, and upload to the new data.
   */
  async #startOver(): Promise<void> {
    const ctx = this.#ctx
    await runUncaptured(ctx.db, [...ctx.tables.keys()], async () => {
      await ctx.db.table(META_TABLE).bulkDelete([CURSOR_KEY, APPLIED_KEY])
      await forgetKnownVersions(ctx)
      const queued = new Set(
        (await ctx.outbox.queuedRecords()).map(([collection, recordId]) => versionKey(collection, recordId)),
      )
      for (const name of ctx.tables.keys()) {
        const table = ctx.db.table(name)
        const keys = (await table.toCollection().primaryKeys()) as string[]
        await table.bulkDelete(keys.filter((key) => !queued.has(versionKey(name, key))))
      }
    })
    ctx.env.logger.warn(
      "Driftless: the server no longer knows this device's pull cursor (its data was reset); pulling everything again.",
    )
    ctx.emit({ phase: 'reset', at: ctx.env.now(), reason: 'cursor-unknown' })
  }

  /**
   * Applies a checked page in transactions of up to `MAX_CHANGES_PER_TRANSACTION` changes, each a few reads
   * however many changes it holds; the last also stores the cursor. A transaction cut short by a reload leaves the ids it
   * applied under the old cursor, so the same page pulled again skips them.
   */
  async #applyPage(
    { usable, unusable }: CheckedPage,
    cursor: string | null,
    nextCursor: string | null,
    /** On the last page: the generation the pull started at, whose echoes it has now brought back. */
    completes: number | null,
  ): Promise<{ count: number; skipped: UnusableChangeError[] }> {
    const ctx = this.#ctx
    for (const change of usable) ctx.clock.observe(change.timestamp)
    const verdicts = await this.#decide(usable)
    let count = 0
    const settled: Verdict[] = []
    const skipped: UnusableChangeError[] = []
    const since = await ctx.outbox.getMeta<AppliedSinceCursor>(APPLIED_KEY)
    // Changes a server sends again from a cursor that did not move are ones we applied (or skipped) already.
    const appliedIds = new Set(since?.cursor === cursor ? since.ids : [])
    for (const { id, error } of unusable) {
      if (id !== null && appliedIds.has(id)) continue
      if (id !== null) appliedIds.add(id)
      if (error) skipped.push(error)
    }
    let offset = 0
    do {
      const changes = usable.slice(offset, offset + MAX_CHANGES_PER_TRANSACTION)
      offset += changes.length
      const last = offset >= usable.length
      await runUncaptured(ctx.db, [...ctx.tables.keys()], async () => {
        const fresh = changes.filter((change) => !appliedIds.has(change.id) && appliedIds.add(change.id))
        // Awaiting a promise that touches no table would let this transaction commit early.
        if (fresh.length > 0) count += await this.#applyChanges(fresh, verdicts, settled)
        if (!last) {
          await ctx.outbox.setMeta(APPLIED_KEY, { cursor, ids: [...appliedIds] } satisfies AppliedSinceCursor)
          return
        }
        if (nextCursor !== null) await ctx.outbox.setMeta(CURSOR_KEY, nextCursor)
        const kept = nextCursor === cursor ? [...appliedIds] : []
        await ctx.outbox.setMeta(APPLIED_KEY, { cursor: nextCursor, ids: kept } satisfies AppliedSinceCursor)
        if (completes !== null) await forgetGeneration(ctx, completes)
      })
    } while (offset < usable.length)
    for (const verdict of settled) ctx.emit(conflictEvent(ctx.env.now(), verdict, null))
    return { count, skipped }
  }

  /**
   * Inside the transaction: one read of the queue's high-water mark and of the records' queued edits (one
   * count when nothing is queued), and of the known versions of the records with edits only; then the changes
   * in chunks sized by the slice budget, each one bulk write of rows per table and of known versions, issued
   * in a task of its own (the previous chunk's last write answering), so no task does more than fits.
   */
  async #applyChanges(
    changes: readonly PulledChange[],
    verdicts: ReadonlyMap<PulledChange, Verdict>,
    settled: Verdict[],
  ): Promise<number> {
    const ctx = this.#ctx
    // Dexie's Promise.all: a native one would lose the transaction between the reads and the writes.
    const [seenAtSeq, pending] = await Dexie.Promise.all([ctx.outbox.highWater(), pendingEdits(ctx, changes)])
    // Only a record with queued edits needs its known version (none, and no request, when nothing is queued):
    // the others take the server's version as it comes.
    const known = await readKnownVersions(ctx, [...pending.keys()])
    let applied = 0
    // One loop in this function: another native async layer inside the transaction lets it commit early.
    for (let offset = 0; offset < changes.length; ) {
      const chunk = changes.slice(offset, offset + this.#sliceSize)
      offset += chunk.length
      const started = ctx.env.now()
      const rows = new Map<string, Map<string, RecordData | null>>()
      const learned = new Map<string, KnownVersion>()
      for (const change of chunk) {
        const key = versionKey(change.collection, change.recordId)
        // The very change we pushed (a server that keeps our ids) or one applied before.
        if (known.get(key)?.changeId === change.id) continue
        const version = { timestamp: change.timestamp, changeId: change.id, seenAtSeq }
        known.set(key, version)
        learned.set(key, version)
        applied++
        // Read again: an earlier change of this page may have settled the record's edits already.
        const edits = pending.has(key) ? await ctx.outbox.entriesFor(change.collection, change.recordId) : []
        // Nothing local stands in the way: the server's order decides, so its version is taken as it comes.
        if (edits.length === 0) {
          const ofTable = rows.get(change.collection) ?? new Map<string, RecordData | null>()
          rows.set(change.collection, ofTable.set(change.recordId, change.data))
          continue
        }
        const echoes = await readEchoes(ctx, change.collection, change.recordId)
        const echo = findEcho(echoes, change)
        if (echo >= 0) await forgetThrough(ctx, change.collection, change.recordId, echoes[echo]!)
        const verdict = verdicts.get(change)
        // Our own echo, or a local edit that arrived after the decision was made: keep the local edits.
        const resolution = verdict?.resolution ?? 'local'
        if (needsSettling(change, edits, resolution)) {
          await settle(ctx, serverVersion(change), edits, [], resolution)
        }
        if (verdict) settled.push(verdict)
      }
      const written = Dexie.Promise.all([
        writeKnownVersions(ctx, learned),
        ...[...rows].map(([collection, ofTable]) => writeLocalRows(ctx, collection, ofTable)),
      ])
      // The main-thread time of this chunk (all of it, when nothing is queued) sizes the next one.
      this.#sliceSize = nextSliceSize(this.#sliceSize, chunk.length, ctx.env.now() - started)
      await written
    }
    return applied
  }

  /**
   * Outside the transaction (a custom resolver may be async): for the changes to records with queued edits,
   * one read of those edits for the page, then who wins where it is a conflict.
   */
  async #decide(changes: readonly PulledChange[]): Promise<Map<PulledChange, Verdict>> {
    const ctx = this.#ctx
    const verdicts = new Map<PulledChange, Verdict>()
    const pending = await pendingEdits(ctx, changes)
    if (pending.size === 0) return verdicts
    await Promise.all(
      changes.map(async (change) => {
        const edits = pending.get(versionKey(change.collection, change.recordId))
        if (!edits) return
        // A change already applied, or the echo of one this device pushed or settled against, is no conflict.
        const known = await readKnownVersion(ctx, change.collection, change.recordId)
        if (known?.changeId === change.id) return
        if (findEcho(await readEchoes(ctx, change.collection, change.recordId), change) >= 0) return
        verdicts.set(change, await judge(ctx, 'pull', serverVersion(change), edits))
      }),
    )
    return verdicts
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
