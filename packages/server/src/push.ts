import type { Change, PushConflict, PushResult, RecordData } from '@driftless/core/wire'
import { fieldConflicts, storedWins } from './conflict.js'
import type { Database, SqlExecutor } from './database.js'
import { wholeText } from './storableText.js'

interface StoredRow {
  data: RecordData | null
  deleted: boolean
  change_timestamp: number | string
  change_id: string
}

type Outcome = { kind: 'accepted'; serverTimestamp: number } | { kind: 'conflict'; conflict: PushConflict }

// Namespaces the per-user write lock among other advisory locks in the same database.
const USER_LOCK_CLASS = 1_146_242_644

/**
 * Applies a batch of validated changes for one user in one transaction: a few statements for the whole
 * batch, or, when the database refuses any of it, change by change in savepoints, so a change the
 * database refuses becomes an `errors` entry and the rest still applies.
 */
export async function applyPush(
  database: Database,
  userId: string,
  changes: readonly Change[],
  now: () => number,
): Promise<PushResult> {
  if (changes.length === 0) return { accepted: [], conflicts: [], errors: [] }
  return database.transaction(async (tx) => {
    // One writer per user at a time, so sequence numbers commit in order and pull cursors never skip a row.
    await tx.query('select pg_advisory_xact_lock($1, hashtext($2))', [USER_LOCK_CLASS, userId])
    await tx.exec('savepoint driftless_batch')
    try {
      const result = await applyBatch(tx, userId, changes, now)
      await tx.exec('release savepoint driftless_batch')
      return result
    } catch {
      await tx.exec('rollback to savepoint driftless_batch')
      return applyOneByOne(tx, userId, changes, now)
    }
  })
}

interface CurrentRow {
  data: RecordData | null
  deleted: boolean
  timestamp: number
  changeId: string
}

interface RecordWrite {
  collection: string
  recordId: string
  type: 'create' | 'update' | 'delete'
  row: CurrentRow
}

/**
 * The whole batch in five statements: which ids were applied, the stored rows, then one upsert of the
 * records and one insert of the applied ids. Answers exactly as applying the changes one by one would.
 */
async function applyBatch(
  tx: SqlExecutor,
  userId: string,
  changes: readonly Change[],
  now: () => number,
): Promise<PushResult> {
  const result: PushResult = { accepted: [], conflicts: [], errors: [] }
  const ids = changes.map((change) => change.id)
  const appliedRows = await tx.query<{ change_id: string }>(
    `select ${wholeText('change_id')} from driftless_applied_changes where user_id = $1 and change_id = any($2::text[])`,
    [userId, ids],
  )
  const applied = new Set(appliedRows.map((row) => row.change_id))
  const storedRows = await tx.query<StoredRow & { collection: string; record_id: string }>(
    `select ${wholeText('collection')}, ${wholeText('record_id')}, data, deleted, change_timestamp,
       ${wholeText('change_id')}
     from driftless_records
     join unnest($2::text[], $3::text[]) as k(wanted_collection, wanted_record_id)
       on collection = wanted_collection and record_id = wanted_record_id
     where user_id = $1`,
    [userId, changes.map((change) => change.collection), changes.map((change) => change.recordId)],
  )
  const current = new Map<string, CurrentRow>()
  for (const row of storedRows) {
    current.set(recordKey(row.collection, row.record_id), {
      data: row.data,
      deleted: row.deleted,
      timestamp: Number(row.change_timestamp),
      changeId: row.change_id,
    })
  }
  const writes = new Map<string, RecordWrite>()
  const appliedNow: { id: string; serverTimestamp: number }[] = []
  for (const change of changes) {
    const key = recordKey(change.collection, change.recordId)
    const stored = current.get(key)
    if (applied.has(change.id) || stored?.changeId === change.id) {
      result.accepted.push({ id: change.id, serverTimestamp: now() })
      continue
    }
    if (stored) {
      const conflict = conflictWith(change, stored)
      if (conflict) {
        result.conflicts.push(conflict)
        continue
      }
    }
    const deleted = change.type === 'delete'
    const row: CurrentRow = {
      data: deleted ? null : change.data,
      deleted,
      timestamp: change.timestamp,
      changeId: change.id,
    }
    const type = deleted ? 'delete' : stored && !stored.deleted ? 'update' : 'create'
    current.set(key, row)
    // Only a record's last write is stored; re-inserting moves it to the end, so seq follows the batch.
    writes.delete(key)
    writes.set(key, { collection: change.collection, recordId: change.recordId, type, row })
    applied.add(change.id)
    const accepted = { id: change.id, serverTimestamp: now() }
    appliedNow.push(accepted)
    result.accepted.push(accepted)
  }
  if (writes.size > 0) {
    const rows = [...writes.values()]
    await tx.query(
      `insert into driftless_records
         (user_id, collection, record_id, type, data, deleted, change_timestamp, change_id, seq)
       select $1, w.collection, w.record_id, w.type, w.data::jsonb, w.deleted, w.change_timestamp, w.change_id,
         nextval('driftless_seq')
       from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::bigint[], $8::text[])
         with ordinality as w(collection, record_id, type, data, deleted, change_timestamp, change_id, position)
       order by w.position
       on conflict (user_id, collection, record_id) do update set
         type = excluded.type, data = excluded.data, deleted = excluded.deleted,
         change_timestamp = excluded.change_timestamp, change_id = excluded.change_id, seq = excluded.seq`,
      [
        userId,
        rows.map((w) => w.collection),
        rows.map((w) => w.recordId),
        rows.map((w) => w.type),
        rows.map((w) => (w.row.deleted ? null : JSON.stringify(w.row.data))),
        rows.map((w) => w.row.deleted),
        rows.map((w) => w.row.timestamp),
        rows.map((w) => w.row.changeId),
      ],
    )
    await tx.query(
      `insert into driftless_applied_changes (user_id, change_id, server_timestamp)
       select $1, a.change_id, a.server_timestamp from unnest($2::text[], $3::bigint[]) as a(change_id, server_timestamp)`,
      [userId, appliedNow.map((a) => a.id), appliedNow.map((a) => a.serverTimestamp)],
    )
  }
  return result
}

function recordKey(collection: string, recordId: string): string {
  return JSON.stringify([collection, recordId])
}

/** The conflict answer when the stored row beats `change`, or undefined when the change applies. */
function conflictWith(change: Change, stored: CurrentRow): PushConflict | undefined {
  const version = { timestamp: stored.timestamp, changeId: stored.changeId }
  if (!storedWins(version, change)) return undefined
  const remote = stored.deleted ? null : stored.data
  return {
    changeId: change.id,
    recordId: change.recordId,
    collection: change.collection,
    local: change.data,
    remote,
    localTimestamp: change.timestamp,
    remoteTimestamp: version.timestamp,
    fieldConflicts: fieldConflicts(change, remote),
  }
}

/** Each change in its own savepoint, so the one the database refuses becomes an `errors` entry. */
async function applyOneByOne(
  tx: SqlExecutor,
  userId: string,
  changes: readonly Change[],
  now: () => number,
): Promise<PushResult> {
  const result: PushResult = { accepted: [], conflicts: [], errors: [] }
  for (const change of changes) {
    await tx.exec('savepoint driftless_change')
    try {
      const outcome = await applyChange(tx, userId, change, now)
      await tx.exec('release savepoint driftless_change')
      if (outcome.kind === 'accepted') {
        result.accepted.push({ id: change.id, serverTimestamp: outcome.serverTimestamp })
      } else {
        result.conflicts.push(outcome.conflict)
      }
    } catch (error) {
      await tx.exec('rollback to savepoint driftless_change')
      const reason = error instanceof Error ? error.message : String(error)
      result.errors.push({ id: change.id, error: `The database refused the change: ${reason}` })
    }
  }
  return result
}

async function applyChange(
  tx: SqlExecutor,
  userId: string,
  change: Change,
  now: () => number,
): Promise<Outcome> {
  const [seen] = await tx.query(
    'select 1 from driftless_applied_changes where user_id = $1 and change_id = $2',
    [userId, change.id],
  )
  // A replay is stamped with the clock of this answer: clients read serverTimestamp as "server time now".
  if (seen) return { kind: 'accepted', serverTimestamp: now() }

  const [stored] = await tx.query<StoredRow>(
    `select data, deleted, change_timestamp, ${wholeText('change_id')} from driftless_records
     where user_id = $1 and collection = $2 and record_id = $3`,
    [userId, change.collection, change.recordId],
  )
  // The change that wrote the stored row, replayed after its id was forgotten: already applied.
  if (stored?.change_id === change.id) return { kind: 'accepted', serverTimestamp: now() }
  if (stored) {
    const conflict = conflictWith(change, {
      data: stored.data,
      deleted: stored.deleted,
      timestamp: Number(stored.change_timestamp),
      changeId: stored.change_id,
    })
    if (conflict) return { kind: 'conflict', conflict }
  }

  const deleted = change.type === 'delete'
  const type = deleted ? 'delete' : stored && !stored.deleted ? 'update' : 'create'
  // `data` is the whole row after the write, so it replaces what was stored.
  await tx.query(
    `insert into driftless_records
       (user_id, collection, record_id, type, data, deleted, change_timestamp, change_id, seq)
     values ($1, $2, $3, $4, $5::text::jsonb, $6, $7, $8, nextval('driftless_seq'))
     on conflict (user_id, collection, record_id) do update set
       type = excluded.type, data = excluded.data, deleted = excluded.deleted,
       change_timestamp = excluded.change_timestamp, change_id = excluded.change_id, seq = excluded.seq`,
    [
      userId,
      change.collection,
      change.recordId,
      type,
      deleted ? null : JSON.stringify(change.data),
      deleted,
      change.timestamp,
      change.id,
    ],
  )
  const serverTimestamp = now()
  await tx.query(
    'insert into driftless_applied_changes (user_id, change_id, server_timestamp) values ($1, $2, $3)',
    [userId, change.id, serverTimestamp],
  )
  return { kind: 'accepted', serverTimestamp }
}
