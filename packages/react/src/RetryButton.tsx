'use client'
import { outcomeOfFailure, type SyncClient } from '@driftless/core'
import { type ComponentPropsWithoutRef, type MouseEvent, type ReactNode, useState } from 'react'
import { classNames } from './classNames.js'
import { useAnnounce, useSyncClientFor, useSyncMessages } from './context.js'
import type { SyncMessages } from './messages.js'
import { shallowEqual } from './shallowEqual.js'
import { type SyncStatusState, syncState } from './syncState.js'
import { useSyncStatus } from './useSyncStatus.js'

export interface RetryButtonProps extends ComponentPropsWithoutRef<'button'> {
  labels?: Partial<SyncMessages>
  /**
   * Beside a `SyncStatus` that already says "All changes synced", a plain success is only announced, not
   * also shown next to the button, so the page does not say it twice. Other results are always shown.
   */
  quietSuccess?: boolean
  /** Replaces the button's label. */
  children?: ReactNode
}

const pick = (status: Parameters<typeof syncState>[0]) => ({
  isSyncing: status.isSyncing,
  failedChanges: status.failedChanges,
  state: syncState(status),
})

/**
 * "Sync now": runs a round and says what it achieved ("Synced.", "Still offline…", "2 changes could not be
 * saved."), beside the button until the status moves on, and through the provider's announcer. While changes have failed it offers a
 * second button that puts them back in the queue and syncs. During a round the button is `aria-disabled`,
 * not `disabled`, so keyboard focus stays on it; clicks then do nothing.
 */
export function RetryButton({
  labels,
  quietSuccess,
  children,
  className,
  onClick,
  ...rest
}: RetryButtonProps) {
  const client = useSyncClientFor('RetryButton')
  const { isSyncing, failedChanges, state } = useSyncStatus(pick, shallowEqual)
  const text = useSyncMessages(labels)
  const announce = useAnnounce()
  const [busy, setBusy] = useState(false)
  // What the last retry achieved, shown only while the status still tells the same story.
  const [result, setResult] = useState<{ text: string; state: SyncStatusState } | null>(null)
  const working = busy || isSyncing

  const run = async (requeueFailed: boolean) => {
    setBusy(true)
    setResult(null)
    try {
      if (requeueFailed) await client.retryFailed()
      const said = await retryResult(client, text)
      setResult({ text: said, state: syncState(client.getSnapshot()) })
      announce(said)
    } finally {
      setBusy(false)
    }
  }
  const handleClick = (event: MouseEvent<HTMLButtonElement>) => {
    onClick?.(event)
    if (working || event.defaultPrevented) return
    void run(false)
  }
  return (
    <span className="driftless-retry">
      <button
        type="button"
        {...rest}
        className={classNames('driftless-retry-button', className)}
        data-state={working ? 'syncing' : 'idle'}
        aria-disabled={working || rest['aria-disabled'] || undefined}
        onClick={handleClick}
      >
        {children ?? text.retry}
      </button>
      {failedChanges > 0 && (
        <button
          type="button"
          className="driftless-retry-button driftless-retry-button--failed"
          aria-disabled={working || undefined}
          onClick={() => {
            if (!working) void run(true)
          }}
        >
          {text.retryFailed(failedChanges)}
        </button>
      )}
      {result && result.state === state && !(quietSuccess && result.text === text.resultSynced) && (
        <span className="driftless-retry__result">{result.text}</span>
      )}
    </span>
  )
}

/** Runs a round and puts its outcome in the words of `text`. */
async function retryResult(client: SyncClient, text: SyncMessages): Promise<string> {
  try {
    await client.sync()
  } catch (error) {
    const status = client.getSnapshot()
    if (status.isPaused) return text.resultPaused
    if (!status.isOnline) return text.resultOffline
    return outcomeOfFailure(error) === 'refused' ? text.resultNeedsAuth : text.resultUnreachable
  }
  const { failedChanges, pendingChanges } = client.getSnapshot()
  if (failedChanges > 0) return text.failed(failedChanges)
  return pendingChanges > 0 ? text.pending(pendingChanges) : text.resultSynced
}
