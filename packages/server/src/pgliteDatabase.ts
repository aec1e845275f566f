import { mkdir } from 'node:fs/promises'
import { PGlite, type Transaction } from '@electric-sql/pglite'
import type { Database, SqlExecutor } from './database.js'

function executor(target: PGlite | Transaction): SqlExecutor {
  return {
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      const result = await target.query<Row>(sql, [...params])
      return result.rows
    },
    async exec(sql: string) {
      await target.exec(sql)
    },
  }
}

/** Wraps a PGlite instance; PGlite runs one statement at a time, so transactions never interleave. */
export function pgliteDatabase(pglite: PGlite): Database {
  return {
    kind: 'pglite',
    ...executor(pglite),
    transaction: (work) => pglite.transaction((tx) => work(executor(tx))),
    async notify(channel, payload) {
      await pglite.query('select pg_notify($1, $2)', [channel, payload])
    },
    listen: (channel, listener) => pglite.listen(channel, listener),
    close: () => pglite.close(),
  }
}

/** Embedded PostgreSQL in `dataDir` (created if missing), or in memory when no directory is given. */
export async function openPgliteDatabase(dataDir?: string): Promise<Database> {
  if (dataDir) await mkdir(dataDir, { recursive: true })
  const pglite = dataDir ? new PGlite(dataDir) : new PGlite()
  await pglite.waitReady
  return pgliteDatabase(pglite)
}
