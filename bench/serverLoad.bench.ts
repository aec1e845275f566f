/**
 * The reference server under 200 simulated devices over real HTTP on 127.0.0.1, on PostgreSQL and on
 * PGlite: each device pushes a small batch and pulls its user's new changes, again and again. Printed
 * beside the server's own ingest ceiling (one plain script pushing 500 changes at a time) measured on the
 * same server just before.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SignJWT } from 'jose'
import pg from 'pg'
import { formatTable, percentile } from './table.js'

const DEVICES = Number(process.env.LOAD_DEVICES ?? 200)
/** Devices per user: devices of one user contend for the same per-user write lock, as real ones do. */
const DEVICES_PER_USER = 4
const BATCH = Number(process.env.LOAD_BATCH ?? 10)
const DURATION_MS = Number(process.env.LOAD_DURATION_MS ?? 20_000)
/** A request that has not answered after this long counts as timed out (what the issue measured). */
const TIMEOUT_MS = 30_000
const CEILING_CHANGES = 10_000
const SECRET = 'bench-secret-that-is-at-least-32-characters'
const databaseUrl = process.env.DRIFTLESS_BENCH_DATABASE_URL || process.env.DATABASE_URL

function sign(user: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode(SECRET))
}

async function startServerProcess(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(fileURLToPath(new URL('./realtime/serverProcess.ts', import.meta.url)), {
    execArgv: ['--conditions=@driftless/source', '--import', 'tsx'],
    env: { ...process.env, DRIFTLESS_BENCH_SECRET: SECRET, ...env },
  })
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { url: string }).url))
    child.once('exit', (code) => reject(new Error(`the server process exited with ${code}`)))
  })
  return { child, url }
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.send('stop')
  })
}

let changeCounter = 0

function changes(prefix: string, count: number) {
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${++changeCounter}`,
    collection: 'todos',
    recordId: `${prefix}-r${i}`,
    type: 'update',
    data: { id: `${prefix}-r${i}`, title: `todo ${changeCounter}`, done: changeCounter % 2 === 0 },
    prevData: null,
    timestamp: Date.now(),
  }))
}

async function post(url: string, token: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  })
}

/** Changes per second one plain script gets into the server, 500 (the server's cap) per push. */
async function ceiling(url: string): Promise<number> {
  const token = await sign(`ceiling-${Date.now()}`)
  const all = changes('ceiling', CEILING_CHANGES).map((change, i) => ({ ...change, recordId: `c${i}` }))
  const started = performance.now()
  for (let start = 0; start < all.length; start += 500) {
    const response = await post(`${url}/push`, token, { changes: all.slice(start, start + 500) })
    if (!response.ok) throw new Error(`The ceiling script's push answered ${response.status}`)
    await response.arrayBuffer()
  }
  return CEILING_CHANGES / ((performance.now() - started) / 1000)
}

interface LoadResult {
  requests: number
  latencies: number[]
  errors: number
  timeouts: number
  /** 503 server-busy answers: the device waits Retry-After and goes on, as the client does. */
  busy: number
  changes: number
  seconds: number
}

async function load(url: string): Promise<LoadResult> {
  const result: LoadResult = {
    requests: 0,
    latencies: [],
    errors: 0,
    timeouts: 0,
    busy: 0,
    changes: 0,
    seconds: 0,
  }
  const tokens = await Promise.all(
    Array.from({ length: Math.ceil(DEVICES / DEVICES_PER_USER) }, (_, i) => sign(`load-user-${i}`)),
  )
  const deadline = performance.now() + DURATION_MS
  const timed = async (send: () => Promise<Response>): Promise<unknown> => {
    const started = performance.now()
    result.requests++
    try {
      const response = await send()
      const body = await response.json()
      result.latencies.push(performance.now() - started)
      if (response.status === 503) {
        result.busy++
        const seconds = Number(response.headers.get('retry-after') ?? 1)
        await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
      } else if (!response.ok) result.errors++
      return response.ok ? body : undefined
    } catch (error) {
      result.latencies.push(performance.now() - started)
      if ((error as Error).name === 'TimeoutError') result.timeouts++
      else result.errors++
      return undefined
    }
  }
  const device = async (index: number) => {
    const token = tokens[Math.floor(index / DEVICES_PER_USER)]!
    let cursor: string | null = null
    while (performance.now() < deadline) {
      const pushed = (await timed(() =>
        post(`${url}/push`, token, { changes: changes(`d${index}`, BATCH) }),
      )) as { accepted: unknown[] } | undefined
      result.changes += pushed?.accepted.length ?? 0
      const page = (await timed(() => post(`${url}/pull`, token, { cursor, batchSize: 100 }))) as
        | { cursor: string }
        | undefined
      cursor = page?.cursor ?? cursor
    }
  }
  const started = performance.now()
  await Promise.all(Array.from({ length: DEVICES }, (_, i) => device(i)))
  result.seconds = (performance.now() - started) / 1000
  return result
}

async function run(name: string, env: Record<string, string>): Promise<string[]> {
  const server = await startServerProcess(env)
  try {
    const ceilingPerSecond = await ceiling(server.url)
    const r = await load(server.url)
    const ms = (value: number) => `${value.toFixed(0)} ms`
    const changesPerSecond = r.changes / r.seconds
    return [
      name,
      (r.requests / r.seconds).toFixed(0),
      changesPerSecond.toFixed(0),
      `${ceilingPerSecond.toFixed(0)} (${((changesPerSecond / ceilingPerSecond) * 100).toFixed(0)}%)`,
      ms(percentile(r.latencies, 50)),
      ms(percentile(r.latencies, 95)),
      ms(percentile(r.latencies, 99)),
      `${((r.errors / r.requests) * 100).toFixed(1)}%`,
      `${((r.timeouts / r.requests) * 100).toFixed(1)}%`,
      `${((r.busy / r.requests) * 100).toFixed(1)}%`,
    ]
  } finally {
    await stop(server.child)
  }
}

const rows: string[][] = []
if (databaseUrl) {
  const schema = `driftless_load_${process.pid}`
  try {
    rows.push(
      await run('PostgreSQL', { DRIFTLESS_BENCH_DATABASE_URL: databaseUrl, DRIFTLESS_BENCH_SCHEMA: schema }),
    )
  } finally {
    const admin = new pg.Client({ connectionString: databaseUrl })
    await admin.connect()
    await admin.query(`drop schema if exists ${schema} cascade`)
    await admin.end()
  }
}
const dataDir = await mkdtemp(join(tmpdir(), 'driftless-load-'))
try {
  rows.push(await run('PGlite (data directory)', { DRIFTLESS_BENCH_DATA_DIR: dataDir }))
} finally {
  await rm(dataDir, { recursive: true, force: true })
}
console.log(
  formatTable(
    `\nServer under ${DEVICES} devices (${DEVICES_PER_USER} per user), each pushing ${BATCH} changes then pulling, for ${DURATION_MS / 1000} s over HTTP on 127.0.0.1 (Node ${process.version}; timeout ${TIMEOUT_MS / 1000} s)${databaseUrl ? '' : '; set DRIFTLESS_BENCH_DATABASE_URL for the PostgreSQL row'}`,
    [
      'storage',
      'req/s',
      'changes/s',
      'ceiling changes/s (load %)',
      'p50',
      'p95',
      'p99',
      'errors',
      'timeouts',
      'busy (503)',
    ],
    rows,
  ),
)
