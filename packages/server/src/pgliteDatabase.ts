import { mkdir } from 'node:fs/promises'
import type { PGlite, Transaction } from '@electric-sql/pglite'
import { type Database, DatabaseBusyError, type SqlExecutor } from './database.js'
import { lockDataDir } from './dataDirLock.js'

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

/**
 * Operations allowed to wait for PGlite at once. PGlite answers one at a time, so a longer line only
 * makes every request slower until clients time out; past it a request is refused at once (503, retry).
 */
export const DEFAULT_MAX_WAITING = 256

/** Wraps a PGlite instance; PGlite runs one statement at a time, so transactions never interleave. */
export function pgliteDatabase(
  pglite: PGlite,
  onClose?: () => void,
  maxWaiting: number = DEFAULT_MAX_WAITING,
): Database {
  let waiting = 0
  const admitted = async <T>(work: () => Promise<T>): Promise<T> => {
    if (waiting >= maxWaiting) throw new DatabaseBusyError(waiting)
    waiting++
    try {
      return await work()
    } finally {
      waiting--
    }
  }
  const direct = executor(pglite)
  return {
    kind: 'pglite',
    query: <Row>(sql: string, params?: readonly unknown[]) => admitted(() => direct.query<Row>(sql, params)),
    exec: (sql) => admitted(() => direct.exec(sql)),
    transaction: (work) => admitted(() => pglite.transaction((tx) => work(executor(tx)))),
    async notify(channel, payload) {
      await pglite.query('select pg_notify($1, $2)', [channel, payload])
    },
    listen: (channel, listener) => pglite.listen(channel, listener),
    async close() {
      try {
        await pglite.close()
      } finally {
        onClose?.()
      }
    },
  }
}

/**
 * Embedded PostgreSQL in `dataDir` (created if missing), or in memory when no directory is given.
 * The directory is locked while open: a second server on it would lose acknowledged writes.
 */
export async function openPgliteDatabase(dataDir?: string): Promise<Database> {
  if (!dataDir) return pgliteDatabase(await startPglite())
  await mkdir(dataDir, { recursive: true })
  const unlock = await lockDataDir(dataDir)
  try {
    return pgliteDatabase(await startPglite(dataDir), unlock)
  } catch (error) {
    unlock()
    throw error
  }
}

async function startPglite(dataDir?: string): Promise<PGlite> {
  // Loaded here, not at the top, so importing @driftless/server never loads PGlite for a PostgreSQL deployment.
  const { PGlite } = await import('@electric-sql/pglite')
  const pglite = dataDir ? new PGlite(dataDir) : new PGlite()
  await pglite.waitReady
  return pglite
}
