import { readFile, realpath, stat } from 'node:fs/promises'
import { extname, join, resolve, sep } from 'node:path'

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
}

export function contentTypeFor(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream'
}

async function fileAt(path: string): Promise<string | null> {
  const info = await stat(path).catch(() => null)
  if (info?.isFile()) return path
  if (info?.isDirectory()) return fileAt(join(path, 'index.html'))
  return null
}

/**
 * Serves files under `root` for GET and HEAD. A path without a file extension that matches no file
 * gets `index.html`, so a single-page app's client-side routes load; nothing outside `root` is served.
 */
export function createStaticFiles(root: string): (request: Request) => Promise<Response | null> {
  const base = resolve(root)
  return async (request) => {
    let pathname: string
    try {
      pathname = decodeURIComponent(new URL(request.url).pathname)
    } catch {
      return null
    }
    if (pathname.includes('\0')) return null
    const target = resolve(base, `.${pathname}`)
    if (target !== base && !target.startsWith(base + sep)) return null
    let file = await fileAt(target)
    if (!file && extname(target) === '') file = await fileAt(join(base, 'index.html'))
    if (!file) return null
    // A symbolic link must not lead out of the root either.
    const real = await realpath(file)
    const realBase = await realpath(base)
    if (!real.startsWith(realBase + sep)) return null
    const body = await readFile(file)
    const headers = {
      'Content-Type': contentTypeFor(file),
      'Content-Length': String(body.byteLength),
      'X-Content-Type-Options': 'nosniff',
      // Hashed build assets never change; the HTML that names them must always be revalidated.
      'Cache-Control': file.endsWith('.html') ? 'no-cache' : 'public, max-age=3600',
    }
    return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers })
  }
}
