import WebSocket from 'ws'

/** A live-socket client for tests: messages arrive in a queue that `next()` takes from in order. */
export interface LiveTestClient {
  next(): Promise<Record<string, unknown>>
  send(message: unknown): void
  /** Resolves with the close code and reason once the server closes the socket. */
  closed: Promise<{ code: number; reason: string }>
  close(): void
}

export async function openLiveSocket(serverUrl: string, path = '/live'): Promise<LiveTestClient> {
  const ws = new WebSocket(`${serverUrl.replace(/^http/, 'ws')}${path}`)
  const queue: Record<string, unknown>[] = []
  const waiting: ((message: Record<string, unknown>) => void)[] = []
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as Record<string, unknown>
    const waiter = waiting.shift()
    if (waiter) waiter(message)
    else queue.push(message)
  })
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  )
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  return {
    next: () => {
      const message = queue.shift()
      return message ? Promise.resolve(message) : new Promise((resolve) => waiting.push(resolve))
    },
    send: (message) => ws.send(JSON.stringify(message)),
    closed,
    close: () => ws.close(),
  }
}

/** A socket that has authenticated as the token's user and is ready for pokes. */
export async function openReadySocket(serverUrl: string, token: string): Promise<LiveTestClient> {
  const client = await openLiveSocket(serverUrl)
  client.send({ type: 'auth', token })
  const first = await client.next()
  if (first.type !== 'ready') throw new Error(`expected ready, got ${JSON.stringify(first)}`)
  return client
}

export function change(id: string, recordId: string, title: string) {
  return { id, collection: 'todos', recordId, type: 'create', data: { title }, timestamp: 1 }
}

export async function pushOverHttp(serverUrl: string, token: string, changes: unknown[]): Promise<void> {
  const response = await fetch(`${serverUrl}/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ changes }),
  })
  if (response.status !== 200) throw new Error(`push failed: ${response.status}`)
}

export async function pullCursor(serverUrl: string, token: string): Promise<string | null> {
  const response = await fetch(`${serverUrl}/pull`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ cursor: null, batchSize: 1000 }),
  })
  return ((await response.json()) as { cursor: string | null }).cursor
}
