import { describe, expect, it } from 'vitest'
import { resetNotice } from './resets.js'

describe('what a person is told when the list starts over', () => {
  it('says the browser cleared the list and it came back from the server', () => {
    expect(resetNotice({ phase: 'reset', at: 1, reason: 'database-deleted', lostChanges: 0 }, false)).toBe(
      'This browser cleared the copy of your list it kept on this device, so it was downloaded again.',
    )
  })

  it('says how many unsynced changes were lost with it', () => {
    expect(resetNotice({ phase: 'reset', at: 1, reason: 'database-deleted', lostChanges: 1 }, false)).toMatch(
      /1 change you made on this device had not synced yet and was lost\.$/,
    )
    expect(resetNotice({ phase: 'reset', at: 1, reason: 'database-deleted', lostChanges: 3 }, true)).toMatch(
      /3 changes you made on this device had not synced yet and were lost\.$/,
    )
  })

  it('says waiting changes are kept when the server’s data was replaced', () => {
    expect(resetNotice({ phase: 'reset', at: 1, reason: 'cursor-unknown' }, false)).toBe(
      'The list on the server was replaced, so this device downloaded it again. Changes you made here are kept and will sync.',
    )
  })

  it('says when it will come back while the person works offline', () => {
    expect(resetNotice({ phase: 'reset', at: 1, reason: 'database-deleted', lostChanges: 0 }, true)).toBe(
      'This browser cleared the copy of your list it kept on this device. It will be downloaded again when you stop working offline.',
    )
    expect(resetNotice({ phase: 'reset', at: 1, reason: 'cursor-unknown' }, true)).toBe(
      'The list on the server was replaced. This device will download it again when you stop working offline. Changes you made here are kept.',
    )
  })
})
