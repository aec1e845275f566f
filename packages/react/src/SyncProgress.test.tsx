import { act, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { SyncProgress } from './SyncProgress.js'
import { FakeSyncClient } from './test/FakeSyncClient.js'
import { renderWithClient } from './test/render.js'
import { useSyncProgress } from './useSyncProgress.js'

// The default texts format counts in the user's locale.
const n = (count: number) => count.toLocaleString()

describe('SyncProgress', () => {
  it('stays mounted with nothing inside while no transfer runs', () => {
    const { container } = renderWithClient(new FakeSyncClient(), <SyncProgress className="mine" />)
    const root = container.firstElementChild as HTMLElement
    expect(root.className).toBe('driftless-sync-progress mine')
    expect(root.dataset.state).toBe('idle')
    expect(screen.queryByRole('progressbar')).toBeNull()
    expect(root.textContent).toBe('')
  })

  it('shows a catch-up as a progressbar with its value, and follows it page by page', () => {
    const client = new FakeSyncClient({
      isDownloading: true,
      downloadProgress: { done: 1000, total: 50_000 },
    })
    const { container } = renderWithClient(client, <SyncProgress />)
    const bar = screen.getByRole('progressbar', { name: 'Sync progress' })
    expect(bar.getAttribute('aria-valuemin')).toBe('0')
    expect(bar.getAttribute('aria-valuemax')).toBe('50000')
    expect(bar.getAttribute('aria-valuenow')).toBe('1000')
    expect(bar.getAttribute('aria-valuetext')).toBe(`Downloading ${n(1000)} of ${n(50_000)} changes…`)
    const root = container.firstElementChild as HTMLElement
    expect(root.dataset.state).toBe('downloading')
    expect(root.style.getPropertyValue('--driftless-progress')).toBe('0.02')
    expect(root.textContent).toBe(`Downloading ${n(1000)} of ${n(50_000)} changes…`)

    act(() => client.store.update({ downloadProgress: { done: 25_000, total: 50_000 } }))
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('25000')
    act(() => client.store.update({ isDownloading: false, downloadProgress: null }))
    expect(screen.queryByRole('progressbar')).toBeNull()
    expect(root.dataset.state).toBe('idle')
  })

  it('is indeterminate when the server does not say how much remains', () => {
    const client = new FakeSyncClient({ isDownloading: true, downloadProgress: { done: 200, total: null } })
    const { container } = renderWithClient(client, <SyncProgress />)
    const bar = screen.getByRole('progressbar')
    expect(bar.hasAttribute('aria-valuenow')).toBe(false)
    expect(bar.hasAttribute('aria-valuemax')).toBe(false)
    expect(bar.getAttribute('aria-valuetext')).toBe('Downloading… 200 changes so far')
    expect((container.firstElementChild as HTMLElement).dataset.indeterminate).toBe('true')
  })

  it('shows a large queue draining', () => {
    const client = new FakeSyncClient({ isUploading: true, uploadProgress: { done: 50, total: 250 } })
    const { container } = renderWithClient(client, <SyncProgress />)
    expect(screen.getByRole('progressbar').getAttribute('aria-valuetext')).toBe(
      'Uploading 50 of 250 changes…',
    )
    expect((container.firstElementChild as HTMLElement).dataset.state).toBe('uploading')
  })

  it('leaves out transfers smaller than minChanges, so an edit or two does not flash a bar', () => {
    const client = new FakeSyncClient({ isUploading: true, uploadProgress: { done: 0, total: 1 } })
    const { container } = renderWithClient(client, <SyncProgress />)
    const root = container.firstElementChild as HTMLElement
    expect(screen.queryByRole('progressbar')).toBeNull()
    expect(root.dataset.state).toBe('idle')
    expect(root.textContent).toBe('')

    act(() => client.store.update({ uploadProgress: { done: 0, total: 99 } }))
    expect(screen.queryByRole('progressbar')).toBeNull()
    act(() => client.store.update({ uploadProgress: { done: 0, total: 100 } }))
    expect(screen.getByRole('progressbar').getAttribute('aria-valuetext')).toBe('Uploading 0 of 100 changes…')
    // With no total, the bar appears once enough has come.
    act(() =>
      client.store.update({
        uploadProgress: null,
        isDownloading: true,
        downloadProgress: { done: 60, total: null },
      }),
    )
    expect(screen.queryByRole('progressbar')).toBeNull()
    act(() => client.store.update({ downloadProgress: { done: 120, total: null } }))
    expect(screen.getByRole('progressbar').getAttribute('aria-valuetext')).toBe(
      'Downloading… 120 changes so far',
    )
  })

  it('shows every transfer with minChanges={0}', () => {
    const client = new FakeSyncClient({ isUploading: true, uploadProgress: { done: 0, total: 1 } })
    renderWithClient(client, <SyncProgress minChanges={0} />)
    expect(screen.getByRole('progressbar').getAttribute('aria-valuetext')).toBe('Uploading 0 of 1 change…')
  })

  it('takes its words from labels and its visible text from children', () => {
    const client = new FakeSyncClient({ isDownloading: true, downloadProgress: { done: 1, total: 4 } })
    renderWithClient(
      client,
      <SyncProgress
        minChanges={0}
        labels={{ label: 'Fortschritt', downloading: (done, total) => `${done} von ${total}` }}
      >
        {({ done, total }) => `${Math.round((100 * done) / total!)} %`}
      </SyncProgress>,
    )
    const bar = screen.getByRole('progressbar', { name: 'Fortschritt' })
    expect(bar.getAttribute('aria-valuetext')).toBe('1 von 4')
    expect(screen.getByText('25 %')).toBeTruthy()
  })
})

let renders = 0

function Probe() {
  renders++
  const progress = useSyncProgress()
  return <span>{progress ? `${progress.direction} ${progress.done}/${progress.total}` : 'idle'}</span>
}

describe('useSyncProgress', () => {
  it('re-renders only when the progress changes, not on every status change', () => {
    const client = new FakeSyncClient({ isDownloading: true, downloadProgress: { done: 1, total: 4 } })
    renders = 0
    renderWithClient(client, <Probe />)
    expect(screen.getByText('download 1/4')).toBeTruthy()
    const before = renders
    act(() => client.store.update({ pendingChanges: 3 }))
    expect(renders).toBe(before)
    act(() => client.store.update({ downloadProgress: { done: 2, total: 4 } }))
    expect(screen.getByText('download 2/4')).toBeTruthy()
  })
})
