import { type PulledChange, validatePullResult, validatePushResult } from '../../packages/core/src/wire.js'

/** A dev token for `userId`, as the app gets one; tests use it to read the server's state. */
export async function devToken(baseUrl: string, userId: string): Promise<string> {
  const response = await fetch(`${baseUrl}/auth/dev-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  })
  if (!response.ok) throw new Error(`POST /auth/dev-token answered ${response.status}`)
  const { token } = (await response.json()) as { token: string }
  return token
}

/** Every change the server holds for the token's user, pulled page by page from the start. */
export async function pullAll(baseUrl: string, token: string): Promise<PulledChange[]> {
  const changes: PulledChange[] = []
  let cursor: string | null = null
  for (;;) {
    const response = await fetch(`${baseUrl}/pull`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ cursor, batchSize: 100 }),
    })
    if (!response.ok) throw new Error(`POST /pull answered ${response.status}: ${await response.text()}`)
    const page = validatePullResult(await response.json())
    changes.push(...page.changes)
    if (!page.hasMore) return changes
    cursor = page.cursor
  }
}

export interface ServerTodo {
  id: string
  title: string
  completed: boolean
}

/** The user's todos as the server sees them: pulled changes replayed in order, deletes removed. */
export async function serverTodos(baseUrl: string, userId: string): Promise<ServerTodo[]> {
  const changes = await pullAll(baseUrl, await devToken(baseUrl, userId))
  const rows = new Map<string, ServerTodo>()
  for (const change of changes) {
    if (change.collection !== 'todos') continue
    if (change.type === 'delete' || !change.data) rows.delete(change.recordId)
    else rows.set(change.recordId, { ...rows.get(change.recordId), ...change.data } as ServerTodo)
  }
  return [...rows.values()].sort((a, b) => a.title.localeCompare(b.title))
}

/** Just the titles, sorted: what most assertions compare. */
export async function serverTitles(baseUrl: string, userId: string): Promise<string[]> {
  return (await serverTodos(baseUrl, userId)).map((todo) => todo.title)
}

/** Stores `count` todos for `userId` on the server, as another device of theirs would have pushed them. */
export async function pushTodos(baseUrl: string, userId: string, count: number): Promise<void> {
  const token = await devToken(baseUrl, userId)
  const now = Date.now()
  for (let start = 0; start < count; start += 250) {
    const changes = Array.from({ length: Math.min(250, count - start) }, (_, offset) => {
      const n = start + offset
      const id = `seeded-${userId}-${n}`
      const data = { id, title: `Seeded ${n}`, completed: false, createdAt: now + n, updatedAt: now + n }
      return {
        id: `change-${id}`,
        collection: 'todos',
        recordId: id,
        type: 'create',
        data,
        timestamp: now + n,
      }
    })
    const response = await fetch(`${baseUrl}/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ changes }),
    })
    if (!response.ok) throw new Error(`POST /push answered ${response.status}: ${await response.text()}`)
    const result = validatePushResult(await response.json())
    if (result.accepted.length !== changes.length)
      throw new Error(
        `POST /push accepted ${result.accepted.length} of ${changes.length}: ${JSON.stringify(result)}`,
      )
  }
}
