import type { SyncEvent } from '@driftless/core'
import { useSyncClient, useSyncStatus } from '@driftless/react'
import { useEffect, useState } from 'react'
import { resetNotice } from '../resets.js'

/**
 * Tells the person when this device's copy of the list started over (the browser cleared it, or the
 * server's data was replaced), until they dismiss it. The live region is there before its text, so
 * screen readers announce the text when it arrives.
 */
export function ResetNotice() {
  const client = useSyncClient()
  const workingOffline = useSyncStatus((status) => status.isPaused)
  const [reset, setReset] = useState<Extract<SyncEvent, { phase: 'reset' }> | null>(null)
  useEffect(
    () =>
      client.onSync((event) => {
        if (event.phase === 'reset') setReset(event)
      }),
    [client],
  )
  const notice = reset && resetNotice(reset, workingOffline)
  return (
    <div role="status" className={notice ? 'reset-notice' : undefined} data-testid="reset-notice">
      {notice && (
        <>
          <p>{notice}</p>
          <button type="button" className="quiet" onClick={() => setReset(null)}>
            Dismiss
          </button>
        </>
      )}
    </div>
  )
}
