import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { change, openReadySocket, pullCursor, pushOverHttp } from './test/liveClient.js'
import { signToken } from './test/tokens.js'

const url = process.env.DRIFTLESS_TEST_DATABASE_URL
const serverScript = fileURLToPath(new URL('./test/serverProcess.ts', import.meta.url))

function startProcess(schema: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', serverScript], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: { ...process.env, DRIFTLESS_PROCESS_DATABASE_URL: url, DRIFTLESS_PROCESS_SCHEMA: schema },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise((resolve, reject) => {
    let output = ''
    child.stdout!.setEncoding('utf8')
    child.stdout!.on('data', (chunk: string) => {
      output += chunk
      const match = /listening (\S+)\n/.exec(output)
      if (match?.[1]) resolve({ child, url: match[1] })
    })
    child.once('exit', (code) => reject(new Error(`the server process exited with ${code}`)))
  })
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

describe.runIf(url ?? process.env.CI === 'true')('two server processes over one PostgreSQL', () => {
  const schema = `driftless_live_${process.pid}`
  let first: { child: ChildProcess; url: string } | undefined
  let second: { child: ChildProcess; url: string } | undefined

  beforeAll(async () => {
    if (!url) throw new Error('DRIFTLESS_TEST_DATABASE_URL is not set, but CI=true requires this suite.')
    // One after the other, so the second finds the schema the first migrated.
    first = await startProcess(schema)
    second = await startProcess(schema)
  })
  afterAll(async () => {
    await Promise.all([stop(first?.child), stop(second?.child)])
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    await admin.query(`drop schema if exists ${schema} cascade`)
    await admin.end()
  })

  it('a change pushed to one process pokes the user’s socket held by the other', async () => {
    const token = await signToken('alice', { audience: 'any' })
    const onSecond = await openReadySocket(second!.url, token)
    const onFirst = await openReadySocket(first!.url, token)

    await pushOverHttp(first!.url, token, [change('x1', 'r1', 'from the first process')])
    const cursor = await pullCursor(second!.url, token)
    expect(await onSecond.next()).toEqual({ type: 'poke', cursor })
    expect(await onFirst.next()).toEqual({ type: 'poke', cursor })

    await pushOverHttp(second!.url, token, [change('x2', 'r2', 'from the second process')])
    const next = await pullCursor(first!.url, token)
    expect(await onFirst.next()).toEqual({ type: 'poke', cursor: next })
    onFirst.close()
    onSecond.close()
  })
})
