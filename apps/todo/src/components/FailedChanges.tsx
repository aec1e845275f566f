import { useFailedChanges, useSync } from '@driftless/react'

/** Changes the server kept refusing: the user decides to try again or drop them. */
export function FailedChanges() {
  const failed = useFailedChanges()
  const { retryFailed, discardFailed } = useSync()
  if (!failed?.length) return null

  return (
    <section className="failed-changes" aria-label="Failed changes" data-testid="failed-changes">
      <h2>Changes that could not be saved</h2>
      <ul>
        {failed.map((entry) => (
          <li key={entry.id} className="row">
            <span className="grow">
              {entry.type} {entry.collection}/{entry.recordId}
              {entry.errorMessage && <span className="muted"> — {entry.errorMessage}</span>}
            </span>
            <button type="button" onClick={() => void retryFailed([entry.id])}>
              Retry
            </button>
            <button type="button" className="quiet" onClick={() => void discardFailed([entry.id])}>
              Discard
            </button>
          </li>
        ))}
      </ul>
      <div className="row">
        <button type="button" onClick={() => void retryFailed()}>
          Retry all
        </button>
        <button type="button" className="quiet" onClick={() => void discardFailed()}>
          Discard all
        </button>
      </div>
    </section>
  )
}
