import type { OutboxEntry } from '@driftless/core'
import { useSync } from '@driftless/react'
import { failureReason } from '../failures.js'

/** Under a todo whose change failed: why, in one line, and what the person can do about it. */
export function TodoFailure({ entries }: { entries: readonly OutboxEntry[] }) {
  const { retryFailed, discardFailed, sync } = useSync()
  const ids = entries.map((entry) => entry.id)
  const details = entries.map((entry) => entry.errorMessage).filter(Boolean)
  return (
    <div className="todo-failure" data-testid="todo-failure">
      <span className="todo-failure__reason">{failureReason(entries)}</span>
      <button type="button" className="small" onClick={() => void retryFailed(ids).then(() => sync())}>
        Try again
      </button>
      <button type="button" className="small quiet" onClick={() => void discardFailed(ids)}>
        Discard change
      </button>
      {details.length > 0 && (
        <details className="todo-failure__details">
          <summary>Details</summary>
          <code>{details.join('\n')}</code>
        </details>
      )}
    </div>
  )
}
