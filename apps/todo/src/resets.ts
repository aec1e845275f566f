import type { SyncEvent } from '@driftless/core'

type ResetEvent = Extract<SyncEvent, { phase: 'reset' }>

const changes = (count: number) => (count === 1 ? '1 change' : `${count} changes`)

/**
 * What a person is told when this device's copy of the list starts over, in words they can act on.
 * `workingOffline`: nothing downloads until they stop working offline, so the words say when it will.
 */
export function resetNotice(event: ResetEvent, workingOffline: boolean): string {
  if (event.reason === 'cursor-unknown') {
    return workingOffline
      ? 'The list on the server was replaced. This device will download it again when you stop working offline. Changes you made here are kept.'
      : 'The list on the server was replaced, so this device downloaded it again. Changes you made here are kept and will sync.'
  }
  const cleared = workingOffline
    ? 'This browser cleared the copy of your list it kept on this device. It will be downloaded again when you stop working offline.'
    : 'This browser cleared the copy of your list it kept on this device, so it was downloaded again.'
  if (event.lostChanges === 0) return cleared
  const were = event.lostChanges === 1 ? 'was' : 'were'
  return `${cleared} ${changes(event.lostChanges)} you made on this device had not synced yet and ${were} lost.`
}
