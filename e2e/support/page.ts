import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { extname, join, normalize } from 'node:path'
import { promisify } from 'node:util'
import { appDir } from './paths.js'

const run = promisify(execFile)
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript' }

export interface ServedPage {
  readonly url: string
  close(): Promise<void>
}

/** Builds a page of `e2e/pages/` with Vite (the todo app's) and serves it on 127.0.0.1. */
export async function servePage(pageDir: string): Promise<ServedPage> {
  const outDir = await mkdtemp(join(tmpdir(), 'driftless-e2e-page-'))
  const vite = join(appDir, 'node_modules/.bin/vite')
  try {
    await run(vite, ['build', pageDir, '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
      env: { ...process.env, NODE_ENV: 'production' },
      maxBuffer: 16 * 1024 * 1024,
    })
  } catch (error) {
    await rm(outDir, { recursive: true, force: true })
    const { stderr = '' } = error as { stderr?: string }
    throw new Error(`vite build ${pageDir} failed:\n${stderr.slice(0, 4000)}`)
  }
  const server = createServer(async (request, response) => {
    const path = normalize(new URL(request.url ?? '/', 'http://x').pathname).replace(/^(\.\.[/\\])+/, '')
    try {
      const body = await readFile(join(outDir, path === '/' ? 'index.html' : path))
      response.writeHead(200, {
        'content-type': TYPES[extname(path) || '.html'] ?? 'application/octet-stream',
      })
      response.end(body)
    } catch {
      response.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    async close() {
      await new Promise((resolve) => server.close(resolve))
      await rm(outDir, { recursive: true, force: true })
    },
  }
}
