import type { Change } from '@driftless/core/wire'
import { describe, expect, it } from 'vitest'
import { fieldConflicts, storedWins } from './conflict.js'

const base: Change = {
  id: 'c1',
  collection: 'todos',
  recordId: 'r1',
  type: 'update',
  data: null,
  prevData: null,
  timestamp: 100,
}

describe('storedWins', () => {
  it('lets the newer timestamp win, and the larger change id on a tie', () => {
    expect(storedWins({ timestamp: 101, changeId: 'a' }, { id: 'z', timestamp: 100 })).toBe(true)
    expect(storedWins({ timestamp: 99, changeId: 'z' }, { id: 'a', timestamp: 100 })).toBe(false)
    expect(storedWins({ timestamp: 100, changeId: 'b' }, { id: 'a', timestamp: 100 })).toBe(true)
    expect(storedWins({ timestamp: 100, changeId: 'a' }, { id: 'b', timestamp: 100 })).toBe(false)
  })
})

describe('fieldConflicts', () => {
  it('lists the fields the change wrote that the server holds differently', () => {
    const change = { ...base, data: { a: 1, b: 2, c: 3 }, prevData: { a: 0, b: 2, c: 0 } }
    expect(fieldConflicts(change, { a: 5, b: 9, c: 3 })).toEqual(['a'])
  })

  it('counts every field of a change without prevData as written', () => {
    expect(fieldConflicts({ ...base, data: { b: 1, a: 1 } }, { a: 2, b: 1 })).toEqual(['a'])
    expect(fieldConflicts({ ...base, data: { a: 1 } }, null)).toEqual(['a'])
  })

  it('counts a field the change removed as written', () => {
    const change = { ...base, data: { a: 1 }, prevData: { a: 1, gone: true } }
    expect(fieldConflicts(change, { a: 1, gone: false })).toEqual(['gone'])
  })

  it('compares nested values by structure', () => {
    const change = { ...base, data: { tags: ['x'], meta: { n: 1, m: 2 } } }
    expect(fieldConflicts(change, { tags: ['x'], meta: { m: 2, n: 1 } })).toEqual([])
  })
})
