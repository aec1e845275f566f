import type { CrudBatch, CrudTransaction } from '../capture/outbox.js'
import type { SyncCredentials } from './credentials.js'

/** What `uploadData(client)` may call: the outbox, a batch or a transaction at a time. */
export interface UploadClient {
  getCrudBatch(limit?: number): Promise<CrudBatch | null>
  getNextCrudTransaction(): Promise<CrudTransaction | null>
}

/** The app's backend, as in PowerSync: credentials for the transport, and optionally its own upload. */
export interface SyncConnector {
  fetchCredentials?(): Promise<SyncCredentials>
  /**
   * Uploads one batch or transaction and calls `complete()` on it. Omit it to push through the
   * transport (the wire contract), with conflicts, per-change errors and poison changes handled.
   */
  uploadData?(client: UploadClient): Promise<void>
}
