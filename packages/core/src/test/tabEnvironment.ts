import { createEnvironment, type SyncEnvironment } from '../shared/env.js'
import type { FakeBroadcastHub } from './fakeBroadcastHub.js'
import type { FakeLockManager } from './fakeLockManager.js'

export interface LoggedMessage {
  readonly level: 'warn' | 'error'
  readonly message: string
  readonly details: readonly unknown[]
}

/** One simulated browser tab: a SyncEnvironment plus the means to kill the tab. */
export interface TabEnvironment extends SyncEnvironment {
  readonly tabId: string
  /** What this tab logged (unless `overrides.logger` replaced the recording logger). */
  readonly logged: LoggedMessage[]
  /** The tab dies: its locks are released, its channels close, its pending timers never fire. */
  crash(): void
}

let tabCount = 0

/**
 * A SyncEnvironment for one simulated tab sharing `hub` (BroadcastChannel) and `locks` (Web Locks) with
 * the other tabs of the test. Pass `undefined` for either to simulate a browser without it. Timers come
 * from the globals at call time, so `vi.useFakeTimers()` drives them.
 */
export function createTabEnvironment(
  hub: FakeBroadcastHub | undefined,
  locks: FakeLockManager | undefined,
  overrides: Partial<SyncEnvironment> & { tabId?: string } = {},
): TabEnvironment {
  const { tabId = `tab-${++tabCount}`, ...environment } = overrides
  const logged: LoggedMessage[] = []
  const timers = new Set<unknown>()
  let alive = true
  const base = createEnvironment({
    broadcastChannel: (name) => (hub && alive ? hub.channel(name, tabId) : undefined),
    locks: locks?.forTab(tabId),
    logger: {
      warn: (message, ...details) => logged.push({ level: 'warn', message, details }),
      error: (message, ...details) => logged.push({ level: 'error', message, details }),
    },
    ...environment,
  })
  return {
    ...base,
    tabId,
    logged,
    setTimeout(callback, ms) {
      if (!alive) return undefined
      const handle: unknown = base.setTimeout(() => {
        timers.delete(handle)
        if (alive) callback()
      }, ms)
      timers.add(handle)
      return handle
    },
    clearTimeout(handle) {
      timers.delete(handle)
      base.clearTimeout(handle)
    },
    crash() {
      alive = false
      for (const handle of timers) base.clearTimeout(handle)
      timers.clear()
      locks?.crash(tabId)
      hub?.crash(tabId)
    },
  }
}
