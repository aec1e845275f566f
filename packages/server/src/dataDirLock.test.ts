import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { validatePullResult, validatePushResult } from '@driftless/core/wire'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LOCK_FILE_NAME, lockDataDir } from './dataDirLock.js'
import { signToken, TEST_SECRET } from './test/tokens.js'

const packageDir = fileURLToPath(new URL('..', import.meta.url))

/** The pid of a process that has exited, so no live process has it. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
  await new Promise((resolve) => child.once('exit', resolve))
  return child.pid!
}

describe('the data directory lock', () => {
  let dataDir: string
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'driftless-lock-'))
  })
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true })
  })

  function writeLock(owner: unknown): Promise<void> {
    return writeFile(join(dataDir, LOCK_FILE_NAME), typeof owner === 'string' ? owner : JSON.stringify(owner))
  }

  it('refuses a second holder while the first holds it, and is free again once released', async () => {
    const release = await lockDataDir(dataDir)
    await expect(lockDataDir(dataDir)).rejects.toMatchObject({
      code: 'CONFIG',
      message: expect.stringContaining(`in use by another driftless-server (pid ${process.pid}`),
    })
    release()
    expect(existsSync(join(dataDir, LOCK_FILE_NAME))).toBe(false)
    const again = await lockDataDir(dataDir)
    again()
  })

  it('refuses a directory another live process holds, saying how to go on', async () => {
    await writeLock({ pid: process.ppid, host: hostname(), since: '2026-11-23T10:00:00.000Z' })
    await expect(lockDataDir(dataDir)).rejects.toThrow(
      `The data directory ${dataDir} is in use by another driftless-server (pid ${process.ppid} on ${hostname()}, since 2026-11-23T10:00:00.000Z). Two servers on one embedded database lose writes: stop the other server, or give this one its own --data-dir.`,
    )
  })

  it('takes over at once a lock whose process died, or that this pid left in a previous life', async () => {
    const gone = await deadPid()
    const leftovers = [
      { pid: gone, host: hostname() },
      // A container restarted on the same volume: another host name, often the same pid.
      { pid: gone, host: 'old-container' },
      { pid: process.pid, host: 'old-container' },
    ]
    for (const { pid, host } of leftovers) {
      await writeLock({ pid, host, since: '2026-11-23T10:00:00.000Z' })
      const release = await lockDataDir(dataDir)
      const owner = JSON.parse(await readFile(join(dataDir, LOCK_FILE_NAME), 'utf8'))
      expect(owner).toMatchObject({ pid: process.pid, host: hostname() })
      release()
    }
  })

  it('refuses a lock file it cannot read rather than guess', async () => {
    await writeLock('not a lock')
    await expect(lockDataDir(dataDir)).rejects.toThrow(
      /cannot read .*delete it if no server uses the directory/,
    )
  })
})

/** `driftless-server` as a real process, from source. */
class ServerProcess {
  readonly child: ChildProcess
  output = ''
  readonly exited: Promise<number | null>

  constructor(dataDir: string) {
    this.child = spawn(
      process.execPath,
      [
        ...['--conditions', 'development', '--import', 'tsx', 'src/cli.ts'],
        ...['--port', '0', '--data-dir', dataDir, '--jwt-secret', TEST_SECRET],
      ],
      { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    this.child.stdout?.on('data', (chunk: Buffer) => {
      this.output += chunk
    })
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.output += chunk
    })
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)))
  }

  /** The URL once it listens; rejects with its output if it exits first. */
  async url(): Promise<string> {
    for (;;) {
      const match = /listening on (http:\/\/\S+)/.exec(this.output)
      if (match) return match[1]!
      const exit = await Promise.race([
        this.exited.then((code) => ({ code })),
        new Promise<undefined>((resolve) => this.child.stdout?.once('data', () => resolve(undefined))),
      ])
      if (exit) throw new Error(`driftless-server exited (${exit.code}) before listening:\n${this.output}`)
    }
  }
}

describe('two server processes on one PGlite data directory', { timeout: 180_000 }, () => {
  let dataDir: string
  const started: ServerProcess[] = []
  afterAll(async () => {
    for (const server of started) server.child.kill('SIGKILL')
    await Promise.all(started.map((server) => server.exited))
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  function start(): ServerProcess {
    const server = new ServerProcess(dataDir)
    started.push(server)
    return server
  }

  it('the second refuses to start; after a crash the next one starts at once and has every acknowledged write', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'driftless-two-servers-'))
    const token = await signToken('alice', { audience: 'any' })
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` }

    const first = start()
    const firstUrl = await first.url()
    const pushed = await fetch(`${firstUrl}/push`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        changes: [
          {
            id: 'c1',
            collection: 'todos',
            recordId: 'r1',
            type: 'create',
            data: { title: 'acknowledged' },
            timestamp: 1,
          },
        ],
      }),
    })
    expect(validatePushResult(await pushed.json()).accepted.map((a) => a.id)).toEqual(['c1'])

    const second = start()
    await expect(second.url()).rejects.toThrow(/exited \(1\) before listening/)
    expect(second.output).toContain(
      `driftless-server: The data directory ${dataDir} is in use by another driftless-server (pid ${first.child.pid}`,
    )

    // A crash leaves the lock file behind; its pid is dead, so it must not block the next start.
    first.child.kill('SIGKILL')
    await first.exited
    expect(existsSync(join(dataDir, LOCK_FILE_NAME))).toBe(true)

    const third = start()
    const pulled = await fetch(`${await third.url()}/pull`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ cursor: null, batchSize: 10 }),
    })
    expect(validatePullResult(await pulled.json()).changes.map((c) => c.data)).toEqual([
      { title: 'acknowledged' },
    ])

    third.child.kill('SIGTERM')
    expect(await third.exited).toBe(0)
    expect(existsSync(join(dataDir, LOCK_FILE_NAME))).toBe(false)
  })
})
