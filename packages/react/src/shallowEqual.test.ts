import { describe, expect, it } from 'vitest'
import { shallowEqual } from './shallowEqual.js'

describe('shallowEqual', () => {
  it('treats objects with the same keys and Object.is-equal values as equal', () => {
    expect(shallowEqual({ a: 1, b: 'x', c: null }, { a: 1, b: 'x', c: null })).toBe(true)
    expect(shallowEqual({ n: Number.NaN }, { n: Number.NaN })).toBe(true)
    expect(shallowEqual([1, 2], [1, 2])).toBe(true)
  })

  it('tells apart a changed value, a missing key and nested objects', () => {
    expect(shallowEqual({ a: 1 }, { a: 2 })).toBe(false)
    expect(shallowEqual<object>({ a: 1, b: undefined }, { a: 1, c: undefined })).toBe(false)
    expect(shallowEqual({ a: {} }, { a: {} })).toBe(false)
    expect(shallowEqual<unknown>({}, null)).toBe(false)
    expect(shallowEqual(1, 2)).toBe(false)
  })
})
