import type { SyncEnvironment } from '../shared/env.js'
import { DriftlessError } from '../shared/errors.js'
import type { SyncStatus, SyncStatusStore } from '../shared/status.js'
import { LeaderElection } from './leader.js'
import { LeaderSyncError, TabChannel } from './tabChannel.js'

/** Status fields the leader owns and broadcasts; every tab computes the rest itself. */
const LEADER_FIELDS = [
  'isConnected',
  'isConnecting',
  'isUploading',
  'isDownloading',
  'hasSynced',
  'lastSyncedAt',
  'downloadProgress',
  'uploadProgress',
  'lastError',
  'uploadError',
  'downloadError',
  'connection',
  'nextRetryAt',
] as const satisfies readonly (keyof SyncStatus)[]

/** Patches of the fields the leader owns. */
export type LeaderStatus = Partial<Pick<SyncStatus, (typeof LEADER_FIELDS)[number]>>

const RETRYABLE_FORWARD = new Set(['NO_LEADER', 'LEADER_CHANGED'])

export interface TabCoordinatorHandlers {
  /** This tab became the leader: it should start the loops. */
  lead(): void
  /** Another tab took over: this tab stops its loops with `reason`. */
  follow(reason: Error): void
  /** A follower asked for a round; runs it here (this tab leads). */
  sync(): Promise<void>
}

/**
 * One database's tabs agreeing on a leader: the leader runs the loops and broadcasts the fields of the
 * status it owns; followers mirror them and forward `sync()` to it.
 */
export class TabCoordinator {
  readonly #leader: LeaderElection
  readonly #channel: TabChannel
  readonly #cleanups: (() => void)[] = []

  readonly #status: SyncStatusStore

  constructor(name: string, env: SyncEnvironment, status: SyncStatusStore, handlers: TabCoordinatorHandlers) {
    this.#status = status
    this.#leader = new LeaderElection(name, env)
    this.#channel = new TabChannel(name, env)
    this.#cleanups.push(
      this.#channel.onStatus((leaderStatus) => {
        if (this.#leader.isLeader) return
        const patch: Partial<Record<keyof SyncStatus, unknown>> = {}
        for (const key of LEADER_FIELDS) patch[key] = leaderStatus[key]
        this.#status.update(patch as Partial<SyncStatus>)
      }),
      this.#channel.onSyncRequest(() => handlers.sync()),
      this.#leader.subscribe((isLeader) => {
        this.#status.update({ isLeader })
        this.#channel.setLeader(isLeader)
        if (isLeader) {
          handlers.lead()
        } else {
          handlers.follow(new DriftlessError('NOT_LEADER', 'Another tab took over syncing.'))
        }
      }),
    )
  }

  /** Queues for leadership; without Web Locks this tab leads at once. */
  start(): void {
    this.#leader.start()
  }

  get isLeader(): boolean {
    return this.#leader.isLeader
  }

  /** Updates fields the leader owns; followers hear the new status when this tab leads. */
  update(patch: LeaderStatus): void {
    const before = this.#status.getSnapshot()
    const after = this.#status.update(patch)
    if (after !== before && this.#leader.isLeader) this.#channel.publishStatus(after)
  }

  /** The loops started here: followers hear this tab's status. */
  announceLeading(): void {
    this.#status.update({ isLeader: true })
    this.#channel.publishStatus(this.#status.getSnapshot())
  }

  /** A follower asks the leader tab for a round; a request lost in a takeover is sent once more. */
  async forwardSync(syncHere: () => Promise<void>): Promise<void> {
    try {
      await this.#channel.requestSync()
    } catch (error) {
      if (!(error instanceof LeaderSyncError && RETRYABLE_FORWARD.has(error.code))) throw error
      if (this.#leader.isLeader) return syncHere()
      await this.#channel.requestSync()
    }
  }

  /** Releases leadership and leaves the channel. */
  close(): void {
    for (const cleanup of this.#cleanups.splice(0)) cleanup()
    this.#leader.stop()
    this.#channel.close()
  }
}
