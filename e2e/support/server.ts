import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { appDist, serverCli } from './paths.js'

const STARTUP_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 10_000

/** The reference server CLI serving the built app and the API on 127.0.0.1, with dev tokens. */
export class TestServer {
  private process: ChildProcess | null = null
  private output = ''

  private constructor(
    readonly port: number,
    readonly dataDir: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  /** Starts on a free port with a fresh data directory. */
  static async start(): Promise<TestServer> {
    if (!existsSync(serverCli)) {
      throw new Error(`${serverCli} is missing: build the server first with "npx -y pnpm@10.34.9 build".`)
    }
    const server = new TestServer(await freePort(), await mkdtemp(join(tmpdir(), 'driftless-e2e-data-')))
    try {
      await server.restart()
    } catch (error) {
      await server.dispose()
      throw error
    }
    return server
  }

  /** Starts the process again on the same port and data directory; resolves once /health answers. */
  async restart(): Promise<void> {
    if (this.process) throw new Error('The server is already running; stop it first.')
    this.output = ''
    const child = spawn(
      process.execPath,
      [
        serverCli,
        ...['--port', String(this.port), '--host', '127.0.0.1', '--data-dir', this.dataDir],
        ...['--dev-tokens', '--static', appDist],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    this.process = child
    child.stdout?.on('data', (chunk: Buffer) => this.record(chunk))
    child.stderr?.on('data', (chunk: Buffer) => this.record(chunk))
    child.once('exit', () => {
      if (this.process === child) this.process = null
    })
    await this.waitUntilHealthy(child)
  }

  /** Stops the process (SIGTERM, then SIGKILL) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.process
    if (!child) return
    this.process = null
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
    await exited
    clearTimeout(timer)
  }

  /** What a restore from another backup does: the server comes back on the same port with no data. */
  async replaceData(): Promise<void> {
    await this.stop()
    await rm(this.dataDir, { recursive: true, force: true })
    await this.restart()
  }

  /** Stops the server and deletes its data directory. */
  async dispose(): Promise<void> {
    await this.stop()
    await rm(this.dataDir, { recursive: true, force: true })
  }

  private record(chunk: Buffer): void {
    // Keep the tail only: enough to explain a failed start.
    this.output = (this.output + chunk.toString()).slice(-8000)
  }

  private async waitUntilHealthy(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + STARTUP_TIMEOUT_MS
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `The server exited during start-up (${child.exitCode ?? child.signalCode}):\n${this.output}`,
        )
      }
      if (await isHealthy(this.url)) return
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    throw new Error(
      `The server did not answer ${this.url}/health within ${STARTUP_TIMEOUT_MS} ms:\n${this.output}`,
    )
  }
}

async function isHealthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/health`)).ok
  } catch {
    return false
  }
}

/** A port nobody listens on right now, picked by the OS. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()))
    })
  })
}
