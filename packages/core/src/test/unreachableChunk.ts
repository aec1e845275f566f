import { expect } from 'vitest'
import { clientFixture } from './clientFixture.js'
import { advance, credentials } from './engineHarness.js'

/**
 * A chunk the browser cannot fetch at first (offline, a deploy removed it): the round fails visibly,
 * nothing is uploaded, and once `reachable(true)` the next round loads the chunk and syncs. The caller's
 * `vi.mock` makes the chunk's import reject while it is unreachable.
 */
export async function expectRecoveryFromUnreachableChunk(reachable: (on: boolean) => void): Promise<void> {
  reachable(false)
  const { server, db, client } = clientFixture()
  await client.connect({ fetchCredentials: credentials() })
  await db.todos.add({ id: 'a', title: 'milk' })
  // Vitest wraps an error thrown by a mock factory, so only the failure itself is checked here.
  await expect(client.sync()).rejects.toThrow()
  expect(client.getSnapshot().lastError).toEqual(expect.any(String))
  expect(server.get('todos', 'a')).toBeUndefined()

  reachable(true)
  await client.sync()
  await advance(100)
  expect(server.get('todos', 'a')?.data).toEqual({ id: 'a', title: 'milk' })
  expect(client.getSnapshot()).toMatchObject({ pendingChanges: 0, lastError: null })
}
