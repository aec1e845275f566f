import Dexie from 'dexie'
import { META_TABLE } from '../capture/outbox.js'
import { jsonEqual, type RecordData } from '../wire.js'
import type { EngineContext } from './engineContext.js'

/**
 * Versions of a record that a later pull may bring back and that need no resolving when it does: ones this
 * device pushed and the server accepted, and server versions it already settled a conflict against. A
 * server may restamp ids and timestamps, so a pulled change is matched by its id or by its value, never by
 * comparing two clocks.
 */
export interface Echo {
  /** The id the change was pushed with; null for a version learned from a conflict answer. */
  readonly changeId: string | null
  readonly data: RecordData | null
  /** The outbox `seq` of the pushed entry (local edits above it were made after it); 0 for conflict versions. */
  readonly seq: number
  /** The pull generation when remembered: a pull that started later and ran to the end has brought it back. */
  readonly generation: number
}

/**
 * The pull generation lives in one meta row (with any echoes an earlier release kept there); the echoes
 * themselves in rows appended after it, one per batch remembered, so remembering a batch costs the same
 * however many came before it. Normally there are none: every complete pull clears them.
 */
const ECHOES_KEY = 'echoes'
const APPENDED_PREFIX = `${ECHOES_KEY}\u001f`

type EchoStore = Pick<EngineContext, 'db'>

/** The generation row. */
interface GenerationRow {
  /** Bumped by each complete pull that had echoes to forget. */
  generation: number
  /** Empty unless an earlier release stored every echo here. */
  echoes: RecordEcho[]
}

interface StoredEchoes extends GenerationRow {
  /** The keys of the appended rows the echoes were read from. */
  rows: string[]
}

interface RecordEcho extends Echo {
  readonly collection: string
  readonly recordId: string
}

/** A version to remember for one record. */
export type EchoOf = Omit<RecordEcho, 'generation'>

const meta = (ctx: EchoStore) => ctx.db.table(META_TABLE)

/**
 * The appended rows, in the order they were remembered: their keys count up from 0 (zero-padded, so they
 * sort), and a rewrite leaves at most one, at 0, so the next key is always one past the last.
 */
const appended = (ctx: EchoStore) =>
  meta(ctx).where(':id').between(APPENDED_PREFIX, `${APPENDED_PREFIX}\uffff`)

const appendedKey = (counter: number) => APPENDED_PREFIX + String(counter).padStart(9, '0')

function readGeneration(ctx: EchoStore): PromiseLike<GenerationRow> {
  return meta(ctx)
    .get(ECHOES_KEY)
    .then((row: { value?: GenerationRow } | undefined) => {
      const value = row?.value
      return typeof value?.generation === 'number' && Array.isArray(value.echoes)
        ? value
        : { generation: 0, echoes: [] }
    })
}

function readStored(ctx: EchoStore): PromiseLike<StoredEchoes> {
  return Dexie.Promise.all([readGeneration(ctx), appended(ctx).toArray()]).then(([first, rows]) => ({
    generation: first.generation,
    echoes: first.echoes.concat(...rows.map((row) => row.value)),
    rows: rows.map((row) => row.key),
  }))
}

/** Replaces the echoes `stored` was read with: the generation in its row, the echoes in one appended row. */
function writeStored(ctx: EchoStore, stored: StoredEchoes): PromiseLike<unknown> {
  return Dexie.Promise.all([
    meta(ctx).put({ key: ECHOES_KEY, value: { generation: stored.generation, echoes: [] } }),
    // The old rows go first: the new one takes key 0.
    meta(ctx)
      .bulkDelete(stored.rows)
      .then(() => meta(ctx).put({ key: appendedKey(0), value: stored.echoes })),
  ])
}

/** The echoes remembered for a record, oldest first; Dexie's own promise, so it is safe inside a transaction. */
export function readEchoes(ctx: EchoStore, collection: string, recordId: string): PromiseLike<Echo[]> {
  return readStored(ctx).then(({ echoes }) =>
    echoes.filter((echo) => echo.collection === collection && echo.recordId === recordId),
  )
}

/** Inside an engine transaction: remembers versions the server now holds because of this device. */
export async function rememberEchoes(ctx: EchoStore, versions: readonly EchoOf[]): Promise<void> {
  if (versions.length === 0) return
  const [{ generation }, last] = await Dexie.Promise.all([
    readGeneration(ctx),
    // The last key, not a count: counting walks every row, so each batch would cost more than the one before.
    appended(ctx).reverse().limit(1).primaryKeys(),
  ])
  const added = versions.map((version) => ({ ...version, generation }))
  const next = last.length === 0 ? 0 : Number(String(last[0]).slice(APPENDED_PREFIX.length)) + 1
  await meta(ctx).put({ key: appendedKey(next), value: added })
}

/** The index of the remembered echo a pulled change is, by its id or its value; -1 when it is someone else's. */
export function findEcho(echoes: readonly Echo[], change: { id: string; data: RecordData | null }): number {
  const byId = echoes.findIndex((echo) => echo.changeId === change.id)
  return byId >= 0 ? byId : echoes.findIndex((echo) => sameRecordValue(echo.data, change.data))
}

/** Inside an engine transaction: the pull has brought back `echo` of a record, so it and older ones are done. */
export async function forgetThrough(
  ctx: EchoStore,
  collection: string,
  recordId: string,
  echo: Echo,
): Promise<void> {
  const stored = await readStored(ctx)
  const ofRecord = (other: RecordEcho) => other.collection === collection && other.recordId === recordId
  const at = stored.echoes.findIndex(
    (other) =>
      ofRecord(other) &&
      other.changeId === echo.changeId &&
      other.seq === echo.seq &&
      sameRecordValue(other.data, echo.data),
  )
  if (at < 0) return
  await writeStored(ctx, {
    ...stored,
    echoes: stored.echoes.filter((other, index) => index > at || !ofRecord(other)),
  })
}

/** The current pull generation: echoes remembered up to now are forgotten once a pull started now completes. */
export async function currentGeneration(ctx: EchoStore): Promise<number> {
  return (await readGeneration(ctx)).generation
}

/**
 * Inside the transaction of a pull's last page: the pull started at `generation` has run to the end, so the
 * echoes remembered before it came back or never will (a later version replaced them).
 */
export async function forgetGeneration(ctx: EchoStore, generation: number): Promise<void> {
  const stored = await readStored(ctx)
  if (stored.echoes.length === 0) return
  const echoes = stored.echoes.filter((echo) => echo.generation > generation)
  await writeStored(ctx, { ...stored, generation: Math.max(stored.generation, generation + 1), echoes })
}

/**
 * Two record values are the same once they have travelled as JSON: key order, `undefined` fields and
 * Dates turned into strings make no difference (a server may store them in any of those ways).
 */
export function sameRecordValue(a: unknown, b: unknown): boolean {
  return jsonEqual(toJson(a), toJson(b))
}

function toJson(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value))
}
