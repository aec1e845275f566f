import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { closeClients } from '../test/clientFixture.js'
import { useEngineTimers } from '../test/engineHarness.js'
import { expectRecoveryFromUnreachableChunk } from '../test/unreachableChunk.js'

// A chunk the browser could not fetch (offline, a deploy removed it): the import rejects until it can.
const chunk = vi.hoisted(() => ({ reachable: true }))
vi.mock('../sync/uploadLoop.js', async (importOriginal) => {
  if (!chunk.reachable) throw new TypeError('Failed to fetch dynamically imported module: uploadLoop.js')
  return importOriginal()
})

beforeEach(() => useEngineTimers())
afterEach(async () => {
  await closeClients()
  vi.useRealTimers()
  chunk.reachable = true
})

describe('the engine chunks', () => {
  it('a round whose loops could not be fetched fails visibly, and the next round loads them and syncs', async () => {
    await expectRecoveryFromUnreachableChunk((on) => {
      chunk.reachable = on
    })
  })
})
