import type { Dexie } from 'dexie'
import type { SyncEnvironment } from '../shared/env.js'

export interface DatabaseDeletedHooks {
  /** The rows, queue and cursor are gone; the connection is closed. */
  deleted(): void
  /** The database is open again, empty. Not called once `isClosed()`. */
  reopened(): void
  isClosed(): boolean
}

/**
 * Hears the database being deleted under the app (the user cleared site data, another page deleted it),
 * then opens it again, empty, so the app keeps working and sync can start from scratch. Returns the stop.
 */
export function watchDatabaseDeleted(
  db: Dexie,
  env: Pick<SyncEnvironment, 'setTimeout' | 'logger'>,
  hooks: DatabaseDeletedHooks,
): () => void {
  const onVersionChange = (event: IDBVersionChangeEvent) => {
    // Dexie closes the connection first (its own handler), so the delete can go ahead.
    if (event.newVersion) return
    env.logger.warn(
      `Driftless: the database "${db.name}" was deleted under the app; syncing it again from the server.`,
    )
    hooks.deleted()
    env.setTimeout(() => {
      if (hooks.isClosed()) return
      db.open()
        .then(() => {
          if (!hooks.isClosed()) hooks.reopened()
        })
        .catch((error: unknown) =>
          env.logger.error('Driftless: reopening the deleted database failed', error),
        )
    }, 0)
  }
  db.on('versionchange', onVersionChange)
  return () => db.on('versionchange').unsubscribe(onVersionChange)
}
