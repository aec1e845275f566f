/**
 * React renders during a sync, in the page with real React (react-dom's client renderer, no StrictMode):
 * components reading the status through `useSyncStatus` while 1,000 queued changes upload to the
 * reference server. A component selecting a field the sync does not change should not render at all.
 */
import Dexie from 'dexie'
import { createElement, type ReactNode, version } from 'react'
import { createRoot } from 'react-dom/client'
import { createSyncClient, type SyncStatus } from '../packages/core/src/index.js'
import { SyncProvider, useSyncStatus } from '../packages/react/src/index.js'
import { until } from './drainScale.js'
import { formatTable } from './table.js'
import { makeRows } from './writes.js'

export interface RenderBenchConfig {
  /** The reference server (same origin as the page) and a token for it. */
  server: string
  token: string
  changes: number
}

const renders = { isOnline: 0, isSyncing: 0, whole: 0 }

function OneField(): ReactNode {
  renders.isOnline++
  const isOnline = useSyncStatus((s) => s.isOnline)
  return createElement('p', null, isOnline ? 'online' : 'offline')
}

function ChangingField(): ReactNode {
  renders.isSyncing++
  const isSyncing = useSyncStatus((s) => s.isSyncing)
  return createElement('p', null, isSyncing ? 'syncing' : 'idle')
}

function WholeStatus(): ReactNode {
  renders.whole++
  const status: SyncStatus = useSyncStatus()
  return createElement('p', null, `${status.pendingChanges} pending`)
}

/** Lets React commit whatever the last status changes scheduled. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 100))

export async function runRenderBench(config: RenderBenchConfig): Promise<string> {
  Dexie.debug = false
  const db = new Dexie(`bench-renders-${Date.now()}`)
  db.version(1).stores({ rows: 'id' })
  const client = createSyncClient(db, { tables: { rows: true }, autoSync: false })
  await client.connect({
    fetchCredentials: async () => ({ endpoint: config.server, token: config.token }),
  })
  await client.sync()
  const container = document.createElement('div')
  document.body.append(container)
  const root = createRoot(container)
  root.render(
    createElement(
      SyncProvider,
      { client, announce: false },
      createElement(OneField),
      createElement(ChangingField),
      createElement(WholeStatus),
    ),
  )
  await db.table('rows').bulkPut(makeRows(config.changes, `renders-${Date.now()}`))
  await until(client, () => client.getSnapshot().pendingChanges === config.changes)
  await settle()

  const mounted = { ...renders }
  let snapshots = 0
  const stop = client.subscribe(() => snapshots++)
  const started = performance.now()
  await client.sync()
  await until(client, () => client.getSnapshot().pendingChanges === 0 && !client.getSnapshot().isSyncing)
  const ms = performance.now() - started
  await settle()
  stop()
  const during = {
    isOnline: renders.isOnline - mounted.isOnline,
    isSyncing: renders.isSyncing - mounted.isSyncing,
    whole: renders.whole - mounted.whole,
  }
  root.unmount()
  container.remove()
  await client.close()
  await db.delete()

  const n = config.changes.toLocaleString('en')
  return formatTable(
    `Renders during a ${n}-change sync to the reference server (${ms.toFixed(0)} ms, ${snapshots} status snapshots published; real React ${version} in the page)`,
    ['component', 'renders during the sync', 'goal'],
    [
      ['useSyncStatus(s => s.isOnline)', String(during.isOnline), '0'],
      ['useSyncStatus(s => s.isSyncing)', String(during.isSyncing), 'report (the field changes)'],
      ['useSyncStatus() (whole status)', String(during.whole), 'report'],
    ],
  )
}
