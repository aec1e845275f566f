import type pg from 'pg'
import type { Database, SqlExecutor } from './database.js'
import { PostgresListener } from './postgresListener.js'

export interface PostgresDatabaseOptions {
  connectionString: string
  /** Keeps Driftless's tables in this schema (created if missing) instead of the default `public`. */
  schema?: string | undefined
  /** Connections in the pool; defaults to 10. */
  maxConnections?: number
}

function executor(client: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      const result = await client.query(sql, [...params])
      return result.rows as Row[]
    },
    async exec(sql: string) {
      await client.query(sql)
    },
  }
}

const PLAIN_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

/** A PostgreSQL server through a `pg` connection pool. */
export async function openPostgresDatabase(options: PostgresDatabaseOptions): Promise<Database> {
  // Loaded here, not at the top, so importing @driftless/server never loads pg for a PGlite deployment.
  const { default: pg } = await import('pg')
  const { schema } = options
  if (schema !== undefined) {
    if (!PLAIN_IDENTIFIER.test(schema)) {
      throw new Error(`Invalid schema name ${JSON.stringify(schema)}: use letters, digits and underscores.`)
    }
    const setup = new pg.Client({ connectionString: options.connectionString })
    await setup.connect()
    try {
      await setup.query(`create schema if not exists ${schema}`)
    } finally {
      await setup.end()
    }
  }
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  })
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {})
  try {
    await pool.query('select 1')
  } catch (error) {
    await pool.end()
    throw error
  }
  const listener = new PostgresListener({ connectionString: options.connectionString })
  // NOTIFY channels are per database, so tables kept in separate schemas get channels of their own.
  const scoped = (channel: string) => (schema === undefined ? channel : `${channel}.${schema}`).slice(0, 63)
  return {
    kind: 'postgres',
    ...executor(pool),
    async transaction(work) {
      const client = await pool.connect()
      let broken: Error | undefined
      try {
        await client.query('begin')
        const result = await work(executor(client))
        await client.query('commit')
        return result
      } catch (error) {
        await client.query('rollback').catch((rollbackError: Error) => {
          broken = rollbackError
        })
        throw error
      } finally {
        // A connection that could not roll back is discarded rather than handed to the next request.
        client.release(broken)
      }
    },
    async notify(channel, payload) {
      await pool.query('select pg_notify($1, $2)', [scoped(channel), payload])
    },
    listen: (channel, onPayload) => listener.listen(scoped(channel), onPayload),
    async close() {
      await listener.close()
      await pool.end()
    },
  }
}
