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
 * Applies a batch of validated changes for one user in one transaction. Each change runs in its own
 * savepoint, so a change the database refuses becomes an `errors` entry and the rest still applies.
 */
export async function applyPush(
  database: Database,
  userId: string,
  changes: readonly Change[],
  now: () => number,
): Promise<PushResult> {
  const result: PushResult = { accepted: [], conflicts: [], errors: [] }
  if (changes.length === 0) return result
  await database.transaction(async (tx) => {
    // One writer per user at a time, so sequence numbers commit in order and pull cursors never skip a row.
    await tx.query('select pg_advisory_xact_lock($1, hashtext($2))', [USER_LOCK_CLASS, userId])
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
  })
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
    const version = { timestamp: Number(stored.change_timestamp), changeId: stored.change_id }
    if (storedWins(version, change)) {
      const remote = stored.deleted ? null : stored.data
      return {
        kind: 'conflict',
        conflict: {
          changeId: change.id,
          recordId: change.recordId,
          collection: change.collection,
          local: change.data,
          remote,
          localTimestamp: change.timestamp,
          remoteTimestamp: version.timestamp,
          fieldConflicts: fieldConflicts(change, remote),
        },
      }
    }
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
