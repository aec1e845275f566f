import { describe, expect, it } from 'vitest'
import { downloadProgressAfterPage, progressEquals, uploadProgress } from './progress.js'

describe('upload progress', () => {
  it('counts settled changes of those queued when the drain began', () => {
    expect(uploadProgress(0, 250)).toEqual({ done: 0, total: 250 })
    expect(uploadProgress(100, 250)).toEqual({ done: 100, total: 250 })
  })

  it('never shows more done than the total when changes written meanwhile go out too', () => {
    expect(uploadProgress(260, 250)).toEqual({ done: 260, total: 260 })
  })
})

describe('download progress', () => {
  it('counts what arrived out of that plus what the server says remains', () => {
    expect(downloadProgressAfterPage(1000, 49_000)).toEqual({ done: 1000, total: 50_000 })
  })

  it('has no total when the server does not say what remains', () => {
    expect(downloadProgressAfterPage(1000, undefined)).toEqual({ done: 1000, total: null })
  })
})

describe('progressEquals', () => {
  it('compares by value, so an equal progress is no status change', () => {
    expect(progressEquals({ done: 1, total: 2 }, { done: 1, total: 2 })).toBe(true)
    expect(progressEquals({ done: 1, total: 2 }, { done: 1, total: null })).toBe(false)
    expect(progressEquals(null, null)).toBe(true)
    expect(progressEquals(null, { done: 0, total: 0 })).toBe(false)
  })
})
