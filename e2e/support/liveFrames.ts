import type { BrowserContext } from 'playwright-core'

/** What pages of `context` sent and received over the live socket, parsed; recorded from now on. */
export function recordLiveFrames(context: BrowserContext) {
  const sent: Record<string, unknown>[] = []
  const received: Record<string, unknown>[] = []
  const parse = (payload: string | Buffer) => JSON.parse(String(payload)) as Record<string, unknown>
  context.on('page', (page) =>
    page.on('websocket', (socket) => {
      socket.on('framesent', ({ payload }) => sent.push(parse(payload)))
      socket.on('framereceived', ({ payload }) => received.push(parse(payload)))
    }),
  )
  return { sent, received }
}
