import type { Dexie } from 'dexie'
import { isStorageFullError, StorageFullError } from '../shared/errors.js'
import { isEngineTransaction } from './capture.js'
import { META_TABLE, OUTBOX_TABLE } from './outbox.js'

/**
 * Watches every write to `db` for the browser's quota error: a refused write rejects with `StorageFullError`
 * instead, and `report(true)` says storage is full; the app's next write that commits reports `false` (the
 * engine's own writes say nothing about the refused one). A refused write is rolled back whole, data and outbox entry together, so nothing queued is lost.
 */
export function watchStorageFull(db: Dexie, report: (full: boolean) => void): void {
  db.use({
    stack: 'dbcore',
    name: 'driftless-storage-full',
    // Above the capture middleware (level 1), so a refused outbox entry is translated too.
    level: 3,
    create(down) {
      return {
        ...down,
        transaction(stores, mode, options) {
          const trans = down.transaction(stores, mode, options)
          const events = trans as unknown as Partial<Pick<IDBTransaction, 'addEventListener' | 'error'>>
          if (mode === 'readwrite' && typeof events.addEventListener === 'function') {
            // Browsers refuse most writes at commit, so the quota error arrives on the transaction.
            events.addEventListener('abort', () => {
              if (isStorageFullError(events.error)) report(true)
            })
            const appStores = stores.some((name) => name !== OUTBOX_TABLE && name !== META_TABLE)
            events.addEventListener('complete', () => {
              if (appStores && !isEngineTransaction(trans)) report(false)
            })
          }
          return trans
        },
        table(name) {
          const table = down.table(name)
          return {
            ...table,
            mutate: (req) =>
              table.mutate(req).then(undefined, (error: unknown) => {
                if (!isStorageFullError(error)) throw error
                report(true)
                throw new StorageFullError({ cause: error })
              }),
          }
        },
      }
    },
  })
}
