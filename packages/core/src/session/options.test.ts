import { describe, expect, it } from 'vitest'
import { DEFAULT_CONNECTION_GRACE_MS } from '../shared/connection.js'
import { ConfigError } from '../shared/errors.js'
import { resolveEngineOptions } from './options.js'

describe('sync options', () => {
  it('applies the seeds’ defaults', () => {
    expect(resolveEngineOptions()).toEqual({
      autoSync: { intervalMs: 30_000, debounceMs: 1_000 },
      pushBatchSize: 50,
      pullBatchSize: 100,
      maxPullPagesPerRound: 100,
      strategy: 'lww',
      retryMaxAttempts: 10,
      retryDelayMs: 5_000,
      maxRetryDelayMs: 60_000,
      uploadThrottleMs: 1_000,
      connectionGraceMs: DEFAULT_CONNECTION_GRACE_MS,
      resolveConflict: undefined,
    })
  })

  it('keeps given values, fills the rest of autoSync, and turns auto sync off with false', () => {
    const options = resolveEngineOptions({
      autoSync: { debounceMs: 0 },
      strategy: 'server-wins',
      collections: ['todos'],
    })
    expect(options).toMatchObject({
      autoSync: { intervalMs: 30_000, debounceMs: 0 },
      strategy: 'server-wins',
      collections: ['todos'],
    })
    expect(resolveEngineOptions({ autoSync: false }).autoSync).toBe(false)
  })

  it.each([
    [{ pushBatchSize: 0 }, 'pushBatchSize: must be at least 1, got 0'],
    [{ pullBatchSize: 10_001 }, 'pullBatchSize: must be at most 10000, got 10001'],
    [{ retryDelayMs: 1.5 }, 'retryDelayMs: expected an integer, got 1.5'],
    [
      { strategy: 'newest' },
      'strategy: expected "lww" or "client-wins" or "server-wins" or "custom", got "newest"',
    ],
    [{ autoSync: { intervalMs: -1 } }, 'autoSync.intervalMs: must be at least 0, got -1'],
    [{ autoSync: true }, 'autoSync: expected an object, got boolean'],
    [{ collections: ['todos', ''] }, 'collections.1: must not be empty'],
  ])('rejects %o with a ConfigError naming the option', (input, detail) => {
    const resolve = () => resolveEngineOptions(input as never)
    expect(resolve).toThrow(ConfigError)
    expect(resolve).toThrow(`Invalid sync options: ${detail}.`)
  })

  it('needs a resolveConflict function for the custom strategy', () => {
    expect(() => resolveEngineOptions({ strategy: 'custom' })).toThrow(/resolveConflict\(conflict\) function/)
  })
})
