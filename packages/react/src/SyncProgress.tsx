'use client'
import type { ComponentPropsWithoutRef, CSSProperties, ReactNode } from 'react'
import { classNames } from './classNames.js'
import { type SyncProgressValue, useSyncProgress } from './useSyncProgress.js'

export interface SyncProgressLabels {
  /** The progress bar's accessible name. */
  label: string
  /** `total` is null when the server does not say how much there is. */
  downloading: (done: number, total: number | null) => string
  uploading: (done: number, total: number | null) => string
}

const count = (n: number) => n.toLocaleString()
const changes = (n: number) => (n === 1 ? '1 change' : `${count(n)} changes`)

export const defaultSyncProgressLabels: SyncProgressLabels = {
  label: 'Sync progress',
  downloading: (done, total) =>
    total === null
      ? `Downloading… ${changes(done)} so far`
      : `Downloading ${count(done)} of ${changes(total)}…`,
  uploading: (done, total) =>
    total === null ? `Uploading… ${changes(done)} so far` : `Uploading ${count(done)} of ${changes(total)}…`,
}

export interface SyncProgressProps extends Omit<ComponentPropsWithoutRef<'div'>, 'children'> {
  labels?: Partial<SyncProgressLabels>
  /**
   * The smallest transfer shown, in changes (its total, or what has moved so far when the total is
   * unknown): a few edits upload in a blink, and a bar flashing beside the status for each would only
   * distract. 100 by default; 0 shows every transfer.
   */
  minChanges?: number
  /** Replaces the visible text while a transfer runs (the bar keeps its accessible value text). */
  children?: (progress: SyncProgressValue) => ReactNode
}

/**
 * A progress bar for the first sync (a catch-up of many pages) and for draining a large queue: a
 * `role="progressbar"` with its value while a transfer runs, indeterminate when the server does not say
 * how much remains, nothing inside while idle (so it can stay mounted). `data-state` is `downloading`,
 * `uploading` or `idle`; the fraction done is in the `--driftless-progress` custom property (0 to 1).
 */
export function SyncProgress({
  labels,
  minChanges = 100,
  children,
  className,
  style,
  ...rest
}: SyncProgressProps) {
  const transfer = useSyncProgress()
  const progress = transfer && (transfer.total ?? transfer.done) >= minChanges ? transfer : null
  const text = { ...defaultSyncProgressLabels, ...labels }
  const state = progress ? (progress.direction === 'download' ? 'downloading' : 'uploading') : 'idle'
  const determinate = progress !== null && progress.total !== null
  const fraction = determinate && progress.total! > 0 ? Math.min(1, progress.done / progress.total!) : 0
  const valueText = progress
    ? text[progress.direction === 'download' ? 'downloading' : 'uploading'](progress.done, progress.total)
    : undefined
  return (
    <div
      {...rest}
      className={classNames('driftless-sync-progress', className)}
      data-state={state}
      data-indeterminate={progress && !determinate ? 'true' : undefined}
      style={progress ? ({ ...style, '--driftless-progress': fraction } as CSSProperties) : style}
    >
      {progress && (
        <>
          <div
            role="progressbar"
            aria-label={text.label}
            aria-valuemin={0}
            aria-valuemax={determinate ? progress.total! : undefined}
            aria-valuenow={determinate ? progress.done : undefined}
            aria-valuetext={valueText}
            className="driftless-sync-progress__track"
          >
            <span className="driftless-sync-progress__bar" />
          </div>
          <span className="driftless-sync-progress__text">{children ? children(progress) : valueText}</span>
        </>
      )}
    </div>
  )
}
