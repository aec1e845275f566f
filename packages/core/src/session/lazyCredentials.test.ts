import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { closeClients } from '../test/clientFixture.js'
import { useEngineTimers } from '../test/engineHarness.js'
import { expectRecoveryFromUnreachableChunk } from '../test/unreachableChunk.js'

// The credential cache's chunk, which the browser could not fetch (offline, a deploy removed it): the
// import rejects until it can. A file of its own: once a chunk has loaded, this worker keeps it.
const chunk = vi.hoisted(() => ({ reachable: true }))
vi.mock('./credentials.js', async (importOriginal) => {
  if (!chunk.reachable) throw new TypeError('Failed to fetch dynamically imported module: credentials.js')
  return importOriginal()
})

beforeEach(() => useEngineTimers())
afterEach(async () => {
  await closeClients()
  vi.useRealTimers()
  chunk.reachable = true
})

describe('the credential cache chunk', () => {
  it('is fetched again by the next round when it could not be, and that round syncs', async () => {
    await expectRecoveryFromUnreachableChunk((on) => {
      chunk.reachable = on
    })
  })
})
