import Dexie from 'dexie'
import { runUncaptured } from '../capture/capture.js'
import type { OutboxEntry } from '../capture/outbox.js'
import type { SyncConnector, UploadClient } from '../session/connector.js'
import { retryDelay } from '../session/retry.js'
import { DriftlessError, InvalidResponseError, TransportError } from '../shared/errors.js'
import { type TransferProgress, uploadProgress } from '../shared/progress.js'
import type { Change, PushResult } from '../wire.js'
import { readEchoes, rememberEchoes, sameRecordValue } from './echoes.js'
import type { EngineContext } from './engineContext.js'
import { editFollowsKnownVersion, readKnownVersion, versionKey, writeKnownVersion } from './knownVersions.js'
import { conflictEvent, judge, type ServerVersion, settle } from './settlement.js'
import { rememberUploaded } from './uploaded.js'

/** Logged word for word when uploadData() returns without completing the entry at the front (apps may match on it). */
export const STALLED_UPLOAD_WARNING =
  'Potentially previously uploaded CRUD entries are still present in the upload queue. Make sure to handle uploads and complete CRUD transactions or batches by calling and awaiting their [.complete()] method. The next upload iteration will be delayed.'

/** uploadData() returned without error but the same entry is still at the front of the queue. */
export class UploadStalledError extends DriftlessError {
  constructor(changeId: string) {
    super(
      'UPLOAD_STALLED',
      `uploadData() returned but change ${changeId} is still at the front of the upload queue; call and await complete() on the batch or transaction you uploaded.`,
    )
  }
}

export interface DrainResult {
  /** Changes the server accepted (or that were otherwise settled) in this drain. */
  uploaded: number
  /** When entries were held back after a per-change error: the earliest time to try them again. */
  retryAt: number | null
  /** The last per-change error message, if any change was rejected during this drain. */
  rejection: string | null
}

/**
 * Statuses that concern the request (credentials, a wrong endpoint), not the changes in it: the batch is
 * retried with backoff rather than narrowed down and parked.
 */
const REQUEST_LEVEL = new Set([401, 403, 404, 405, 407])

interface NarrowedResult extends PushResult {
  /** Changes the server rejects as a whole request (a non-retryable 4xx on a batch of one). */
  rejected: Map<string, { message: string; status: number }>
}

/** Empties the outbox through `uploadData` or, without one, through the transport's push. */
export class UploadLoop {
  /** Records whose last change the server rejected, held back until the time given. */
  readonly #heldBack = new Map<string, { until: number; rejection: string }>()
  #previousFront: string | null = null
  /** The most changes the server said it accepts in one push (413 `batch-too-large`); later batches keep to it. */
  #serverBatchLimit: number | null = null

  readonly #ctx: EngineContext

  constructor(ctx: EngineContext) {
    this.#ctx = ctx
  }

  /**
   * `onProgress` hears `{ done: 0, total: queued }` just before the first upload of this drain, if there is
   * anything to upload, and how far it has come after each pushed batch (a custom uploadData reports only its start).
   */
  async drain(
    connector: SyncConnector | null,
    client: UploadClient,
    signal: AbortSignal,
    onProgress: (progress: TransferProgress) => void = () => {},
  ): Promise<DrainResult> {
    let queued: number | null = null
    const progress = async (settled: number) => {
      if (queued === null) {
        const stats = await this.#ctx.outbox.stats()
        queued = stats.pending + stats.syncing
      }
      onProgress(uploadProgress(settled, queued))
    }
    return connector?.uploadData
      ? this.#drainThrough(connector.uploadData.bind(connector), client, signal, progress)
      : this.#drainThroughTransport(signal, progress)
  }

  /** Calls uploadData until the queue is empty; a front that does not move after a call is an error. */
  async #drainThrough(
    uploadData: (client: UploadClient) => Promise<void>,
    client: UploadClient,
    signal: AbortSignal,
    progress: (settled: number) => Promise<void>,
  ): Promise<DrainResult> {
    const { outbox, env } = this.#ctx
    let uploaded = 0
    const before = (await outbox.stats()).total
    let started = false
    try {
      for (;;) {
        signal.throwIfAborted()
        const front = await outbox.front()
        if (!front) break
        if (front.id === this.#previousFront) {
          env.logger.warn(STALLED_UPLOAD_WARNING)
          throw new UploadStalledError(front.id)
        }
        if (!started) await progress(0)
        started = true
        try {
          await uploadData(client)
        } catch (error) {
          env.logger.error(
            "Driftless: the connector's uploadData() threw; its changes stay queued and are retried.",
            error,
          )
          throw error
        } finally {
          await outbox.release()
        }
        this.#previousFront = front.id
      }
    } catch (error) {
      this.#previousFront = null
      throw error
    }
    this.#previousFront = null
    uploaded = Math.max(0, before - (await outbox.stats()).total)
    return { uploaded, retryAt: null, rejection: null }
  }

  async #drainThroughTransport(
    signal: AbortSignal,
    progress: (settled: number) => Promise<void>,
  ): Promise<DrainResult> {
    const { outbox, options, env } = this.#ctx
    let uploaded = 0
    let rejection: string | null = null
    const take = () => {
      const now = env.now()
      const batchSize = Math.min(options.pushBatchSize, this.#serverBatchLimit ?? Number.POSITIVE_INFINITY)
      // With nothing held back the batch is read straight off the status index, with no filter to run.
      const skip = this.#heldBack.size ? (entry: OutboxEntry) => this.#isHeldBack(entry, now) : undefined
      return outbox.takeBatch(batchSize, skip)
    }
    let batch = await take()
    while (batch.length > 0) {
      signal.throwIfAborted()
      if (uploaded === 0) await progress(0)
      let next: Promise<OutboxEntry[]> | null = null
      try {
        const sentAt = env.now()
        const limit = this.#serverBatchLimit
        const pushing = this.#pushNarrowing(batch, signal)
        // The next batch is taken while this one is on the wire, and sent only if this one is simply
        // accepted: an answer with conflicts, errors or refusals may change what the next batch should hold.
        next = take()
        const result = await pushing
        this.#checkAnswer(batch, result)
        this.#observeServerTime(batch, result, sentAt, env.now())
        const outcome = await this.#apply(batch, result)
        uploaded += outcome.settled
        rejection = outcome.rejection ?? rejection
        await progress(uploaded)
        const taken = await next
        next = null
        if (result.accepted.length === batch.length && this.#serverBatchLimit === limit) batch = taken
        else {
          // This batch is settled: a failure from here on must not release it.
          batch = []
          await outbox.landTaken(taken)
          batch = await take()
        }
      } catch (error) {
        await outbox.release(batch.map((entry) => entry.id))
        // Taken but never sent: back in the queue without an attempt counted.
        if (next) await outbox.landTaken(await next.catch(() => []))
        throw error
      }
    }
    // A change still held back after its rejection keeps the upload in error until it goes through.
    return { uploaded, retryAt: this.#nextRetryAt(), rejection: rejection ?? this.#heldBackRejection() }
  }

  #isHeldBack(entry: OutboxEntry, now: number): boolean {
    const key = versionKey(entry.collection, entry.recordId)
    const until = this.#heldBack.get(key)?.until
    if (until === undefined) return false
    if (until <= now) {
      this.#heldBack.delete(key)
      return false
    }
    return true
  }

  #nextRetryAt(): number | null {
    let earliest: number | null = null
    for (const { until } of this.#heldBack.values())
      earliest = earliest === null ? until : Math.min(earliest, until)
    return earliest
  }

  #heldBackRejection(): string | null {
    let last: string | null = null
    for (const { rejection } of this.#heldBack.values()) last = rejection
    return last
  }

  /**
   * Pushes a batch; a batch over the server's stated limit goes again in parts of that size, and any other
   * non-retryable 4xx is narrowed down by halving to the changes the server refuses.
   */
  async #pushNarrowing(batch: readonly OutboxEntry[], signal: AbortSignal): Promise<NarrowedResult> {
    try {
      const changes = batch.map(toChange)
      // The round's signal: disconnect() aborts the request in flight instead of leaving it to hang.
      const result = await this.#ctx.withTransport((transport, context) =>
        transport.push(changes, { ...context, signal }),
      )
      return { ...result, rejected: new Map() }
    } catch (error) {
      if (!(error instanceof TransportError) || error.retryable || REQUEST_LEVEL.has(error.status))
        throw error
      const limit = error.maxBatchSize
      if (limit !== undefined && limit < batch.length) {
        this.#serverBatchLimit = limit
        return this.#pushInParts(batch, limit, signal)
      }
      if (batch.length === 1) {
        const only = batch[0]!
        return {
          accepted: [],
          conflicts: [],
          errors: [],
          rejected: new Map([
            [
              only.id,
              {
                message: `The server refused this change (HTTP ${error.status}): ${error.message}`,
                status: error.status,
              },
            ],
          ]),
        }
      }
      return this.#pushInParts(batch, Math.ceil(batch.length / 2), signal)
    }
  }

  /** Pushes `batch` in order, `size` changes at a time, as one combined answer. */
  async #pushInParts(
    batch: readonly OutboxEntry[],
    size: number,
    signal: AbortSignal,
  ): Promise<NarrowedResult> {
    const combined: NarrowedResult = { accepted: [], conflicts: [], errors: [], rejected: new Map() }
    for (let start = 0; start < batch.length; start += size) {
      const part = await this.#pushNarrowing(batch.slice(start, start + size), signal)
      combined.accepted.push(...part.accepted)
      combined.conflicts.push(...part.conflicts)
      combined.errors.push(...part.errors)
      for (const [id, reason] of part.rejected) combined.rejected.set(id, reason)
    }
    return combined
  }

  /** Every change of the batch must be answered exactly once, and nothing else. */
  #checkAnswer(batch: readonly OutboxEntry[], result: NarrowedResult): void {
    const expected = new Set(batch.map((entry) => entry.id))
    const seen = new Set<string>()
    const answered = [
      ...result.accepted.map((a) => a.id),
      ...result.conflicts.map((c) => c.changeId),
      ...result.errors.map((e) => e.id),
      ...result.rejected.keys(),
    ]
    for (const id of answered) {
      if (!expected.has(id))
        throw new InvalidResponseError('push answer', `change ${id} was not in the batch`)
      if (seen.has(id)) throw new InvalidResponseError('push answer', `change ${id} is answered twice`)
      seen.add(id)
    }
    const missing = [...expected].filter((id) => !seen.has(id))
    if (missing.length > 0) {
      throw new InvalidResponseError(
        'push answer',
        `no answer for change(s) ${missing.slice(0, 5).join(', ')}`,
      )
    }
  }

  /**
   * `serverTimestamp` is the server's clock when it answers; a server may instead replay the time it first
   * applied a change, so only changes sent for the first time say what time it is now.
   */
  #observeServerTime(
    batch: readonly OutboxEntry[],
    result: PushResult,
    sentAt: number,
    receivedAt: number,
  ): void {
    const firstSent = new Set(batch.filter((entry) => entry.attempts === 1).map((entry) => entry.id))
    const serverNow = result.accepted
      .filter((accepted) => firstSent.has(accepted.id))
      .reduce((max, a) => Math.max(max, a.serverTimestamp), 0)
    if (serverNow > 0) this.#ctx.clock.setServerTime(serverNow, sentAt, receivedAt)
  }

  async #apply(
    batch: readonly OutboxEntry[],
    result: NarrowedResult,
  ): Promise<{ settled: number; rejection: string | null }> {
    const ctx = this.#ctx
    const byId = new Map(batch.map((entry) => [entry.id, entry]))
    const acceptedNow = result.accepted.map((accepted) => byId.get(accepted.id)!)
    // Resolvers may be async, so they run before the transaction, which must not wait on anything else.
    const contests = await Promise.all(
      result.conflicts.map(async (answer) => {
        ctx.clock.observe(answer.remoteTimestamp)
        const entry = byId.get(answer.changeId)!
        const server: ServerVersion = {
          collection: entry.collection,
          recordId: entry.recordId,
          data: answer.remote,
          timestamp: answer.remoteTimestamp,
          changeId: null,
        }
        const known = await readKnownVersion(ctx, entry.collection, entry.recordId)
        // The server's version is one this device pushed (earlier, or in this very batch) before making
        // this edit: the edit follows it.
        const ownPushes = [
          ...(await readEchoes(ctx, entry.collection, entry.recordId)).filter(
            (echo) => echo.changeId !== null,
          ),
          ...acceptedNow.filter(
            (other) => other.collection === entry.collection && other.recordId === entry.recordId,
          ),
        ]
        const followsOwnPush = ownPushes.some(
          (own) => own.seq < entry.seq && sameRecordValue(own.data, answer.remote),
        )
        if (followsOwnPush || editFollowsKnownVersion(known, entry.seq, answer.remoteTimestamp)) {
          return { entry, server, verdict: null }
        }
        const verdict = await judge(ctx, 'push', server, [entry], answer.fieldConflicts)
        return { entry, server, verdict }
      }),
    )

    let rejection: string | null = null
    const now = ctx.env.now()
    await runUncaptured(ctx.db, [...ctx.tables.keys()], async () => {
      // Read together: deleting the accepted entries first could lower the mark only by their own positions.
      const [seenAtSeq, completed] = await Dexie.Promise.all([
        ctx.outbox.highWater(),
        ctx.outbox.completeTaken(acceptedNow),
      ])
      await rememberUploaded(ctx, acceptedNow, seenAtSeq)
      for (const { entry, server, verdict } of contests) {
        const laterEdits = (await ctx.outbox.entriesFor(entry.collection, entry.recordId)).filter(
          (other) => other.id !== entry.id && other.seq > entry.seq,
        )
        await writeKnownVersion(ctx, entry.collection, entry.recordId, {
          timestamp: server.timestamp,
          changeId: null,
          seenAtSeq,
        })
        const { collection, recordId } = entry
        await rememberEchoes(ctx, [{ collection, recordId, changeId: null, data: server.data, seq: 0 }])
        // An edit that follows the server's version stands, as if it had won.
        await settle(ctx, server, [entry], laterEdits, verdict?.resolution ?? 'local')
      }
      for (const { id, error } of result.errors) {
        const entry = byId.get(id)!
        const message = `Change ${id} to ${entry.collection}/${entry.recordId} was rejected: ${error}`
        rejection = message
        const status = await ctx.outbox.recordError(id, error, ctx.options.retryMaxAttempts)
        if (status === 'pending') {
          const delay = retryDelay(entry.retries + 1, {
            baseMs: ctx.options.retryDelayMs,
            maxMs: ctx.options.maxRetryDelayMs,
            random: ctx.env.random,
          })
          this.#heldBack.set(versionKey(entry.collection, entry.recordId), {
            until: now + delay,
            rejection: message,
          })
        }
      }
      for (const [id, { message, status }] of result.rejected) {
        const entry = byId.get(id)!
        rejection = `Change ${id} to ${entry.collection}/${entry.recordId} was refused: ${message}`
        // A whole-request refusal of a single change will not change on retry: park it at once.
        await ctx.outbox.recordError(id, message, entry.retries + 1, status)
      }
      // Errors landed as they were recorded; what else is left of the batch (settled conflicts) is pending again.
      if (contests.length > 0 || completed < acceptedNow.length) await ctx.outbox.landTaken(batch)
    })

    for (const { entry, verdict } of contests) {
      if (verdict) ctx.emit(conflictEvent(ctx.env.now(), verdict, entry.id))
    }
    ctx.emit({
      phase: 'push',
      at: ctx.env.now(),
      changes: batch.length,
      accepted: result.accepted.length,
      conflicts: result.conflicts.length,
      errors: result.errors.length + result.rejected.size,
    })
    return { settled: result.accepted.length + result.conflicts.length, rejection }
  }
}

export function toChange(entry: OutboxEntry): Change {
  return {
    id: entry.id,
    collection: entry.collection,
    recordId: entry.recordId,
    type: entry.type,
    data: entry.data,
    prevData: entry.prevData,
    timestamp: entry.timestamp,
  }
}
