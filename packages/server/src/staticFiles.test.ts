import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createStaticFiles } from './staticFiles.js'

describe('static files', () => {
  let dir: string
  let serve: (request: Request) => Promise<Response | null>
  const get = (path: string) => serve(new Request(`http://app.test${path}`))

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'driftless-static-'))
    await mkdir(join(dir, 'app', 'assets'), { recursive: true })
    await writeFile(join(dir, 'app', 'index.html'), '<!doctype html><title>app</title>')
    await writeFile(join(dir, 'app', 'assets', 'main.js'), 'console.log(1)')
    await writeFile(join(dir, 'secret.txt'), 'outside the root')
    await symlink(join(dir, 'secret.txt'), join(dir, 'app', 'link.txt'))
    serve = createStaticFiles(join(dir, 'app'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('serves files with their content type', async () => {
    const script = await get('/assets/main.js')
    expect(script?.status).toBe(200)
    expect(script?.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(await script?.text()).toBe('console.log(1)')
    expect((await get('/'))?.headers.get('content-type')).toBe('text/html; charset=utf-8')
  })

  it('falls back to index.html for client-side routes, but not for missing assets', async () => {
    expect(await (await get('/todos/42'))?.text()).toContain('<title>app</title>')
    expect(await get('/assets/missing.js')).toBeNull()
  })

  it('serves nothing outside the root, however the path is spelled', async () => {
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/link.txt',
      '/%00',
    ]) {
      expect(await get(path)).toBeNull()
    }
  })
})
