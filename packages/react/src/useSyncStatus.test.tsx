import { act, render, screen } from '@testing-library/react'
import type { ReactNode } from 'react'
import { beforeEach, describe, expect, it } from 'vitest'
import { MissingSyncProviderError } from './MissingSyncProviderError.js'
import { SyncProvider } from './SyncProvider.js'
import { shallowEqual } from './shallowEqual.js'
import { FakeSyncClient } from './test/FakeSyncClient.js'
import { renderWithClient } from './test/render.js'
import { useSyncStatus } from './useSyncStatus.js'

const renders = { whole: 0, pending: 0, counts: 0, tenfold: 0 }
const countsSeen: object[] = []

function Whole() {
  renders.whole++
  const status = useSyncStatus()
  return <p>{`${status.pendingChanges} pending, syncing ${status.isSyncing}`}</p>
}

function Pending() {
  renders.pending++
  return <p>{useSyncStatus((s) => s.pendingChanges)}</p>
}

function Counts({ tick = 0 }: { tick?: number }) {
  renders.counts++
  const counts = useSyncStatus((s) => ({ pending: s.pendingChanges, failed: s.failedChanges }), shallowEqual)
  countsSeen.push(counts)
  return <p>{`${tick}: ${counts.pending}/${counts.failed}`}</p>
}

function Tenfold() {
  renders.tenfold++
  return <p>{useSyncStatus((s) => ({ value: s.pendingChanges * 10 })).value}</p>
}

function Orphan() {
  useSyncStatus()
  return null
}

beforeEach(() => {
  for (const key of Object.keys(renders) as (keyof typeof renders)[]) renders[key] = 0
  countsSeen.length = 0
})

describe('useSyncStatus', () => {
  it('returns the whole snapshot without a selector and re-renders on any change', () => {
    const client = new FakeSyncClient({ pendingChanges: 2 })
    renderWithClient(client, <Whole />)
    expect(screen.getByText('2 pending, syncing false')).toBeTruthy()
    act(() => client.store.update({ pendingChanges: 5, isUploading: true }))
    expect(screen.getByText('5 pending, syncing true')).toBeTruthy()
    act(() => client.store.update({ isLeader: true }))
    expect(renders.whole).toBe(3)
  })

  it('does not re-render a component selecting pendingChanges when isSyncing flips', () => {
    const client = new FakeSyncClient({ pendingChanges: 1 })
    renderWithClient(client, <Pending />)
    expect(renders.pending).toBe(1)
    act(() => client.store.update({ isUploading: true }))
    act(() => client.store.update({ isUploading: false, lastSyncedAt: 5, lastError: 'x' }))
    expect(renders.pending).toBe(1)
    act(() => client.store.update({ pendingChanges: 4 }))
    expect(renders.pending).toBe(2)
    expect(screen.getByText('4')).toBeTruthy()
  })

  it('skips the render while a derived object stays equal by the given equality', () => {
    const client = new FakeSyncClient({ pendingChanges: 1, failedChanges: 0 })
    renderWithClient(client, <Counts />)
    act(() => client.store.update({ isDownloading: true }))
    act(() => client.store.update({ isDownloading: false, isLeader: true }))
    expect(renders.counts).toBe(1)
    act(() => client.store.update({ failedChanges: 2 }))
    expect(renders.counts).toBe(2)
    expect(screen.getByText('0: 1/2')).toBeTruthy()
  })

  it('keeps an equal derived object identical across re-renders caused by the parent', () => {
    const client = new FakeSyncClient({ pendingChanges: 1 })
    const { rerender } = renderWithClient(client, <Counts tick={1} />)
    rerender(
      <SyncProvider client={client}>
        <Counts tick={2} />
      </SyncProvider>,
    )
    expect(screen.getByText('2: 1/0')).toBeTruthy()
    expect(countsSeen.at(-1)).toBe(countsSeen[0])
  })

  it('compares with Object.is when no equality is given, so a new derived object re-renders', () => {
    const client = new FakeSyncClient({ pendingChanges: 1 })
    renderWithClient(client, <Tenfold />)
    act(() => client.store.update({ pendingChanges: 2 }))
    expect(screen.getByText('20')).toBeTruthy()
    expect(renders.tenfold).toBe(2)
  })

  it('unsubscribes from the client on unmount', () => {
    const client = new FakeSyncClient()
    const { unmount } = render(
      <SyncProvider client={client} announce={false}>
        <Pending />
      </SyncProvider>,
    )
    expect(client.activeSubscriptions).toBe(1)
    unmount()
    expect(client.activeSubscriptions).toBe(0)
  })

  it('throws MissingSyncProviderError (code NO_PROVIDER) outside SyncProvider', () => {
    const error = captureRenderError(<Orphan />)
    expect(error).toBeInstanceOf(MissingSyncProviderError)
    expect(error).toMatchObject({ code: 'NO_PROVIDER' })
    expect((error as Error).message).toContain('useSyncStatus() must be used inside <SyncProvider')
  })
})

function captureRenderError(ui: ReactNode): unknown {
  const original = console.error
  console.error = () => {}
  try {
    render(ui)
  } catch (error) {
    return error
  } finally {
    console.error = original
  }
  return undefined
}
