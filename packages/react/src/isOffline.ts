import type { SyncStatus } from '@driftless/core'

/** No network, or no connection to the backend that is not about to come (a connect in progress is not offline). */
export function isOffline(status: SyncStatus): boolean {
  return !status.isOnline || (!status.isConnected && !status.isConnecting)
}
