import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { LockManagerLike } from '../shared/env.js'
import { FakeLockManager } from '../test/fakeLockManager.js'
import { createTabEnvironment } from '../test/tabEnvironment.js'
import { LeaderElection, leaderLockName } from './leader.js'

const LOCK = leaderLockName('todos')

/** Runs pending microtasks and 0 ms timers, but lets no time pass: what happens now happens promptly. */
const settle = () => vi.advanceTimersByTimeAsync(0)

function openTabs(count: number, locks = new FakeLockManager()) {
  const tabs = Array.from({ length: count }, () => {
    const env = createTabEnvironment(undefined, locks)
    return { env, election: new LeaderElection('todos', env) }
  })
  return { locks, tabs }
}

const leaders = (tabs: { election: LeaderElection }[]) =>
  tabs.filter((tab) => tab.election.isLeader).map((tab) => tab.election)

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('LeaderElection', () => {
  it('makes exactly one of three tabs the leader, holding the lock named for the database', async () => {
    const { locks, tabs } = openTabs(3)
    for (const tab of tabs) tab.election.start()
    await settle()

    expect(leaders(tabs)).toEqual([tabs[0]!.election])
    expect(locks.holders(LOCK)).toEqual([tabs[0]!.env.tabId])
    expect(locks.waiting(LOCK)).toEqual([tabs[1]!.env.tabId, tabs[2]!.env.tabId])
  })

  it('hands over to exactly one waiting tab, in request order, when the leader stops', async () => {
    const { tabs } = openTabs(3)
    for (const tab of tabs) tab.election.start()
    await settle()

    tabs[0]!.election.stop()
    expect(tabs[0]!.election.isLeader).toBe(false)
    await settle()
    expect(leaders(tabs)).toEqual([tabs[1]!.election])

    tabs[1]!.election.stop()
    await settle()
    expect(leaders(tabs)).toEqual([tabs[2]!.election])
  })

  it('hands over when the leader tab crashes without stopping', async () => {
    const { locks, tabs } = openTabs(3)
    for (const tab of tabs) tab.election.start()
    await settle()

    tabs[0]!.env.crash()
    await settle()

    expect(leaders(tabs.slice(1))).toEqual([tabs[1]!.election])
    expect(locks.holders(LOCK)).toEqual([tabs[1]!.env.tabId])
  })

  it('tells subscribers when this tab gains and loses leadership, once each', async () => {
    const { tabs } = openTabs(2)
    const heard: boolean[] = []
    tabs[1]!.election.subscribe((isLeader) => heard.push(isLeader))
    tabs[0]!.election.start()
    tabs[1]!.election.start()
    await settle()
    expect(heard).toEqual([])

    tabs[0]!.election.stop()
    await settle()
    tabs[1]!.election.stop()
    tabs[1]!.election.stop()
    await settle()
    expect(heard).toEqual([true, false])
  })

  it('withdraws a waiting request on stop, so a stopped tab never becomes leader later', async () => {
    const { locks, tabs } = openTabs(3)
    for (const tab of tabs) tab.election.start()
    await settle()

    tabs[1]!.election.stop()
    await settle()
    expect(locks.waiting(LOCK)).toEqual([tabs[2]!.env.tabId])

    tabs[0]!.election.stop()
    await settle()
    expect(leaders(tabs)).toEqual([tabs[2]!.election])
  })

  it('survives StrictMode: start, stop, start on one instance ends leading with one lock held', async () => {
    const { locks, tabs } = openTabs(2)
    const [first, second] = tabs
    const heard: boolean[] = []
    first!.election.subscribe((isLeader) => heard.push(isLeader))

    first!.election.start()
    first!.election.stop()
    first!.election.start()
    first!.election.start()
    second!.election.start()
    await settle()

    expect(first!.election.isLeader).toBe(true)
    expect(second!.election.isLeader).toBe(false)
    expect(locks.holders(LOCK)).toEqual([first!.env.tabId])
    expect(locks.waiting(LOCK)).toEqual([second!.env.tabId])
    expect(heard).toEqual([true])
  })

  it('survives StrictMode after leading: stop, start again, and still only one lock is held', async () => {
    const { locks, tabs } = openTabs(1)
    const election = tabs[0]!.election
    election.start()
    await settle()

    election.stop()
    election.start()
    await settle()

    expect(election.isLeader).toBe(true)
    expect(locks.holders(LOCK)).toEqual([tabs[0]!.env.tabId])
  })

  it('lets go of a lock granted after stop, so the next tab can lead', async () => {
    const locks = new FakeLockManager()
    const slow = locks.forTab('slow')
    const grantedLate: LockManagerLike = {
      // Grants but ignores the abort signal: the lock is granted although stop() came first.
      request: (name, options, callback) => slow.request(name, { mode: options.mode }, callback),
    }
    const env = createTabEnvironment(undefined, locks, { locks: grantedLate })
    const election = new LeaderElection('todos', env)
    const other = new LeaderElection('todos', createTabEnvironment(undefined, locks))

    election.start()
    other.start()
    election.stop()
    await settle()

    expect(election.isLeader).toBe(false)
    expect(other.isLeader).toBe(true)
  })

  it('stops leading when another context steals the lock, and queues to lead again after it', async () => {
    const { locks, tabs } = openTabs(1)
    const election = tabs[0]!.election
    election.start()
    await settle()
    let releaseStolen!: () => void
    locks
      .forTab('thief')
      .request(LOCK, { steal: true }, () => new Promise<void>((resolve) => (releaseStolen = resolve)))
    await settle()

    expect(election.isLeader).toBe(false)
    expect(locks.holders(LOCK)).toEqual(['thief'])
    expect(locks.waiting(LOCK)).toEqual([tabs[0]!.env.tabId])

    releaseStolen()
    await settle()
    expect(election.isLeader).toBe(true)
  })

  it('keeps the lock and tells the other listeners when one listener throws', async () => {
    const { locks, tabs } = openTabs(2)
    const [first, second] = tabs
    first!.election.subscribe(() => {
      throw new Error('listener bug')
    })
    const heard = vi.fn()
    first!.election.subscribe(heard)

    first!.election.start()
    second!.election.start()
    await settle()

    expect(heard).toHaveBeenCalledExactlyOnceWith(true)
    expect(locks.holders(LOCK)).toEqual([first!.env.tabId])
    expect(second!.election.isLeader).toBe(false)
    expect(first!.env.logged).toEqual([
      expect.objectContaining({
        level: 'error',
        details: [expect.objectContaining({ message: 'listener bug' })],
      }),
    ])
  })

  it('leads alone at once without Web Locks, and says so once', () => {
    const env = createTabEnvironment(undefined, undefined)
    const election = new LeaderElection('todos', env)

    election.start()
    expect(election.isLeader).toBe(true)
    election.stop()
    expect(election.isLeader).toBe(false)
    election.start()
    expect(election.isLeader).toBe(true)

    expect(env.logged).toHaveLength(1)
    expect(env.logged[0]!.message).toMatch(/Web Locks .* not available.*leads alone/)
  })

  it('leads alone when the lock request itself fails, rather than never syncing', async () => {
    const env = createTabEnvironment(undefined, undefined, {
      locks: { request: () => Promise.reject(new DOMException('opaque origin', 'SecurityError')) },
    })
    const election = new LeaderElection('todos', env)

    election.start()
    await settle()

    expect(election.isLeader).toBe(true)
    expect(env.logged.map((entry) => entry.message)).toEqual([
      expect.stringMatching(/opaque origin.*leads alone/),
    ])
  })
})
