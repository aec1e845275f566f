import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { TransportError } from '../shared/errors.js'
import { initialSyncStatus, type SyncStatus } from '../shared/status.js'
import { FakeBroadcastHub } from '../test/fakeBroadcastHub.js'
import { FakeLockManager } from '../test/fakeLockManager.js'
import { createTabEnvironment } from '../test/tabEnvironment.js'
import { LeaderElection } from './leader.js'
import { LeaderSyncError, TabChannel, type TabChannelOptions, tabChannelName } from './tabChannel.js'

/** Lets messages (0 ms macrotasks, chained) travel between tabs; far less than any timeout. */
const exchange = () => vi.advanceTimersByTimeAsync(20)

function openTab(hub: FakeBroadcastHub | undefined, options: TabChannelOptions = {}) {
  const env = createTabEnvironment(hub, undefined)
  const channel = new TabChannel('todos', env, { tabId: env.tabId, ...options })
  return { env, channel }
}

function status(patch: Partial<SyncStatus>): SyncStatus {
  return { ...initialSyncStatus, ...patch }
}

function deferred() {
  let resolve!: () => void
  let reject!: (error: unknown) => void
  const promise = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** Records how a promise settled without leaving it unhandled. */
function track(promise: Promise<unknown>) {
  const outcome: { state: 'pending' | 'resolved' | 'rejected'; error?: unknown } = { state: 'pending' }
  promise.then(
    () => {
      outcome.state = 'resolved'
    },
    (error: unknown) => {
      outcome.state = 'rejected'
      outcome.error = error
    },
  )
  return outcome
}

let hub: FakeBroadcastHub
beforeEach(() => {
  vi.useFakeTimers()
  hub = new FakeBroadcastHub()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('TabChannel status', () => {
  it("gives every follower each distinct status the leader publishes, and never echoes the leader's own", async () => {
    const leader = openTab(hub)
    const followers = [openTab(hub), openTab(hub)]
    const heardByLeader = vi.fn()
    leader.channel.onStatus(heardByLeader)
    const heard = followers.map((follower) => {
      const listener = vi.fn()
      follower.channel.onStatus(listener)
      return listener
    })
    leader.channel.setLeader(true)

    leader.channel.publishStatus(status({ isLeader: true, pendingChanges: 3 }))
    leader.channel.publishStatus(status({ isLeader: true, pendingChanges: 3 }))
    await exchange()

    for (const [index, follower] of followers.entries()) {
      expect(heard[index]).toHaveBeenCalledOnce()
      expect(follower.channel.status).toEqual(status({ isLeader: true, pendingChanges: 3 }))
      expect(Object.isFrozen(follower.channel.status)).toBe(true)
      expect(follower.channel.leaderId).toBe(leader.channel.tabId)
      expect(heard[index]).toHaveBeenLastCalledWith(status({ isLeader: true, pendingChanges: 3 }))
    }
    expect(heardByLeader).not.toHaveBeenCalled()
  })

  it("answers a late follower's hello with the current status, addressed to it alone", async () => {
    const leader = openTab(hub)
    const early = openTab(hub)
    leader.channel.setLeader(true)
    leader.channel.publishStatus(status({ isLeader: true, pendingChanges: 1 }))
    leader.channel.publishStatus(status({ isLeader: true, pendingChanges: 2, isUploading: true }))
    await exchange()
    const earlyHeard = vi.fn()
    early.channel.onStatus(earlyHeard)

    const late = openTab(hub)
    await exchange()

    expect(late.channel.status).toEqual(status({ isLeader: true, pendingChanges: 2, isUploading: true }))
    expect(late.channel.leaderId).toBe(leader.channel.tabId)
    expect(earlyHeard).not.toHaveBeenCalled()
  })

  it('announces a new leader with the status it published before it led, whichever order the client uses', async () => {
    const follower = openTab(hub)
    const next = openTab(hub)
    next.channel.publishStatus(status({ isLeader: true, pendingChanges: 5 }))
    await exchange()
    expect(follower.channel.status).toBeNull()

    next.channel.setLeader(true)
    await exchange()

    expect(follower.channel.leaderId).toBe(next.channel.tabId)
    expect(follower.channel.status).toEqual(status({ isLeader: true, pendingChanges: 5 }))
  })

  it('keeps a leading tab on its own status when another tab also leads (no Web Locks: each leads alone)', async () => {
    const one = openTab(hub)
    const two = openTab(hub)
    const heardByOne = vi.fn()
    one.channel.onStatus(heardByOne)
    one.channel.setLeader(true)
    two.channel.setLeader(true)

    two.channel.publishStatus(status({ isLeader: true, pendingChanges: 2 }))
    await exchange()

    expect(heardByOne).not.toHaveBeenCalled()
    expect(one.channel.leaderId).toBe(one.channel.tabId)
  })

  it('sends nothing from a follower that publishes its mirrored status', async () => {
    const leader = openTab(hub)
    const follower = openTab(hub)
    leader.channel.setLeader(true)
    await exchange()
    const heardByLeader = vi.fn()
    leader.channel.onStatus(heardByLeader)
    const other = openTab(hub)
    await exchange()
    const heardByOther = vi.fn()
    other.channel.onStatus(heardByOther)

    follower.channel.publishStatus(status({ pendingChanges: 9 }))
    await exchange()

    expect(heardByLeader).not.toHaveBeenCalled()
    expect(heardByOther).not.toHaveBeenCalled()
  })
})

describe('TabChannel requestSync', () => {
  it("resolves a follower's request once the leader's round has finished", async () => {
    const leader = openTab(hub)
    const follower = openTab(hub)
    const round = deferred()
    const handler = vi.fn(() => round.promise)
    leader.channel.onSyncRequest(handler)
    leader.channel.setLeader(true)
    await exchange()

    const outcome = track(follower.channel.requestSync())
    await exchange()
    expect(handler).toHaveBeenCalledOnce()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(outcome.state).toBe('pending')

    round.resolve()
    await exchange()
    expect(outcome.state).toBe('resolved')
  })

  it("rejects with the leader's error, keeping its code and message", async () => {
    const leader = openTab(hub)
    const follower = openTab(hub)
    leader.channel.onSyncRequest(() =>
      Promise.reject(new TransportError(503, 'The sync server answered 503; retrying in 5 s.')),
    )
    leader.channel.setLeader(true)
    await exchange()

    const outcome = track(follower.channel.requestSync())
    await exchange()

    expect(outcome.state).toBe('rejected')
    expect(outcome.error).toBeInstanceOf(LeaderSyncError)
    expect(outcome.error).toMatchObject({
      code: 'TRANSPORT',
      message: 'The sync server answered 503; retrying in 5 s.',
    })
  })

  it('rejects with NO_LEADER when no tab accepts the request within the timeout', async () => {
    openTab(hub)
    const follower = openTab(hub, { requestTimeoutMs: 2000 })

    const outcome = track(follower.channel.requestSync())
    await vi.advanceTimersByTimeAsync(1999)
    expect(outcome.state).toBe('pending')
    await vi.advanceTimersByTimeAsync(1)

    expect(outcome.state).toBe('rejected')
    expect(outcome.error).toMatchObject({
      code: 'NO_LEADER',
      message: expect.stringMatching(/2000 ms.*sync\(\) again/),
    })
  })

  it('delivers a request nobody accepted yet to the tab that takes over meanwhile', async () => {
    const follower = openTab(hub)
    const next = openTab(hub)
    const handler = vi.fn(() => Promise.resolve())
    next.channel.onSyncRequest(handler)

    const outcome = track(follower.channel.requestSync())
    await vi.advanceTimersByTimeAsync(1000)
    next.channel.setLeader(true)
    await exchange()

    expect(handler).toHaveBeenCalledOnce()
    expect(outcome.state).toBe('resolved')
  })

  it('rejects with LEADER_CHANGED when the leader stops leading during the round', async () => {
    const leader = openTab(hub)
    const follower = openTab(hub)
    leader.channel.onSyncRequest(() => new Promise(() => {}))
    leader.channel.setLeader(true)
    await exchange()

    const outcome = track(follower.channel.requestSync())
    await exchange()
    leader.channel.setLeader(false)
    await exchange()

    expect(outcome.state).toBe('rejected')
    expect(outcome.error).toMatchObject({ code: 'LEADER_CHANGED' })
  })

  it('rejects with LEADER_CHANGED when the leader tab crashes during the round and another takes over', async () => {
    const leader = openTab(hub)
    const follower = openTab(hub)
    const next = openTab(hub)
    leader.channel.onSyncRequest(() => new Promise(() => {}))
    leader.channel.setLeader(true)
    await exchange()

    const outcome = track(follower.channel.requestSync())
    await exchange()
    leader.env.crash()
    next.channel.setLeader(true)
    await exchange()

    expect(outcome.state).toBe('rejected')
    expect(outcome.error).toMatchObject({ code: 'LEADER_CHANGED' })
    expect(follower.channel.leaderId).toBe(next.channel.tabId)
  })

  it('fails a pending request when this very tab becomes the leader, so the caller runs it here', async () => {
    const follower = openTab(hub)
    const outcome = track(follower.channel.requestSync())
    follower.channel.setLeader(true)
    await exchange()

    expect(outcome.state).toBe('rejected')
    expect(outcome.error).toMatchObject({ code: 'LEADER_CHANGED' })
  })

  it('runs the handler in this tab when it leads, sending nothing', async () => {
    const leader = openTab(hub)
    const other = openTab(hub)
    const otherHandler = vi.fn(() => Promise.resolve())
    other.channel.onSyncRequest(otherHandler)
    const handler = vi.fn(() => Promise.resolve())
    leader.channel.onSyncRequest(handler)
    leader.channel.setLeader(true)

    await expect(leader.channel.requestSync()).resolves.toBeUndefined()
    await exchange()
    expect(handler).toHaveBeenCalledOnce()
    expect(otherHandler).not.toHaveBeenCalled()
  })

  it('rejects with NO_SYNC_HANDLER when the leader has no handler registered', async () => {
    const leader = openTab(hub)
    const follower = openTab(hub)
    const unregister = leader.channel.onSyncRequest(() => Promise.resolve())
    unregister()
    leader.channel.setLeader(true)
    await exchange()

    const outcome = track(follower.channel.requestSync())
    await exchange()

    expect(outcome.error).toMatchObject({ code: 'NO_SYNC_HANDLER' })
  })
})

describe('TabChannel robustness', () => {
  it('ignores malformed, foreign, misaddressed and own messages', async () => {
    const tab = openTab(hub)
    const heard = vi.fn()
    tab.channel.onStatus(heard)
    const stranger = hub.channel(tabChannelName('todos'), 'stranger')
    const valid = { v: 1, from: 'stranger', type: 'status', status: status({ pendingChanges: 1 }) }

    for (const message of [
      null,
      'status',
      42,
      { ...valid, v: undefined },
      { ...valid, from: '' },
      { ...valid, type: 'gossip' },
      { ...valid, status: { ...valid.status, pendingChanges: 'many' } },
      { ...valid, status: { isOnline: true } },
      { ...valid, to: 'someone-else' },
      { ...valid, from: tab.channel.tabId },
      { v: 1, from: 'stranger', type: 'sync-done', requestId: 'nobody', error: null },
    ]) {
      stranger.postMessage(message)
    }
    await exchange()

    expect(heard).not.toHaveBeenCalled()
    expect(tab.channel.status).toBeNull()
    expect(tab.env.logged).toEqual([])
  })

  it('keeps delivering to the other listeners when one status listener throws', async () => {
    const leader = openTab(hub)
    const follower = openTab(hub)
    follower.channel.onStatus(() => {
      throw new Error('listener bug')
    })
    const heard = vi.fn()
    follower.channel.onStatus(heard)
    leader.channel.setLeader(true)

    leader.channel.publishStatus(status({ isLeader: true }))
    await exchange()

    expect(heard).toHaveBeenCalledOnce()
    expect(follower.env.logged).toEqual([expect.objectContaining({ level: 'error' })])
  })

  it('warns once when a tab speaking another protocol version shows up', async () => {
    const tab = openTab(hub)
    const newer = hub.channel(tabChannelName('todos'), 'newer')

    newer.postMessage({ v: 2, from: 'newer', type: 'hello' })
    newer.postMessage({ v: 2, from: 'newer', type: 'status', status: null })
    await exchange()

    expect(tab.env.logged).toHaveLength(1)
    expect(tab.env.logged[0]!.message).toMatch(/protocol v2.*Reload/)
  })

  it('stops everything on close: pending requests fail, nothing is heard or sent, the channel closes', async () => {
    const leader = openTab(hub)
    const follower = openTab(hub)
    leader.channel.setLeader(true)
    await exchange()
    const heard = vi.fn()
    follower.channel.onStatus(heard)
    const pending = track(follower.channel.requestSync())

    follower.channel.close()
    follower.channel.close()
    leader.channel.publishStatus(status({ isLeader: true, pendingChanges: 4 }))
    await exchange()

    expect(pending.error).toMatchObject({ code: 'TAB_CHANNEL_CLOSED' })
    await expect(follower.channel.requestSync()).rejects.toMatchObject({ code: 'TAB_CHANNEL_CLOSED' })
    expect(heard).not.toHaveBeenCalled()
    expect(hub.openChannels().map((channel) => channel.tab)).toEqual([leader.env.tabId])
    expect(vi.getTimerCount()).toBe(0)
  })

  it("fails followers' requests at once when the leader closes mid-round", async () => {
    const leader = openTab(hub)
    const follower = openTab(hub)
    leader.channel.onSyncRequest(() => new Promise(() => {}))
    leader.channel.setLeader(true)
    await exchange()
    const outcome = track(follower.channel.requestSync())
    await exchange()

    leader.channel.close()
    await exchange()

    expect(outcome.error).toMatchObject({ code: 'LEADER_CHANGED' })
    expect(follower.channel.leaderId).toBeNull()
  })

  it('works alone without BroadcastChannel: the leader runs requests itself, a follower cannot reach one', async () => {
    const alone = openTab(undefined)
    const handler = vi.fn(() => Promise.resolve())
    alone.channel.onSyncRequest(handler)

    alone.channel.publishStatus(status({ pendingChanges: 1 }))
    await expect(alone.channel.requestSync()).rejects.toMatchObject({ code: 'NO_LEADER' })

    alone.channel.setLeader(true)
    await expect(alone.channel.requestSync()).resolves.toBeUndefined()
    expect(handler).toHaveBeenCalledOnce()
    alone.channel.close()
  })
})

describe('TabChannel with LeaderElection', () => {
  it('keeps every tab following the one leader, and follows the next one when the leader tab crashes', async () => {
    const locks = new FakeLockManager()
    const tabs = Array.from({ length: 3 }, () => {
      const env = createTabEnvironment(hub, locks)
      const election = new LeaderElection('todos', env)
      const channel = new TabChannel('todos', env, { tabId: env.tabId })
      const rounds = vi.fn(() => Promise.resolve())
      channel.onSyncRequest(rounds)
      election.subscribe((isLeader) => {
        channel.setLeader(isLeader)
        channel.publishStatus(status({ isLeader, pendingChanges: 7 }))
      })
      election.start()
      return { env, election, channel, rounds }
    })
    const [first, second, third] = tabs
    await exchange()

    expect(tabs.filter((tab) => tab.election.isLeader)).toEqual([first])
    expect(second!.channel.leaderId).toBe(first!.env.tabId)
    expect(third!.channel.status).toEqual(status({ isLeader: true, pendingChanges: 7 }))

    first!.env.crash()
    await exchange()

    expect([second, third].filter((tab) => tab!.election.isLeader)).toEqual([second])
    expect(third!.channel.leaderId).toBe(second!.env.tabId)
    const outcome = track(third!.channel.requestSync())
    await exchange()
    expect(outcome.state).toBe('resolved')
    expect(second!.rounds).toHaveBeenCalledOnce()
    expect(first!.rounds).not.toHaveBeenCalled()
  })
})
