import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from './database.js'
import { type RunningServer, startServer } from './node.js'
import { testBackends } from './test/backends.js'
import { change, openLiveSocket, openReadySocket, pullCursor, pushOverHttp } from './test/liveClient.js'
import { signToken, TEST_SECRET } from './test/tokens.js'

describe.each(testBackends())('the live socket on $name', (backend) => {
  let database: Database
  let server: RunningServer
  let alice: string
  let bob: string

  beforeAll(async () => {
    database = await backend.open()
    server = await startServer({ port: 0, database, auth: { secret: TEST_SECRET }, logger: { error() {} } })
    alice = await signToken('alice', { audience: 'any' })
    bob = await signToken('bob', { audience: 'any' })
  })
  afterAll(async () => {
    await server?.close()
    await database?.close()
  })

  it("pokes every socket of the user with the cursor a pull ends at, and no one else's", async () => {
    const phone = await openReadySocket(server.url, alice)
    const laptop = await openReadySocket(server.url, alice)
    const bobs = await openReadySocket(server.url, bob)

    await pushOverHttp(server.url, alice, [change('a1', 'r1', 'milk')])
    const cursor = await pullCursor(server.url, alice)
    expect(await phone.next()).toEqual({ type: 'poke', cursor })
    expect(await laptop.next()).toEqual({ type: 'poke', cursor })

    // Bob's first message is the poke for his own push: Alice's push told him nothing.
    await pushOverHttp(server.url, bob, [change('b1', 'r1', 'eggs')])
    expect(await bobs.next()).toEqual({ type: 'poke', cursor: await pullCursor(server.url, bob) })
    for (const socket of [phone, laptop, bobs]) socket.close()
  })

  it('carries push and pull requests, answered with the HTTP status and body', async () => {
    const socket = await openReadySocket(server.url, alice)
    const otherDevice = await openReadySocket(server.url, alice)
    socket.send({ type: 'push', id: 1, body: { changes: [change('a2', 'r2', 'bread')] } })
    const pushed = await socket.next()
    expect(pushed).toMatchObject({ type: 'result', id: 1, status: 200, body: { accepted: [{ id: 'a2' }] } })
    const cursor = await pullCursor(server.url, alice)
    expect(await otherDevice.next()).toEqual({ type: 'poke', cursor })

    // The pushing socket is not poked for its own push: the next thing it hears is its pull's answer.
    socket.send({ type: 'pull', id: 'p', body: { cursor: null, batchSize: 100 } })
    const pulled = await socket.next()
    expect(pulled).toMatchObject({ type: 'result', id: 'p', status: 200, body: { cursor } })
    const body = pulled.body as { changes: { id: string }[] }
    expect(body.changes.map((c) => c.id)).toContain('a2')

    socket.send({ type: 'pull', id: 'bad', body: { batchSize: 'many' } })
    expect(await socket.next()).toMatchObject({ id: 'bad', status: 400, body: { error: /batchSize/ } })
    socket.send({ type: 'pull', id: 'stale', body: { cursor: 'not-a-cursor' } })
    expect(await socket.next()).toMatchObject({ id: 'stale', status: 410, body: { error: 'cursor-unknown' } })
    socket.close()
    otherDevice.close()
  })

  it('closes with 4401 a socket whose token is refused, and one whose token expires', async () => {
    const forged = await openLiveSocket(server.url)
    forged.send({ type: 'auth', token: await signToken('alice', { secret: 'x'.repeat(40) }) })
    expect(await forged.closed).toEqual({ code: 4401, reason: 'The token signature is not valid.' })

    const now = Math.floor(Date.now() / 1000)
    const shortLived = await signToken('alice', { audience: 'any', expiresAt: now + 1 })
    const expiring = await openReadySocket(server.url, shortLived)
    expect((await expiring.closed).code).toBe(4401)
  })

  it('closes a socket that sends something other than the protocol, or switches user', async () => {
    const garbled = await openLiveSocket(server.url)
    garbled.send('hello')
    expect((await garbled.closed).code).toBe(4400)

    const switching = await openReadySocket(server.url, alice)
    switching.send({ type: 'auth', token: bob })
    expect((await switching.closed).code).toBe(4403)
  })

  it('closes a socket whose message is larger than the request body limit', async () => {
    const socket = await openReadySocket(server.url, alice)
    socket.send({
      type: 'push',
      id: 1,
      body: { changes: [change('big', 'r9', 'x'.repeat(2 * 1024 * 1024))] },
    })
    expect((await socket.closed).code).toBe(1009)
    // Only that socket is gone: the server still answers.
    expect((await fetch(`${server.url}/health`)).status).toBe(200)
  })

  it('answers a request sent before any auth with 401', async () => {
    const socket = await openLiveSocket(server.url)
    socket.send({ type: 'pull', id: 7, body: {} })
    expect(await socket.next()).toMatchObject({ type: 'result', id: 7, status: 401 })
    socket.close()
  })

  it('streams the same pokes as Server-Sent Events to a fetch with the Authorization header', async () => {
    const controller = new AbortController()
    const response = await fetch(`${server.url}/events`, {
      headers: { authorization: `Bearer ${alice}` },
      signal: controller.signal,
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
    let text = ''
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) text += (await reader.read()).value ?? ''
    }
    await until(/event: ready\n/)
    await pushOverHttp(server.url, alice, [change('a3', 'r3', 'jam')])
    await until(/event: poke\ndata: .*\n\n/)
    const cursor = await pullCursor(server.url, alice)
    expect(text).toContain(`event: poke\ndata: ${JSON.stringify({ cursor })}\n\n`)
    controller.abort()

    expect((await fetch(`${server.url}/events`)).status).toBe(401)
  })
})
