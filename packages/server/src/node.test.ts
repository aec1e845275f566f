import { request as httpRequest } from 'node:http'
import { validatePullResult, validatePushResult } from '@driftless/core/wire'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from './node.js'
import { signToken, TEST_SECRET } from './test/tokens.js'

/** Sends `total` bytes in chunks without a Content-Length header (chunked encoding). */
function postChunked(url: string, token: string, total: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}/push`,
      { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          body += chunk
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      },
    )
    // The server may close the connection once it has answered; that is the point of the test.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error)
    })
    const chunk = Buffer.alloc(16 * 1024, 0x20)
    let sent = 0
    const writeMore = () => {
      while (sent < total) {
        sent += chunk.byteLength
        if (!req.write(chunk)) {
          req.once('drain', writeMore)
          return
        }
      }
      req.end()
    }
    writeMore()
  })
}

describe('the Node adapter', () => {
  let server: RunningServer
  let token: string

  beforeAll(async () => {
    server = await startServer({
      port: 0,
      auth: { secret: TEST_SECRET },
      maxBodyBytes: 64 * 1024,
      logger: { error() {} },
    })
    token = await signToken('alice', { audience: 'any' })
  })
  afterAll(async () => {
    await server?.close()
  })

  it('listens on 127.0.0.1 by default and answers health checks', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const response = await fetch(`${server.url}/health`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'ok', database: 'pglite' })
  })

  it('carries a push and a pull over HTTP', async () => {
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` }
    const change = {
      id: 'c1',
      collection: 'todos',
      recordId: 'r1',
      type: 'create',
      data: { title: 'x' },
      timestamp: 1,
    }
    const pushed = await fetch(`${server.url}/push`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ changes: [change] }),
    })
    expect(validatePushResult(await pushed.json()).accepted.map((a) => a.id)).toEqual(['c1'])
    const pulled = await fetch(`${server.url}/pull`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ cursor: null, batchSize: 10 }),
    })
    expect(validatePullResult(await pulled.json()).changes.map((c) => c.id)).toEqual(['c1'])
    const viaGet = await fetch(`${server.url}/pull?batchSize=10&collections=todos,notes`, { headers })
    expect(validatePullResult(await viaGet.json()).changes.map((c) => c.id)).toEqual(['c1'])
  })

  it('answers 413 to a chunked body over the limit, and keeps serving', async () => {
    const response = await postChunked(server.url, token, 4 * 1024 * 1024)
    expect(response.status).toBe(413)
    expect(JSON.parse(response.body).error).toMatch(/65536 bytes/)
    expect((await fetch(`${server.url}/health`)).status).toBe(200)
  })

  it('uses the listening address for request URLs, whatever Host the client sends', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      httpRequest(`${server.url}/health`, { headers: { host: 'evil.example:1' } }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
        .on('error', reject)
        .end()
    })
    expect(status).toBe(200)
  })
})
