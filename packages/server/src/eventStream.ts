import type { LiveHub, LiveIdentity } from './liveHub.js'

/** A comment line every this often keeps proxies from closing an idle stream. */
const HEARTBEAT_MS = 25_000

/**
 * `GET /events` as Server-Sent Events, for where WebSockets are blocked: `event: poke` with
 * `{ cursor }` whenever the user's changes move. The stream ends when the token expires, so the
 * client reconnects with fresh credentials.
 */
export async function eventStream(
  hub: LiveHub,
  identity: LiveIdentity,
  signal: AbortSignal,
  now: () => number,
): Promise<Response> {
  const encoder = new TextEncoder()
  let stop = () => {}
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      let open = true
      const send = (text: string) => {
        if (open) controller.enqueue(encoder.encode(text))
      }
      const unsubscribe = await hub.subscribe(identity.userId, (cursor) =>
        send(`event: poke\ndata: ${JSON.stringify({ cursor })}\n\n`),
      )
      const heartbeat = setInterval(() => send(': keepalive\n\n'), HEARTBEAT_MS)
      const expiry = setTimeout(() => stop(), Math.max(0, identity.expiresAt - now()))
      stop = () => {
        if (!open) return
        open = false
        unsubscribe()
        clearInterval(heartbeat)
        clearTimeout(expiry)
        controller.close()
      }
      signal.addEventListener('abort', stop, { once: true })
      if (signal.aborted) stop()
      send('event: ready\ndata: {}\n\n')
    },
    cancel() {
      stop()
    },
  })
  return new Response(stream, {
    status: 200,
    headers: {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
    },
  })
}
