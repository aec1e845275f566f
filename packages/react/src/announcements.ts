import type { SyncStatus } from '@driftless/core'
import type { SyncMessages } from './messages.js'
import { headline, isBlocked, type SyncStatusState, syncState } from './syncState.js'

/** What the announcer remembers between snapshots. */
export interface AnnouncementMemory {
  readonly state: SyncStatusState
  readonly failed: number
  /** A problem was announced and "all synced" has not been said since. */
  readonly recovering: boolean
}

export const initialAnnouncementMemory: AnnouncementMemory = {
  state: 'loading',
  failed: 0,
  recovering: false,
}

/**
 * What a screen reader should hear when the status moves from `memory` to `status`: transitions only
 * (went offline, back online, all synced after a problem, more changes failed), never a retry round,
 * a countdown or a count that merely changed. Returns the new memory and the message, or null.
 */
export function nextAnnouncement(
  memory: AnnouncementMemory,
  status: SyncStatus,
  text: SyncMessages,
): { memory: AnnouncementMemory; message: string | null } {
  const state = syncState(status)
  if (state === 'loading') return { memory, message: null }
  const failed = status.failedChanges
  const next = { state, failed, recovering: memory.recovering }
  if (isBlocked(state)) {
    if (state === memory.state || state === 'disconnected') return { memory: next, message: null }
    // Without counts: a count that changes later must not make the same news sound new.
    const message = headline(state, { ...status, pendingChanges: 0 }, text)
    return { memory: { ...next, recovering: true }, message }
  }
  if (state === 'storage-full') {
    if (memory.state === 'storage-full') return { memory: next, message: null }
    return { memory: { ...next, recovering: true }, message: text.storageFull }
  }
  if (failed > memory.failed) return { memory: next, message: text.failed(failed) }
  if (isBlocked(memory.state) && memory.state !== 'disconnected') {
    const back = memory.state === 'paused' ? text.resumed : text.backOnline
    if (state === 'synced')
      return { memory: { ...next, recovering: false }, message: `${back} ${text.allSynced}` }
    return { memory: next, message: back }
  }
  if (memory.recovering && state === 'synced') {
    return { memory: { ...next, recovering: false }, message: text.allSynced }
  }
  return { memory: next, message: null }
}
