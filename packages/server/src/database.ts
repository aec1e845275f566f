import { migrate } from './migrations.js'
import { openPgliteDatabase } from './pgliteDatabase.js'
import { openPostgresDatabase } from './postgresDatabase.js'

/** Runs SQL with positional parameters (`$1`, `$2`, …) and returns the rows. */
export interface SqlExecutor {
  query<Row>(sql: string, params?: readonly unknown[]): Promise<Row[]>
  /** Runs one or more statements without parameters (migrations). */
  exec(sql: string): Promise<void>
}

/**
 * The storage the sync handler runs on: embedded PostgreSQL (PGlite) or a PostgreSQL server.
 * Both speak the same SQL, so the schema, migrations and queries are written once.
 */
export interface Database extends SqlExecutor {
  readonly kind: 'pglite' | 'postgres'
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>
  /** PostgreSQL NOTIFY: every process listening on `channel` of this database gets `payload` (under 8000 bytes). */
  notify(channel: string, payload: string): Promise<void>
  /** PostgreSQL LISTEN; resolves once listening, to the function that stops it. */
  listen(channel: string, listener: (payload: string) => void): Promise<() => Promise<void>>
  close(): Promise<void>
}

/** More requests wait for the storage than it can answer in good time; the client should retry shortly. */
export class DatabaseBusyError extends Error {
  readonly code = 'DATABASE_BUSY'
  constructor(waiting: number) {
    super(`The database has ${waiting} operations waiting already; try again in a moment.`)
    this.name = 'DatabaseBusyError'
  }
}

export interface OpenDatabaseOptions {
  /** A PostgreSQL connection string; when set, the server uses it instead of PGlite. */
  databaseUrl?: string
  /** Where PGlite keeps its files; in memory when omitted and no `databaseUrl` is set. */
  dataDir?: string
  /** PostgreSQL only: the schema to keep Driftless's tables in (created if missing). */
  schema?: string
}

/** Opens the configured storage and brings its schema up to date; only that storage's driver is loaded. */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  const database = options.databaseUrl
    ? await openPostgresDatabase({ connectionString: options.databaseUrl, schema: options.schema })
    : await openPgliteDatabase(options.dataDir)
  try {
    await migrate(database)
  } catch (error) {
    await database.close()
    throw error
  }
  return database
}
