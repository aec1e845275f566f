import pg from 'pg'
import type { Database } from '../database.js'
import { migrate } from '../migrations.js'
import { openPgliteDatabase } from '../pgliteDatabase.js'
import { openPostgresDatabase } from '../postgresDatabase.js'

/** A storage backend the shared suites run against. */
export interface TestBackend {
  readonly name: string
  /** A migrated, empty database of its own; `close()` removes what it created. */
  open(): Promise<Database>
}

const pglite: TestBackend = {
  name: 'PGlite',
  async open() {
    const database = await openPgliteDatabase()
    await migrate(database)
    return database
  },
}

function postgres(url: string): TestBackend {
  return {
    name: 'PostgreSQL',
    async open() {
      // A schema per test file keeps parallel files from seeing each other's rows.
      const schema = `driftless_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`
      const database = await openPostgresDatabase({ connectionString: url, schema, maxConnections: 4 })
      await migrate(database)
      return {
        ...database,
        async close() {
          await database.close()
          const admin = new pg.Client({ connectionString: url })
          await admin.connect()
          await admin.query(`drop schema ${schema} cascade`)
          await admin.end()
        },
      }
    },
  }
}

const missingPostgres: TestBackend = {
  name: 'PostgreSQL',
  open() {
    throw new Error(
      'DRIFTLESS_TEST_DATABASE_URL is not set, but CI=true requires the PostgreSQL suite: run `.ci/postgres.sh start` and export the URL it prints.',
    )
  },
}

/**
 * PGlite always; a real PostgreSQL when DRIFTLESS_TEST_DATABASE_URL is set. On CI a missing URL
 * makes the PostgreSQL suite fail instead of quietly running PGlite alone.
 */
export function testBackends(): TestBackend[] {
  const url = process.env.DRIFTLESS_TEST_DATABASE_URL
  if (url) return [pglite, postgres(url)]
  if (process.env.CI === 'true') return [pglite, missingPostgres]
  return [pglite]
}

/** Empties the sync tables between tests; the schema and its migrations stay. */
export async function resetDatabase(database: Database): Promise<void> {
  await database.exec('truncate driftless_records, driftless_applied_changes')
}

/** Every stored row, in a stable order, to assert that a refused request changed nothing. */
export async function dumpDatabase(database: Database): Promise<unknown[]> {
  const records = await database.query(
    `select user_id, collection, record_id, type, data, deleted, change_timestamp::text, change_id, seq::text
     from driftless_records order by user_id, collection, record_id`,
  )
  const applied = await database.query(
    `select user_id, change_id, server_timestamp::text from driftless_applied_changes order by user_id, change_id`,
  )
  return [records, applied]
}
