// Checks the packed tarballs as a registry user gets them: publint --strict, arethetypeswrong (ESM-only
// profile), no workspace: ranges, no build caches, and source maps that point only at shipped files.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { packAll, root } from './packages.mjs'

const work = mkdtempSync(join(tmpdir(), 'driftless-packages-'))
const problems = []
try {
  const tarballs = packAll(work)
  for (const [name, tarball] of Object.entries(tarballs)) {
    const dir = join(work, name)
    mkdirSync(dir)
    execFileSync('tar', ['xzf', tarball, '-C', dir])
    const pkgDir = join(dir, 'package')
    const files = listFiles(pkgDir)
    const manifest = readFileSync(join(pkgDir, 'package.json'), 'utf8')
    if (manifest.includes('workspace:')) problems.push(`${name}: package.json still has a workspace: range`)
    for (const required of ['LICENSE', 'README.md']) {
      if (!files.includes(required)) problems.push(`${name}: ${required} is missing`)
    }
    for (const file of files) {
      if (file.endsWith('.tsbuildinfo')) problems.push(`${name}: ships the build cache ${file}`)
      if (file.endsWith('.map')) {
        const { sources = [] } = JSON.parse(readFileSync(join(pkgDir, file), 'utf8'))
        for (const source of sources) {
          const target = relative(pkgDir, resolve(pkgDir, dirname(file), source))
          if (!files.includes(target))
            problems.push(`${name}: ${file} points at ${target}, which is not shipped`)
        }
      }
    }
    console.log(`\n${name}: ${files.length} files, ${statSync(tarball).size} bytes packed`)
    run(name, 'publint', ['--strict', tarball])
    const cssEntry = JSON.parse(manifest).exports['./styles.css']
      ? ['--exclude-entrypoints', './styles.css']
      : []
    run(name, 'attw', [tarball, '--profile', 'esm-only', ...cssEntry])
  }
} finally {
  rmSync(work, { recursive: true, force: true })
}

if (problems.length) {
  console.error(`\nThe packages are not ready to publish:\n- ${problems.join('\n- ')}`)
  process.exit(1)
}
console.log('\nAll packages are ready to publish.')

function run(name, bin, args) {
  try {
    console.log(execFileSync(join(root, 'node_modules/.bin', bin), args, { encoding: 'utf8', stdio: 'pipe' }))
  } catch (error) {
    problems.push(`${name}: ${bin} failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`)
  }
}

function listFiles(dir, prefix = '') {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name
    return entry.isDirectory() ? listFiles(dir, path) : [path]
  })
}
