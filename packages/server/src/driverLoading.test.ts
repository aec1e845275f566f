import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const recorder = fileURLToPath(new URL('./test/recordModules.mjs', import.meta.url))

const PG = /\/node_modules\/pg\//
const PGLITE = /\/node_modules\/@electric-sql\/pglite\//
const DEXIE = /\/node_modules\/dexie\//

describe('what importing @driftless/server loads', { timeout: 120_000 }, () => {
  let scratch: string
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'driftless-modules-'))
  })
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true })
  })

  /** Runs `script` (ESM) in a fresh Node process in the package and returns every module URL it loaded. */
  async function modulesLoadedBy(script: string): Promise<string[]> {
    const log = join(scratch, `${Math.random().toString(36).slice(2)}.log`)
    await promisify(execFile)(
      process.execPath,
      [
        '--conditions',
        'development',
        '--import',
        'tsx',
        '--import',
        recorder,
        '--input-type=module',
        '-e',
        script,
      ],
      { cwd: packageDir, env: { ...process.env, DRIFTLESS_MODULE_LOG: log } },
    )
    return (await readFile(log, 'utf8')).split('\n').filter(Boolean)
  }

  it('loads neither database driver, nor Dexie, for a bare import', async () => {
    const loaded = await modulesLoadedBy(`
      const server = await import('@driftless/server')
      if (typeof server.createSyncHandler !== 'function') throw new Error('no handler export')
    `)
    expect(loaded.some((url) => url.includes('/packages/server/src/handler.ts'))).toBe(true)
    // The wire contract comes alone, not through the client engine.
    expect(loaded.some((url) => url.endsWith('/packages/core/src/wire.ts'))).toBe(true)
    expect(loaded.filter((url) => url.endsWith('/packages/core/src/index.ts'))).toEqual([])
    expect(loaded.filter((url) => PG.test(url) || PGLITE.test(url) || DEXIE.test(url))).toEqual([])
  })

  it('loads PGlite and not pg when the server runs on PGlite', async () => {
    const loaded = await modulesLoadedBy(`
      const { openDatabase } = await import('@driftless/server')
      const database = await openDatabase()
      await database.close()
    `)
    expect(loaded.some((url) => PGLITE.test(url))).toBe(true)
    expect(loaded.filter((url) => PG.test(url) || DEXIE.test(url))).toEqual([])
  })

  it('loads pg and not PGlite when the server is given a DATABASE_URL', async () => {
    // Nothing listens on port 1: the connection fails after the driver was loaded, which is all we need.
    const loaded = await modulesLoadedBy(`
      const { openDatabase } = await import('@driftless/server')
      await openDatabase({ databaseUrl: 'postgres://nobody@127.0.0.1:1/none' }).then(
        () => { throw new Error('connected to port 1') },
        () => {},
      )
    `)
    expect(loaded.some((url) => PG.test(url))).toBe(true)
    expect(loaded.filter((url) => PGLITE.test(url) || DEXIE.test(url))).toEqual([])
  })
})
