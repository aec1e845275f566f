import { act, fireEvent, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { entry, FakeSyncClient } from './test/FakeSyncClient.js'
import { renderWithClient } from './test/render.js'
import { type UseSyncResult, useSync } from './useSync.js'

const results: UseSyncResult[] = []

function SeedRetryButton() {
  const result = useSync()
  results.push(result)
  const { sync, status, retryFailed, discardFailed } = result
  return (
    <>
      <button type="button" onClick={sync} disabled={status.isSyncing}>
        {status.isSyncing ? 'Syncing...' : 'Retry Sync'}
      </button>
      <button type="button" onClick={() => retryFailed()}>
        Retry failed
      </button>
      <button type="button" onClick={() => discardFailed(['change-x'])}>
        Discard one
      </button>
    </>
  )
}

describe('useSync', () => {
  it('runs the seed RetryButton: sync on click, the status follows', () => {
    const client = new FakeSyncClient()
    renderWithClient(client, <SeedRetryButton />)
    fireEvent.click(screen.getByRole('button', { name: 'Retry Sync' }))
    expect(client.calls.sync).toBe(1)
    expect(screen.getByRole('button', { name: 'Syncing...' })).toBeTruthy()
    act(() => client.finishSync())
    expect(screen.getByRole('button', { name: 'Retry Sync' })).toBeTruthy()
  })

  it('passes retryFailed and discardFailed through to the client, with or without ids', async () => {
    const client = new FakeSyncClient({}, [
      entry({ id: 'change-x', status: 'failed' }),
      entry({ status: 'failed' }),
    ])
    renderWithClient(client, <SeedRetryButton />)
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Discard one' })))
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Retry failed' })))
    expect(client.calls.discardFailed).toEqual([['change-x']])
    expect(client.calls.retryFailed).toEqual([undefined])
    expect(await client.listChanges({ status: 'failed' })).toEqual([])
    expect(await client.listChanges()).toHaveLength(1)
  })

  it('resolves with what the client resolves and ignores an event passed as ids', async () => {
    const client = new FakeSyncClient({}, [entry({ status: 'failed' })])
    renderWithClient(client, <SeedRetryButton />)
    const { retryFailed } = results.at(-1)!
    let retried = 0
    await act(async () => {
      retried = await (retryFailed as (ids: unknown) => Promise<number>)({ type: 'click' })
    })
    expect(retried).toBe(1)
    expect(client.calls.retryFailed).toEqual([undefined])
  })

  it('keeps its actions stable across status changes', () => {
    results.length = 0
    const client = new FakeSyncClient()
    renderWithClient(client, <SeedRetryButton />)
    act(() => client.store.update({ pendingChanges: 9 }))
    const [first, last] = [results[0]!, results.at(-1)!]
    expect(last.status.pendingChanges).toBe(9)
    expect(last.sync).toBe(first.sync)
    expect(last.retryFailed).toBe(first.retryFailed)
    expect(last.discardFailed).toBe(first.discardFailed)
  })
})

describe('useSync().sync', () => {
  it('resolves when the round fails, leaving the error to the status', async () => {
    const client = new FakeSyncClient()
    renderWithClient(client, <SeedRetryButton />)
    const pending = results.at(-1)!.sync()
    act(() => client.failSync(new Error('server unreachable')))
    await expect(pending).resolves.toBeUndefined()
    expect(client.getSnapshot().lastError).toBe('server unreachable')
  })
})
