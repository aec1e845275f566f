import { useSyncClient, useSyncStatus } from '@driftless/react'

const pick = (status: { isLoaded: boolean; isPaused: boolean }) => (status.isLoaded ? status.isPaused : null)

/**
 * Pauses sync for every tab of this user, also across reloads; writes keep landing locally and wait in
 * the outbox. Hidden until the stored choice is read, so it never flashes the wrong position.
 */
export function WorkOfflineToggle() {
  const client = useSyncClient()
  const paused = useSyncStatus(pick)
  return (
    <label
      className="toggle"
      data-testid="work-offline"
      style={paused === null ? { visibility: 'hidden' } : {}}
    >
      <input
        type="checkbox"
        role="switch"
        aria-checked={paused === true}
        checked={paused === true}
        onChange={(event) => void (event.target.checked ? client.pause() : client.resume())}
      />
      Work offline
    </label>
  )
}
