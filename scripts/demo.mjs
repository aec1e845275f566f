// `pnpm demo`: builds the packages and the todo app, then serves both with the reference server.
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const appDir = join(root, 'apps/todo')
const host = process.env.HOST ?? '127.0.0.1'
const port = process.env.PORT ?? '8787'
const dataDir = join(root, '.data/demo')

function build(label, script, args, cwd) {
  console.log(`\n> ${label}`)
  // A stray NODE_ENV (test, development) would bundle React's development build.
  const env = { ...process.env, NODE_ENV: 'production' }
  const result = spawnSync(process.execPath, [script, ...args], { cwd, env, stdio: 'inherit' })
  if (result.status !== 0) {
    console.error(`\n${label} failed; fix the errors above and run the demo again.`)
    process.exit(result.status ?? 1)
  }
}

build('tsc -b', join(root, 'node_modules/typescript/bin/tsc'), ['-b'], root)
build('vite build', join(appDir, 'node_modules/vite/bin/vite.js'), ['build'], appDir)

mkdirSync(dataDir, { recursive: true })
console.log(`\nDriftless todo demo on http://${host}:${port} (data in .data/demo; Ctrl+C stops it)\n`)
const server = spawn(
  process.execPath,
  [
    join(root, 'packages/server/dist/cli.js'),
    ...['--port', port, '--host', host, '--data-dir', dataDir],
    ...['--dev-tokens', '--static', join(appDir, 'dist')],
  ],
  { cwd: root, stdio: 'inherit' },
)

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal))
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)))
