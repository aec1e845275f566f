'use client'
import type { SyncStatus } from '@driftless/core'
import type { ComponentPropsWithoutRef, ReactNode } from 'react'
import { classNames } from './classNames.js'
import { isOffline } from './isOffline.js'
import { useMounted } from './useMounted.js'
import { useSyncStatus } from './useSyncStatus.js'

export interface OfflineBannerLabels {
  /** The browser has no network. */
  offline: ReactNode
  /** The network is up but the backend is not connected (not signed in, or unreachable). */
  disconnected: ReactNode
  /** Shown while connected; empty by default so the banner says nothing. */
  online: ReactNode
}

export const defaultOfflineBannerLabels: OfflineBannerLabels = {
  offline: 'You are offline. Changes are saved on this device and will sync when you are back online.',
  disconnected:
    'Not connected to the server. Changes are saved on this device and will sync when it reconnects.',
  online: null,
}

export interface OfflineBannerProps extends ComponentPropsWithoutRef<'div'> {
  labels?: Partial<OfflineBannerLabels>
  /** Replaces the offline and disconnected text. */
  children?: ReactNode
}

type BannerState = 'offline' | 'disconnected' | 'online'

function bannerState(status: SyncStatus): BannerState {
  if (!status.isOnline) return 'offline'
  return isOffline(status) ? 'disconnected' : 'online'
}

/**
 * Says when changes cannot sync: no network, or no backend connection. The `role="status"` region is
 * always rendered (empty while online), so it works always mounted or mounted only when disconnected.
 */
export function OfflineBanner({ labels, children, className, ...rest }: OfflineBannerProps) {
  const state = useSyncStatus(bannerState)
  const text = { ...defaultOfflineBannerLabels, ...labels }
  const mounted = useMounted()
  const message = state === 'online' ? text.online : (children ?? text[state])
  return (
    <div
      role="status"
      aria-live="polite"
      {...rest}
      className={classNames('driftless-offline-banner', className)}
      data-state={state === 'online' ? 'online' : 'offline'}
      data-reason={state === 'online' ? undefined : state}
    >
      {mounted ? message : null}
    </div>
  )
}
