import { describe, expect, it } from 'vitest'
import { formatIssues, InvalidResponseError } from './shared/errors.js'
import {
  changeSchema,
  isLaterVersion,
  jsonEqual,
  pullRequestSchema,
  pushRequestSchema,
  validatePullResult,
  validatePushResult,
} from './wire.js'

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

describe('record data on the wire', () => {
  // JSON.parse makes `__proto__` an own field, as it arrives from a server or a client.
  const data = JSON.parse('{"title":"t","__proto__":{"admin":true},"nested":{"__proto__":1}}')

  function expectIntact(received: unknown): void {
    expect(JSON.stringify(received)).toBe(JSON.stringify(data))
    expect(Object.hasOwn(received as object, '__proto__')).toBe(true)
    expect(Object.getPrototypeOf(received)).toBe(Object.prototype)
    expect((received as { admin?: unknown }).admin).toBeUndefined()
  }

  it('keeps a field named __proto__ in pulled data, exactly', () => {
    const result = validatePullResult({
      changes: [{ id: 'x', collection: 'todos', recordId: 'a', type: 'create', data, timestamp: 1 }],
      cursor: '1',
      hasMore: false,
    })
    expectIntact(result.changes[0]?.data)
  })

  it('keeps a field named __proto__ in pushed changes and in conflicts, exactly', () => {
    const pushed = pushRequestSchema.safeParse({
      changes: [
        { id: 'c1', collection: 'todos', recordId: 'a', type: 'update', data, prevData: data, timestamp: 1 },
      ],
    })
    expect(pushed.success).toBe(true)
    if (!pushed.success) return
    expectIntact(pushed.data.changes[0]?.data)
    expectIntact(pushed.data.changes[0]?.prevData)
    const answer = validatePushResult({
      accepted: [],
      conflicts: [
        {
          changeId: 'c1',
          recordId: 'a',
          collection: 'todos',
          local: data,
          remote: data,
          localTimestamp: 1,
          remoteTimestamp: 2,
          fieldConflicts: ['__proto__'],
        },
      ],
      errors: [],
    })
    expectIntact(answer.conflicts[0]?.local)
    expectIntact(answer.conflicts[0]?.remote)
  })

  it('rejects data that is not an object, naming the field and what came instead', () => {
    const bad = {
      changes: [{ id: 'x', collection: 'todos', recordId: 'a', type: 'create', data: [1], timestamp: 1 }],
      cursor: null,
      hasMore: false,
    }
    expect(() => validatePullResult(bad)).toThrow(/changes\.0\.data: expected an object, got array/)
  })
})

describe('the contract as the server reads it', () => {
  it('names every bad field of a change at once', () => {
    const parsed = changeSchema.safeParse({
      id: '',
      collection: 'todos',
      recordId: 7,
      type: 'create',
      data: {},
    })
    expect(parsed.success).toBe(false)
    if (parsed.success) return
    expect(formatIssues(parsed.error.issues)).toBe(
      'id: must not be empty; recordId: expected a string, got number; timestamp: expected a finite number, got undefined',
    )
  })

  it('leaves fields the contract does not know out of a checked change', () => {
    const parsed = changeSchema.safeParse({
      id: 'c1',
      collection: 'todos',
      recordId: 'a',
      type: 'delete',
      data: null,
      timestamp: 1,
      extra: true,
    })
    expect(parsed).toEqual({
      success: true,
      data: { id: 'c1', collection: 'todos', recordId: 'a', type: 'delete', data: null, timestamp: 1 },
    })
  })

  it('reads ISO timestamps with an offset and refuses other strings', () => {
    const accepted = (serverTimestamp: unknown) => ({
      accepted: [{ id: 'c', serverTimestamp }],
      conflicts: [],
      errors: [],
    })
    expect(validatePushResult(accepted('2026-11-22T11:00:00+01:00')).accepted[0]?.serverTimestamp).toBe(
      Date.parse('2026-11-22T10:00:00Z'),
    )
    expect(() => validatePushResult(accepted('2026-11-22'))).toThrow(
      /accepted\.0\.serverTimestamp: expected epoch/,
    )
    expect(() => validatePushResult(accepted(-1))).toThrow(/accepted\.0\.serverTimestamp/)
  })

  it('refuses a pull request whose batch size is not a positive integer', () => {
    const parsed = pullRequestSchema.safeParse({ cursor: null, batchSize: 2.5 })
    expect(parsed.success || formatIssues(parsed.error.issues)).toBe(
      'batchSize: expected an integer, got 2.5',
    )
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
