'use client'
import type { ComponentPropsWithoutRef, MouseEvent, ReactNode } from 'react'
import { classNames } from './classNames.js'
import { useSyncClientFor } from './SyncProvider.js'
import { useSyncStatus } from './useSyncStatus.js'

export interface RetryButtonLabels {
  idle: ReactNode
  syncing: ReactNode
}

export const defaultRetryButtonLabels: RetryButtonLabels = { idle: 'Retry Sync', syncing: 'Syncing...' }

export interface RetryButtonProps extends ComponentPropsWithoutRef<'button'> {
  labels?: Partial<RetryButtonLabels>
  /** Replaces both labels. */
  children?: ReactNode
}

const selectSyncing = (status: { isSyncing: boolean }) => status.isSyncing

/**
 * Runs `sync()` on click. While a round runs it is `aria-disabled` rather than `disabled`, so a keyboard
 * user's focus stays on it instead of falling back to the page; clicks then do nothing.
 */
export function RetryButton({ labels, children, className, onClick, ...rest }: RetryButtonProps) {
  const client = useSyncClientFor('RetryButton')
  const isSyncing = useSyncStatus(selectSyncing)
  const text = { ...defaultRetryButtonLabels, ...labels }
  const handleClick = (event: MouseEvent<HTMLButtonElement>) => {
    onClick?.(event)
    if (isSyncing || event.defaultPrevented) return
    // A failed round is reported through the status (lastError); the promise has nothing more to say.
    client.sync().catch(() => {})
  }
  return (
    <button
      type="button"
      {...rest}
      className={classNames('driftless-retry-button', className)}
      data-state={isSyncing ? 'syncing' : 'idle'}
      aria-disabled={isSyncing || rest['aria-disabled'] || undefined}
      onClick={handleClick}
    >
      {children ?? (isSyncing ? text.syncing : text.idle)}
    </button>
  )
}
