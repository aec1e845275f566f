import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { aroundWrites, createTodoDb, useEngineTimers } from '../test/engineHarness.js'
import { FakeSyncServer } from '../test/fakeServer.js'
import { closeClients, connector, createDevice } from '../test/syncSetup.js'
import { MAX_SLICE, MIN_SLICE, nextSliceSize, SLICE_BUDGET_MS } from './sliceBudget.js'

beforeEach(() => useEngineTimers())
afterEach(async () => {
  await closeClients()
  vi.useRealTimers()
})

describe('the slice budget', () => {
  it('shrinks at once to what fits in the budget when a slice ran over', () => {
    expect(nextSliceSize(400, 400, SLICE_BUDGET_MS * 4)).toBe(100)
  })

  it('grows when slices run under, at most doubling each time, up to its maximum', () => {
    const sizes = [MIN_SLICE]
    for (let i = 0; i < 10; i++) {
      const size = sizes.at(-1)!
      sizes.push(nextSliceSize(size, size, SLICE_BUDGET_MS / 10))
    }
    for (let i = 1; i < sizes.length; i++) {
      expect(sizes[i]).toBeGreaterThanOrEqual(sizes[i - 1]!)
      expect(sizes[i]).toBeLessThanOrEqual(Math.min(2 * sizes[i - 1]!, MAX_SLICE))
    }
    expect(sizes.at(-1)).toBe(MAX_SLICE)
  })

  it('never goes below its minimum, however slow the machine', () => {
    expect(nextSliceSize(400, 400, 10_000)).toBe(MIN_SLICE)
    expect(nextSliceSize(MIN_SLICE, MIN_SLICE, 10_000)).toBe(MIN_SLICE)
  })

  it('a slice that took no measurable time doubles the next one', () => {
    expect(nextSliceSize(100, 100, 0)).toBe(200)
  })
})

describe('a pulled page applied in budgeted slices', () => {
  it('writes fewer changes per task while writing rows is slow, and more again once it is quick', async () => {
    const server = new FakeSyncServer()
    const count = 3000
    for (let i = 1; i <= count; i++) server.write('todos', `t${i}`, { id: `t${i}`, title: `todo ${i}` })
    // The engine's clock moves only with the work the rows cost: 1 ms a row for the first 200 rows, then nothing.
    let clock = Date.UTC(2026, 10, 22, 12)
    let written = 0
    const slices: number[] = []
    const db = createTodoDb()
    aroundWrites(db, 'todos', (request, write) => {
      if (request.type === 'put') {
        slices.push(request.values.length)
        clock += written < 200 ? request.values.length : 0
        written += request.values.length
      }
      return write()
    })
    const { client } = createDevice(server, { db, pullBatchSize: count, now: () => clock })
    await client.connect(connector)
    await client.sync()

    expect(await db.todos.count()).toBe(count)
    expect(slices.reduce((sum, size) => sum + size, 0)).toBe(count)
    const slow = slices.findIndex((_, i) => slices.slice(0, i + 1).reduce((a, b) => a + b, 0) >= 200) + 1
    // Under load: each slice holds only what fits in the budget.
    expect(slices.slice(0, slow).every((size) => size === MIN_SLICE)).toBe(true)
    // Once quick: they double, up to the maximum and no further.
    expect(slices.slice(slow, slow + 5)).toEqual([1, 2, 4, 8, 16].map((times) => times * MIN_SLICE))
    expect(Math.max(...slices)).toBe(MAX_SLICE)
  })
})
