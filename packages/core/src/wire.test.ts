import { describe, expect, it } from 'vitest'
import { InvalidResponseError } from './shared/errors.js'
import { isLaterVersion, jsonEqual, validatePullResult, validatePushResult } from './wire.js'

describe('validatePushResult', () => {
  it('accepts the contract and normalises ISO server timestamps to epoch milliseconds', () => {
    const result = validatePushResult({
      accepted: [{ id: 'c1', serverTimestamp: '2026-11-22T10:00:00.000Z' }],
      conflicts: [],
      errors: [{ id: 'c2', error: 'title is required' }],
    })
    expect(result.accepted[0]?.serverTimestamp).toBe(Date.parse('2026-11-22T10:00:00.000Z'))
    expect(result.errors).toEqual([{ id: 'c2', error: 'title is required' }])
  })

  it('rejects an answer with a missing list, naming the field', () => {
    expect(() => validatePushResult({ accepted: [], errors: [] })).toThrow(InvalidResponseError)
    expect(() => validatePushResult({ accepted: [], errors: [] })).toThrow(/conflicts/)
  })

  it('rejects an accepted entry without an id', () => {
    expect(() =>
      validatePushResult({ accepted: [{ serverTimestamp: 1 }], conflicts: [], errors: [] }),
    ).toThrow(/accepted\.0\.id/)
  })
})

describe('validatePullResult', () => {
  it('rejects a non-boolean hasMore', () => {
    expect(() => validatePullResult({ changes: [], cursor: null, hasMore: 'yes' })).toThrow(/hasMore/)
  })

  it('rejects an unknown change type', () => {
    const bad = {
      changes: [{ id: 'x', collection: 'todos', recordId: 'a', type: 'upsert', data: {}, timestamp: 1 }],
      cursor: '1',
      hasMore: false,
    }
    expect(() => validatePullResult(bad)).toThrow(/changes\.0\.type/)
  })

  it('passes on how many changes remain when the server says, and does without it when it does not', () => {
    expect(validatePullResult({ changes: [], cursor: '5', hasMore: true, remaining: 120 }).remaining).toBe(
      120,
    )
    expect(validatePullResult({ changes: [], cursor: '5', hasMore: false })).not.toHaveProperty('remaining')
  })

  it('rejects a remaining count that is not a whole number of changes', () => {
    for (const remaining of [-1, 1.5, '3']) {
      expect(() => validatePullResult({ changes: [], cursor: null, hasMore: false, remaining })).toThrow(
        /remaining/,
      )
    }
  })
})

describe('isLaterVersion', () => {
  it('lets the later timestamp win, and the larger change id on a tie', () => {
    expect(isLaterVersion({ timestamp: 101, changeId: 'a' }, { timestamp: 100, changeId: 'z' })).toBe(true)
    expect(isLaterVersion({ timestamp: 99, changeId: 'z' }, { timestamp: 100, changeId: 'a' })).toBe(false)
    expect(isLaterVersion({ timestamp: 100, changeId: 'b' }, { timestamp: 100, changeId: 'a' })).toBe(true)
    expect(isLaterVersion({ timestamp: 100, changeId: 'a' }, { timestamp: 100, changeId: 'b' })).toBe(false)
  })
})

describe('jsonEqual', () => {
  it('compares JSON values by structure, whatever the key order', () => {
    expect(jsonEqual({ a: [1, { b: 2, c: 3 }] }, { a: [1, { c: 3, b: 2 }] })).toBe(true)
    expect(jsonEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] })).toBe(false)
    expect(jsonEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true)
    expect(jsonEqual([1], { 0: 1 })).toBe(false)
  })
})
