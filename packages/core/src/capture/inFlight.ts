import type { Table } from 'dexie'
import type { OutboxEntry } from './outboxEntry.js'

export interface MetaRow {
  key: string
  value: unknown
}

/** The meta row listing the positions (`seq`) of the outbox entries taken for upload. */
const IN_FLIGHT_KEY = 'inFlight'

/**
 * Which outbox entries are in flight (`syncing`): listed by position in one meta row, so taking a batch is
 * one write however many changes it holds, where writing each entry again cost a write per change. The
 * entries stay stored as pending. Entries stored as `syncing` by earlier releases still count as taken.
 * Every method runs inside the caller's transaction over the outbox and meta tables.
 */
export class InFlight {
  readonly #entries: () => Table<OutboxEntry, number>
  readonly #meta: () => Table<MetaRow, string>

  constructor(entries: () => Table<OutboxEntry, number>, meta: () => Table<MetaRow, string>) {
    this.#entries = entries
    this.#meta = meta
  }

  /** The positions in flight; Dexie's own promise, so it is safe inside a transaction. */
  positions(): PromiseLike<Set<number>> {
    return this.#meta()
      .get(IN_FLIGHT_KEY)
      .then((row) => new Set(Array.isArray(row?.value) ? (row.value as number[]) : []))
  }

  /** Lists `entries` as in flight beside `flying` (the positions read in this transaction); returns them as `syncing`. */
  async mark(entries: readonly OutboxEntry[], flying: Set<number>): Promise<OutboxEntry[]> {
    if (entries.length === 0) return []
    for (const entry of entries) flying.add(entry.seq)
    await this.#write(flying)
    return entries.map((entry) => ({ ...entry, status: 'syncing' as const, attempts: sent(entry) }))
  }

  /** Takes these positions out of flight (those still there); returns the ones that were. */
  async land(seqs: readonly number[]): Promise<number[]> {
    const flying = await this.positions()
    const landed = seqs.filter((seq) => flying.delete(seq))
    if (landed.length > 0) await this.#write(flying)
    return landed
  }

  /**
   * Entries in flight (all, or those `wanted`), and those an earlier release stored as `syncing`, go back to
   * pending with their attempt counted, written now that their flight is over. Returns how many.
   */
  async putBack(wanted: (entry: OutboxEntry) => boolean = () => true): Promise<number> {
    const [flying, stored] = await Promise.all([
      this.positions(),
      this.#entries().where('status').equals('syncing').toArray(),
    ])
    if (flying.size === 0 && stored.length === 0) return 0
    const seqs = [...flying]
    const found = await this.#entries().bulkGet(seqs)
    // A position whose entry is gone (deleted by a release that did not know this row) is dropped too.
    const listed = found.filter((entry): entry is OutboxEntry => entry !== undefined && wanted(entry))
    for (const [i, entry] of found.entries()) if (!entry || wanted(entry)) flying.delete(seqs[i]!)
    const back = [
      ...stored.filter(wanted).map((entry) => ({ ...entry, attempts: entry.attempts ?? 1 })),
      ...listed.map((entry) => ({ ...entry, attempts: sent(entry) })),
    ]
    if (flying.size < seqs.length) await this.#write(flying)
    await this.#entries().bulkPut(back.map((entry) => ({ ...entry, status: 'pending' as const })))
    return back.length
  }

  #write(seqs: ReadonlySet<number>): PromiseLike<unknown> {
    return this.#meta().put({ key: IN_FLIGHT_KEY, value: [...seqs] })
  }
}

/** The attempt count of an entry handed out once more. */
export function sent(entry: OutboxEntry): number {
  return (entry.attempts ?? 0) + 1
}
