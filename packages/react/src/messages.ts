import { relativeTime } from './relativeTime.js'

/**
 * Every word the components show or announce, for the people using the app. Replace any of them for
 * every component at once (`<SyncProvider messages={…}>`) or for one (`labels`), e.g. to translate.
 * Technical detail (URLs, HTTP statuses, change ids) never goes here: it stays in `status.lastError`.
 */
export interface SyncMessages {
  connecting: string
  synced: string
  /** `count` changes are being uploaded (0 while only downloading). */
  syncing: (count: number) => string
  pending: (count: number) => string
  failed: (count: number) => string
  /** The headlines of the states where changes cannot sync; `count` changes wait on this device. */
  offline: (count: number) => string
  unreachable: (count: number) => string
  needsAuth: (count: number) => string
  paused: (count: number) => string
  disconnected: (count: number) => string
  /** The device refused the last write: its storage is full. */
  storageFull: string
  /** Countdown to the next automatic retry. */
  retryIn: (seconds: number) => string
  retryingNow: string
  lastSynced: (time: string) => string
  /** Formats `at` relative to `now` (epoch ms) for `lastSynced`. */
  formatTime: (at: number, now: number) => string
  /** The summary of the expandable technical detail. */
  details: string
  retry: string
  retryFailed: (count: number) => string
  /** What a retry achieved. */
  resultSynced: string
  resultOffline: string
  resultUnreachable: string
  resultNeedsAuth: string
  resultPaused: string
  /** Announced when a problem ends. */
  backOnline: string
  resumed: string
  allSynced: string
}

const changes = (count: number) => (count === 1 ? '1 change' : `${count} changes`)

/** "3 changes are saved on this device and will sync <when>", or a general note with none waiting. */
const saved = (count: number, when: string) =>
  count === 0
    ? 'Changes you make are saved on this device.'
    : `${changes(count)} ${count === 1 ? 'is' : 'are'} saved on this device and will sync ${when}.`

export const defaultSyncMessages: SyncMessages = {
  connecting: 'Connecting…',
  synced: 'All changes synced',
  syncing: (count) => (count > 0 ? `Syncing ${changes(count)}…` : 'Syncing…'),
  pending: (count) => `${changes(count)} waiting to sync`,
  failed: (count) => `${changes(count)} could not be saved.`,
  offline: (count) => `You're offline. ${saved(count, "when you're back online")}`,
  unreachable: (count) => `Can't reach the server. ${saved(count, "when it's back")}`,
  needsAuth: (count) => `Please sign in again to sync. ${saved(count, 'after you sign in')}`,
  paused: (count) => `Sync is paused. ${saved(count, 'when you resume')}`,
  disconnected: (count) => `Sync is off. ${saved(count, 'when it is on')}`,
  storageFull:
    'This device is out of storage space, so your last change was not saved. Free up some space, then try again.',
  retryIn: (seconds) => `Trying again in ${seconds} s.`,
  retryingNow: 'Trying again now…',
  lastSynced: (time) => `Last synced ${time}`,
  formatTime: (at, now) => relativeTime(at, now),
  details: 'Details',
  retry: 'Sync now',
  retryFailed: (count) => (count === 1 ? 'Try the failed change again' : `Try ${count} failed changes again`),
  resultSynced: 'Synced.',
  resultOffline: 'Still offline. Your changes are safe on this device.',
  resultUnreachable: "Still can't reach the server. Your changes are safe on this device.",
  resultNeedsAuth: 'The server still does not accept your sign-in.',
  resultPaused: 'Sync is paused.',
  backOnline: 'Back online.',
  resumed: 'Sync resumed.',
  allSynced: 'All changes synced.',
}
