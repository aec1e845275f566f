/**
 * Real time: an edit on device A, visible in device B's Dexie table, over loopback against the
 * reference server (PostgreSQL from DATABASE_URL, else PGlite), through the live socket's poke and
 * beside it through HTTP interval polling; then what 1,000 idle sockets cost one server process.
 */
import 'fake-indexeddb/auto'
import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import Dexie, { liveQuery } from 'dexie'
import { SignJWT } from 'jose'
import pg from 'pg'
import WebSocket from 'ws'
import {
  createEnvironment,
  createSyncClient,
  HttpTransport,
  type SyncClient,
  type Transport,
  type WebSocketLike,
  WsTransport,
} from '../packages/core/src/index.js'

const EDITS = Number(process.env.REALTIME_EDITS ?? 1000)
const BASELINE_EDITS = Number(process.env.REALTIME_BASELINE_EDITS ?? 40)
const BASELINE_INTERVAL_MS = 1000
const IDLE_SOCKETS = Number(process.env.REALTIME_IDLE_SOCKETS ?? 1000)
const EDIT_TIMEOUT_MS = 10_000
/** Each latency run stops early after this long, so a slow machine still finishes; the count is printed. */
const BUDGET_MS = Number(process.env.REALTIME_BUDGET_MS ?? 120_000)
const SECRET = 'bench-secret-that-is-at-least-32-characters'
const databaseUrl = process.env.DRIFTLESS_BENCH_DATABASE_URL || process.env.DATABASE_URL
const schema = `driftless_bench_${process.pid}`

interface Todo {
  id: string
  title: string
}

function sign(user: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode(SECRET))
}

async function startServerProcess(): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(fileURLToPath(new URL('./realtime/serverProcess.ts', import.meta.url)), {
    execArgv: ['--expose-gc', '--conditions=development', '--import', 'tsx'],
    env: {
      ...process.env,
      DRIFTLESS_BENCH_DATABASE_URL: databaseUrl ?? '',
      DRIFTLESS_BENCH_SCHEMA: databaseUrl ? schema : '',
      DRIFTLESS_BENCH_SECRET: SECRET,
    },
  })
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { url: string }).url))
    child.once('exit', (code) => reject(new Error(`the server process exited with ${code}`)))
  })
  return { child, url }
}

function memoryOf(child: ChildProcess): Promise<NodeJS.MemoryUsage> {
  return new Promise((resolve) => {
    child.once('message', (message) => resolve((message as { memory: NodeJS.MemoryUsage }).memory))
    child.send('memory')
  })
}

let deviceCount = 0

async function device(
  url: string,
  user: string,
  transport: (env: ReturnType<typeof createEnvironment>) => Transport,
  intervalMs: number,
) {
  const env = createEnvironment({
    locks: undefined,
    broadcastChannel: () => undefined,
    webSocket: (socketUrl) => new WebSocket(socketUrl) as unknown as WebSocketLike,
    logger: { warn() {}, error: (message, ...details) => console.error(message, ...details) },
  })
  const db = new Dexie(`bench-realtime-${process.pid}-${++deviceCount}`)
  db.version(1).stores({ todos: 'id' })
  const client: SyncClient = createSyncClient(db, {
    tables: { todos: true },
    env,
    transport: transport(env),
    autoSync: { intervalMs, debounceMs: 0 },
    uploadThrottleMs: 0,
  })
  const token = await sign(user)
  await client.connect({ fetchCredentials: async () => ({ endpoint: url, token }) })
  return { client, db, todos: db.table<Todo, string>('todos') }
}

/** Resolves with the milliseconds from `write()` until `table` holds a row with `id`. */
function timeUntilVisible(
  table: Dexie.Table<Todo, string>,
  id: string,
  write: () => Promise<unknown>,
): Promise<number> {
  return new Promise((resolve, reject) => {
    let started = 0
    const timer = setTimeout(() => {
      subscription.unsubscribe()
      reject(new Error(`edit ${id} did not arrive within ${EDIT_TIMEOUT_MS} ms`))
    }, EDIT_TIMEOUT_MS)
    const subscription = liveQuery(() => table.get(id)).subscribe({
      next(row) {
        if (!row || started === 0) return
        clearTimeout(timer)
        subscription.unsubscribe()
        resolve(performance.now() - started)
      },
      error: reject,
    })
    started = performance.now()
    write().catch(reject)
  })
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
}

async function latency(
  url: string,
  label: string,
  edits: number,
  transport: (env: ReturnType<typeof createEnvironment>) => Transport,
  intervalMs: number,
) {
  const user = `bench-${label}-${process.pid}`
  const a = await device(url, user, transport, intervalMs)
  const b = await device(url, user, transport, intervalMs)
  // Both devices have run their first round, and the sockets (if any) are open.
  await a.client.sync()
  await b.client.sync()
  await new Promise((resolve) => setTimeout(resolve, 200))
  const times: number[] = []
  const deadline = performance.now() + BUDGET_MS
  for (let i = 0; i < edits && performance.now() < deadline; i++) {
    const id = `${label}-${i}`
    // Edits at random points of the polling cycle, or each would wait for the same phase of B's interval.
    if (intervalMs > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * intervalMs))
    times.push(await timeUntilVisible(b.todos, id, () => a.todos.add({ id, title: `edit ${i}` })))
  }
  await a.client.close()
  await b.client.close()
  times.sort((x, y) => x - y)
  return {
    label,
    edits: times.length,
    median: percentile(times, 50),
    p99: percentile(times, 99),
    max: times.at(-1) ?? 0,
  }
}

async function idleSockets(url: string, child: ChildProcess) {
  const socketUrl = `${url.replace(/^http/, 'ws')}/live`
  const open = async (user: string) => {
    const token = await sign(user)
    const socket = new WebSocket(socketUrl)
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => socket.send(JSON.stringify({ type: 'auth', token })))
      socket.once('message', () => resolve())
      socket.once('error', reject)
    })
    return socket
  }
  // Warm the server's code paths first, so the difference is the sockets alone.
  for (const socket of await Promise.all(Array.from({ length: 20 }, (_, i) => open(`warm-${i}`))))
    socket.close()
  await new Promise((resolve) => setTimeout(resolve, 500))
  const before = await memoryOf(child)
  const sockets: WebSocket[] = []
  for (let i = 0; i < IDLE_SOCKETS; i += 100) {
    sockets.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(100, IDLE_SOCKETS - i) }, (_, j) => open(`idle-${i + j}`)),
      )),
    )
  }
  const after = await memoryOf(child)
  for (const socket of sockets) socket.terminate()
  const mb = (bytes: number) => bytes / 1024 / 1024
  return {
    sockets: sockets.length,
    rssPerConnection: mb(after.rss - before.rss) / sockets.length,
    heapPerConnection: mb(after.heapUsed - before.heapUsed) / sockets.length,
    rssBefore: mb(before.rss),
    rssAfter: mb(after.rss),
  }
}

const storage = databaseUrl ? 'PostgreSQL' : 'PGlite (no DRIFTLESS_BENCH_DATABASE_URL or DATABASE_URL set)'
const server = await startServerProcess()
try {
  const ws = await latency(server.url, 'live', EDITS, (env) => new WsTransport({ env }), 0)
  const http = await latency(
    server.url,
    'interval',
    BASELINE_EDITS,
    (env) => new HttpTransport({ env }),
    BASELINE_INTERVAL_MS,
  )
  const idle = await idleSockets(server.url, server.child)
  const ms = (value: number) => `${value.toFixed(1)} ms`
  console.log(
    `\nReal time: device A's edit visible in device B's Dexie table (loopback, ${storage}, Node ${process.version})`,
  )
  console.log('transport                         edits   median      p99       max')
  for (const row of [
    { name: 'WsTransport (poke → pull)', ...ws },
    { name: `HttpTransport, ${BASELINE_INTERVAL_MS} ms interval`, ...http },
  ]) {
    console.log(
      `${row.name.padEnd(34)}${String(row.edits).padStart(5)} ${ms(row.median).padStart(9)} ${ms(row.p99).padStart(9)} ${ms(row.max).padStart(9)}`,
    )
  }
  console.log(
    `median ratio interval/live: ${(http.median / ws.median).toFixed(1)}x (the default 30 s interval waits ~15 s on average)`,
  )
  console.log(
    `\n${idle.sockets} idle authenticated sockets on one server process: ${idle.rssPerConnection.toFixed(3)} MB RSS and ${idle.heapPerConnection.toFixed(3)} MB heap per connection (RSS ${idle.rssBefore.toFixed(0)} → ${idle.rssAfter.toFixed(0)} MB)`,
  )
} finally {
  await new Promise<void>((resolve) => {
    server.child.once('exit', () => resolve())
    server.child.send('stop')
  })
  if (databaseUrl) {
    const admin = new pg.Client({ connectionString: databaseUrl })
    await admin.connect()
    await admin.query(`drop schema if exists ${schema} cascade`)
    await admin.end()
  }
}
