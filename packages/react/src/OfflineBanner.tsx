'use client'
import type { ComponentPropsWithoutRef, ReactNode } from 'react'
import { classNames } from './classNames.js'
import { useSyncMessages } from './context.js'
import type { SyncMessages } from './messages.js'
import { headline, isBlocked, retryNote, syncState } from './syncState.js'
import { useNow } from './useNow.js'
import { useSyncStatus } from './useSyncStatus.js'

export interface OfflineBannerProps extends ComponentPropsWithoutRef<'div'> {
  labels?: Partial<SyncMessages>
  /** Replaces the text while changes cannot sync. */
  children?: ReactNode
}

/**
 * Says, in one sentence, why changes cannot sync and that they are safe on the device: offline,
 * the server unreachable, sign-in needed, or sync paused (each after the core's grace period, so a
 * blip never shows). Empty otherwise, so it can stay mounted; it also works mounted only when
 * disconnected. `data-state` is `offline` while it speaks and `data-reason` says why. Screen readers
 * hear the change once, from the provider's announcer.
 */
export function OfflineBanner({ labels, children, className, ...rest }: OfflineBannerProps) {
  const status = useSyncStatus()
  const text = useSyncMessages(labels)
  const state = syncState(status)
  const speaking = isBlocked(state) && state !== 'disconnected'
  const now = useNow(1_000, speaking && status.nextRetryAt !== null)
  const retry = speaking ? retryNote(status, now, text) : null
  return (
    <div
      {...rest}
      className={classNames('driftless-offline-banner', className)}
      data-state={speaking ? 'offline' : 'online'}
      data-reason={speaking ? state : undefined}
    >
      {speaking && (children ?? headline(state, status, text))}
      {retry && <span className="driftless-offline-banner__retry"> {retry}</span>}
    </div>
  )
}
