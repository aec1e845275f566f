import type { Database } from './database.js'

/** One step of the schema; `version`s are applied in ascending order, each exactly once. */
export interface Migration {
  readonly version: number
  readonly name: string
  readonly sql: string
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'records and applied changes',
    sql: `
      create sequence driftless_seq;

      -- The current state of every record, per user; a delete leaves a tombstone so pulls carry it.
      create table driftless_records (
        user_id text not null,
        collection text not null,
        record_id text not null,
        type text not null check (type in ('create', 'update', 'delete')),
        data jsonb,
        deleted boolean not null,
        change_timestamp bigint not null,
        change_id text not null,
        seq bigint not null,
        primary key (user_id, collection, record_id)
      );
      create unique index driftless_records_user_seq on driftless_records (user_id, seq);

      -- Change ids already applied, so a replayed push is answered without applying anything twice.
      create table driftless_applied_changes (
        user_id text not null,
        change_id text not null,
        server_timestamp bigint not null,
        primary key (user_id, change_id)
      );
    `,
  },
  {
    version: 2,
    name: 'database identity',
    sql: `
      -- Made once per database, so a pull cursor from a reset or replaced database is recognised as unknown.
      create table driftless_database_id (id text not null);
      insert into driftless_database_id (id) values (substr(md5(random()::text || clock_timestamp()::text), 1, 16));
    `,
  },
  {
    version: 3,
    name: 'applied changes by age',
    sql: `
      -- Old change ids are pruned by age (the retention), without scanning the table.
      create index driftless_applied_changes_age on driftless_applied_changes (server_timestamp);
    `,
  },
]

// Serialises migrations when several servers start against one database at once.
const MIGRATION_LOCK_KEY = 7_246_351_902

/** Brings the schema up to date in one transaction; returns the versions it applied. */
export async function migrate(
  database: Database,
  steps: readonly Migration[] = migrations,
): Promise<number[]> {
  const ordered = [...steps].sort((a, b) => a.version - b.version)
  return database.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY])
    await tx.exec(`
      create table if not exists driftless_schema_migrations (
        version integer primary key,
        name text not null,
        applied_at timestamptz not null default now()
      )
    `)
    const rows = await tx.query<{ version: number }>('select version from driftless_schema_migrations')
    const applied = new Set(rows.map((row) => Number(row.version)))
    const newest = Math.max(0, ...applied)
    const known = ordered.at(-1)?.version ?? 0
    if (newest > known) {
      throw new Error(
        `The database schema is at version ${newest}, newer than this server knows (${known}). Upgrade the server.`,
      )
    }
    const done: number[] = []
    for (const step of ordered) {
      if (applied.has(step.version)) continue
      await tx.exec(step.sql)
      await tx.query('insert into driftless_schema_migrations (version, name) values ($1, $2)', [
        step.version,
        step.name,
      ])
      done.push(step.version)
    }
    return done
  })
}
