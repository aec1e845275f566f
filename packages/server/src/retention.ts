import type { Database } from './database.js'
import { ServerConfigError } from './httpError.js'

export const DEFAULT_CHANGE_ID_RETENTION_DAYS = 30

const DAY_MS = 24 * 3600 * 1000
// Pruning scans by age; once an hour keeps that off the path of almost every push.
const PRUNE_EVERY_MS = 3600 * 1000

/**
 * Forgets applied change ids older than `days` (0 keeps them forever), at most once an hour. A replay
 * after that is still recognised while the stored row names the change, and judged by LWW otherwise.
 */
export function createChangeIdPruner(
  database: Database,
  days: number = DEFAULT_CHANGE_ID_RETENTION_DAYS,
  now: () => number,
): () => Promise<void> {
  if (!Number.isInteger(days) || days < 0) {
    throw new ServerConfigError(
      `changeIdRetentionDays must be a whole number of days, 0 to keep change ids forever; got ${days}.`,
    )
  }
  let lastPrunedAt = Number.NEGATIVE_INFINITY
  return async () => {
    const at = now()
    if (days === 0 || at - lastPrunedAt < PRUNE_EVERY_MS) return
    lastPrunedAt = at
    await database.query('delete from driftless_applied_changes where server_timestamp < $1', [
      at - days * DAY_MS,
    ])
  }
}
