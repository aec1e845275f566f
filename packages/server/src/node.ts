import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Database, type OpenDatabaseOptions, openDatabase } from './database.js'
import { createSyncHandler, type SyncHandler, type SyncHandlerOptions } from './handler.js'
import { attachLiveSockets } from './liveSocket.js'

export interface ListenOptions {
  /** 0 picks a free port. Defaults to 8787. */
  port?: number | undefined
  /** Defaults to 127.0.0.1: reachable from this machine only until you say otherwise. */
  host?: string | undefined
}

export interface RunningServer {
  /** Where the server listens, e.g. `http://127.0.0.1:8787`. */
  readonly url: string
  /** Stops accepting connections, ends open ones, and closes what the server opened. */
  close(): Promise<void>
}

export const DEFAULT_PORT = 8787
export const DEFAULT_HOST = '127.0.0.1'

function toRequest(req: IncomingMessage, origin: string, signal: AbortSignal): Request {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item)
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
  // Pulled chunk by chunk, so the handler's byte limit stops reading instead of buffering the whole body.
  let open = hasBody
  const body = hasBody
    ? new ReadableStream<Uint8Array>({
        start(controller) {
          req.on('data', (chunk: Buffer) => {
            if (!open) return
            controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
            if ((controller.desiredSize ?? 0) <= 0) req.pause()
          })
          req.on('end', () => {
            if (open) controller.close()
            open = false
          })
          req.on('error', (error) => {
            if (open) controller.error(error)
            open = false
          })
          req.on('close', () => {
            if (open) controller.error(new Error('The client closed the connection.'))
            open = false
          })
          req.pause()
        },
        pull() {
          req.resume()
        },
        cancel() {
          open = false
          req.pause()
        },
      })
    : null
  // The URL is built from the listening address, never from the client's Host header.
  return new Request(new URL(req.url ?? '/', origin), {
    method: req.method,
    headers,
    body,
    signal,
    ...(body ? { duplex: 'half' } : {}),
  } as RequestInit)
}

async function writeResponse(response: Response, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {}
  response.headers.forEach((value, name) => {
    headers[name] = value
  })
  // A body we stopped reading (e.g. 413) cannot be left on a kept-alive connection.
  if (!req.complete) headers.connection = 'close'
  res.writeHead(response.status, headers)
  if (!response.body || req.method === 'HEAD') {
    res.end()
    return
  }
  const reader = response.body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    if (!res.write(value)) await new Promise((resolve) => res.once('drain', resolve))
  }
  res.end()
}

/** Serves a Fetch-API handler with node:http. */
export async function serveNode(handler: SyncHandler, options: ListenOptions = {}): Promise<RunningServer> {
  const host = options.host ?? DEFAULT_HOST
  let origin = ''
  const server = createServer((req, res) => {
    const aborted = new AbortController()
    res.on('close', () => aborted.abort())
    handler(toRequest(req, origin, aborted.signal))
      .then((response) => writeResponse(response, req, res))
      .catch((error: unknown) => {
        console.error('driftless-server: could not write the response', error)
        res.destroy()
      })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const hostname = address.family === 'IPv6' ? `[${address.address}]` : address.address
  origin = `http://${hostname}:${address.port}`
  const live = attachLiveSockets(server, handler, () => origin)
  return {
    url: origin,
    async close() {
      await live.close()
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      })
    },
  }
}

export interface StartServerOptions
  extends ListenOptions,
    OpenDatabaseOptions,
    Omit<SyncHandlerOptions, 'database'> {
  /** An already open database; otherwise one is opened from `databaseUrl` / `dataDir` and closed on `close()`. */
  database?: Database | undefined
}

/** Opens the database, migrates it and serves the sync API over HTTP. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const owned = options.database === undefined
  const database = options.database ?? (await openDatabase(options))
  try {
    const server = await serveNode(createSyncHandler({ ...options, database }), options)
    return {
      url: server.url,
      async close() {
        await server.close()
        if (owned) await database.close()
      },
    }
  } catch (error) {
    if (owned) await database.close()
    throw error
  }
}
