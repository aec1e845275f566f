// Builds and packs the publishable packages as the registry would get them (pnpm pack applies publishConfig
// and turns workspace: ranges into versions).
import { execFileSync } from 'node:child_process'
import { readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = fileURLToPath(new URL('..', import.meta.url))
export const publishable = ['core', 'react', 'server']

/** `npx -y pnpm@… args`, as everywhere in this repo (corepack does not work here). */
export function pnpm(args, options = {}) {
  return execFileSync('npx', ['-y', 'pnpm@10.34.9', ...args], { encoding: 'utf8', ...options })
}

/** Builds every package afresh and packs each into `dest`; returns { name: tarball path }. */
export function packAll(dest) {
  // tsc -b never deletes outputs of removed sources; a stale dist would ship them.
  for (const name of publishable)
    rmSync(join(root, 'packages', name, 'dist'), { recursive: true, force: true })
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b'], {
    cwd: root,
    stdio: 'inherit',
  })
  for (const name of publishable) {
    pnpm(['pack', '--pack-destination', dest], { cwd: join(root, 'packages', name), stdio: 'pipe' })
  }
  const tarballs = {}
  for (const file of readdirSync(dest)) {
    const name = publishable.find((n) => file.startsWith(`driftless-${n}-`) && file.endsWith('.tgz'))
    if (name) tarballs[name] = join(dest, file)
  }
  return tarballs
}
