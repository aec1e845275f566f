import type { OutboxEntry } from '@driftless/core'
import { act, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { SyncProvider } from './SyncProvider.js'
import { entry, FakeSyncClient } from './test/FakeSyncClient.js'
import { renderWithClient } from './test/render.js'
import { useFailedChanges, usePendingChanges } from './useChanges.js'

function list(entries: OutboxEntry[] | undefined): string {
  return entries === undefined ? 'loading' : entries.map((e) => `${e.id}:${e.status}`).join(',') || 'none'
}

function Failed() {
  return <p data-testid="failed">{list(useFailedChanges())}</p>
}

function Pending() {
  return <p data-testid="pending">{list(usePendingChanges())}</p>
}

describe('usePendingChanges and useFailedChanges', () => {
  it('list the matching outbox entries and follow the client watcher live', () => {
    const a = entry({ id: 'a', status: 'pending' })
    const b = entry({ id: 'b', status: 'syncing' })
    const c = entry({ id: 'c', status: 'failed', errorMessage: 'rejected' })
    const client = new FakeSyncClient({}, [a, b, c])
    renderWithClient(
      client,
      <>
        <Pending />
        <Failed />
      </>,
    )
    expect(screen.getByTestId('pending').textContent).toBe('a:pending,b:syncing')
    expect(screen.getByTestId('failed').textContent).toBe('c:failed')
    act(() => client.setChanges([a, { ...b, status: 'failed' }, c]))
    expect(screen.getByTestId('pending').textContent).toBe('a:pending')
    expect(screen.getByTestId('failed').textContent).toBe('b:failed,c:failed')
    act(() => client.setChanges([]))
    expect(screen.getByTestId('failed').textContent).toBe('none')
  })

  it('are undefined until the watcher first answers', () => {
    const client = new FakeSyncClient()
    client.watchChanges = () => () => {}
    renderWithClient(client, <Failed />)
    expect(screen.getByTestId('failed').textContent).toBe('loading')
  })

  it('stop watching on unmount', () => {
    const client = new FakeSyncClient()
    const { unmount } = renderWithClient(client, <Failed />)
    expect(client.activeWatchers).toBe(1)
    unmount()
    expect(client.activeWatchers).toBe(0)
  })

  it('show the new client’s changes, not the old one’s, when the provider gets another client', () => {
    const first = new FakeSyncClient({}, [entry({ id: 'old', status: 'failed' })])
    let late: ((entries: OutboxEntry[]) => void) | undefined
    const watch = first.watchChanges.bind(first)
    first.watchChanges = (filter, listener) => {
      late = listener
      return watch(filter, listener)
    }
    const second = new FakeSyncClient({}, [entry({ id: 'new', status: 'failed' })])
    const { rerender } = renderWithClient(first, <Failed />)
    rerender(
      <SyncProvider client={second}>
        <Failed />
      </SyncProvider>,
    )
    expect(screen.getByTestId('failed').textContent).toBe('new:failed')
    expect(first.activeWatchers).toBe(0)
    // An answer the old client sends late, after it was unwatched, is not shown.
    act(() => late?.([entry({ id: 'late', status: 'failed' })]))
    expect(screen.getByTestId('failed').textContent).toBe('new:failed')
  })
})
