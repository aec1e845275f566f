import { readFileSync, unlinkSync } from 'node:fs'
import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join, resolve } from 'node:path'
import { ServerConfigError } from './httpError.js'

export const LOCK_FILE_NAME = 'driftless-server.lock'

interface LockOwner {
  pid: number
  host: string
  since: string
}

// Directories this process holds: a second open in the same process must be refused too.
const heldHere = new Set<string>()

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>
    return typeof owner.pid === 'number' && typeof owner.host === 'string' ? (owner as LockOwner) : undefined
  } catch {
    return undefined
  }
}

/**
 * A lock left by a process that is gone: crashed, killed, or this pid's previous life in a container.
 * Judged by pid alone, as PostgreSQL does: a restarted container has a new host name but the same volume.
 */
function isStale(owner: LockOwner | undefined, path: string): boolean {
  if (owner === undefined) return false
  if (owner.pid === process.pid) return !heldHere.has(path)
  return !isAlive(owner.pid)
}

function inUse(dataDir: string, path: string, owner: LockOwner | undefined): ServerConfigError {
  const who = owner
    ? `another driftless-server (pid ${owner.pid} on ${owner.host}, since ${owner.since})`
    : `a lock file this server cannot read (${path}; delete it if no server uses the directory)`
  return new ServerConfigError(
    `The data directory ${dataDir} is in use by ${who}. Two servers on one embedded database lose writes: ` +
      'stop the other server, or give this one its own --data-dir.',
  )
}

async function readOwner(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

/**
 * Claims `dataDir` for this process, like PostgreSQL's postmaster.pid: a lock file naming the pid,
 * removed on release or exit. A lock whose process is gone is taken over at once, so a crash never
 * blocks the next start. Throws `ServerConfigError` while another live process holds it.
 */
export async function lockDataDir(dataDir: string): Promise<() => void> {
  const path = resolve(join(dataDir, LOCK_FILE_NAME))
  const mine = JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() })
  // Written aside and linked into place, so the lock file never exists half-written.
  const draft = `${path}.${process.pid}.new`
  await writeFile(draft, mine)
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await link(draft, path)
        return hold(path, mine)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      }
      const text = await readOwner(path)
      if (text === undefined) continue
      const owner = parseOwner(text)
      if (!isStale(owner, path)) throw inUse(dataDir, path, owner)
      await takeOverStale(path, text)
    }
    throw inUse(dataDir, path, undefined)
  } finally {
    await unlink(draft).catch(() => {})
  }
}

function hold(path: string, mine: string): () => void {
  heldHere.add(path)
  const releaseOnExit = () => removeIfMine(path, mine)
  process.once('exit', releaseOnExit)
  return () => {
    process.off('exit', releaseOnExit)
    heldHere.delete(path)
    removeIfMine(path, mine)
  }
}

/** Moves the stale lock aside atomically; if another process replaced it meanwhile, puts theirs back. */
async function takeOverStale(path: string, staleText: string): Promise<void> {
  const aside = `${path}.${process.pid}.stale`
  try {
    await rename(path, aside)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw error
  }
  if ((await readOwner(aside)) !== staleText) await link(aside, path).catch(() => {})
  await unlink(aside).catch(() => {})
}

function removeIfMine(path: string, mine: string): void {
  try {
    if (readFileSync(path, 'utf8') === mine) unlinkSync(path)
  } catch {
    // Already gone: nothing to release.
  }
}
