// Installs the packed packages the way a new user would, outside the workspace: a Vite + React app and a Node
// server in a temporary directory, from the tarballs and the local pnpm store. Typechecks both (bundler
// and nodenext resolution), builds the app, and runs one sync round in Chromium against the server.
import { spawn } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { packAll, pnpm, root } from './packages.mjs'

const started = Date.now()
const work = mkdtempSync(join(tmpdir(), 'driftless-install-'))
const fixtures = join(root, 'scripts/install-test')
// The versions the workspace uses, so the local store already has them.
const versions = lockedVersions([
  'dexie',
  'react',
  'react-dom',
  'vite',
  '@vitejs/plugin-react',
  'typescript',
  'valibot',
  '@types/react',
  '@types/react-dom',
  '@types/node',
])

let server
let browser
try {
  step('pack')
  const tarballs = packAll(mkdirOf(join(work, 'packs')))
  const fromTarball = (name) => `file:${tarballs[name]}`
  // @driftless/react and @driftless/server depend on @driftless/core by version; it is not on the registry yet.
  const overrides = { '@driftless/core': fromTarball('core') }

  step('install the app')
  const appDir = join(work, 'app')
  cpSync(join(fixtures, 'app'), appDir, { recursive: true })
  writeManifest(appDir, {
    dependencies: {
      '@driftless/core': fromTarball('core'),
      '@driftless/react': fromTarball('react'),
      ...pick(['dexie', 'react', 'react-dom', 'valibot']),
    },
    devDependencies: pick(['vite', '@vitejs/plugin-react', 'typescript', '@types/react', '@types/react-dom']),
    pnpm: { overrides },
  })
  install(appDir)
  step('typecheck and build the app')
  run(appDir, ['exec', 'tsc', '-p', '.'])
  run(appDir, ['exec', 'vite', 'build', '--logLevel', 'warn'])

  step('install the server')
  const serverDir = join(work, 'server')
  cpSync(join(fixtures, 'server'), serverDir, { recursive: true })
  writeManifest(serverDir, {
    dependencies: {
      '@driftless/core': fromTarball('core'),
      '@driftless/server': fromTarball('server'),
      ...pick(['dexie']),
    },
    devDependencies: pick(['typescript', '@types/node']),
    pnpm: { overrides },
  })
  install(serverDir)
  step('typecheck and build the server (nodenext)')
  run(serverDir, ['exec', 'tsc', '-p', '.'])

  step('one sync round in Chromium')
  server = spawn(process.execPath, ['dist/server.js', join(work, 'data'), join(appDir, 'dist')], {
    cwd: serverDir,
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const { url } = await firstLine(server)
  const seeded = await seedNote(url, 'alice', 'from another device')
  browser = await chromium.launchPersistentContext(mkdirOf(join(work, 'profile')), {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
    ],
  })
  const page = await browser.newPage()
  const errors = []
  page.on('pageerror', (error) => errors.push(error.message))
  await page.goto(url)
  await page.locator('#pending').waitFor()
  const notes = await page.evaluate(() =>
    window.syncRound('alice', 'from the browser').catch((error) => {
      throw new Error(`syncRound failed: ${error?.name}: ${error?.message ?? error}`)
    }),
  )
  const pending = await page.locator('#pending').textContent()
  const onServer = await pullTexts(url, 'alice')
  const expected = ['from another device', 'from the browser']
  if (JSON.stringify(notes.map((n) => n.text)) !== JSON.stringify(expected))
    fail(`the browser holds ${JSON.stringify(notes)} after the round, not the server's note beside its own`)
  if (JSON.stringify(onServer.sort()) !== JSON.stringify(expected))
    fail(
      `the server holds ${JSON.stringify(onServer)}, not the browser's note beside ${JSON.stringify(seeded)}`,
    )
  if (pending !== '0 pending') fail(`the React status says "${pending}" after the round, not "0 pending"`)
  if (errors.length) fail(`the page threw: ${errors.join('; ')}`)
  console.log(
    `\nInstall test passed in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(onServer)}`,
  )
} finally {
  await browser?.close()
  server?.stdin.end()
  server?.kill()
  rmSync(work, { recursive: true, force: true })
}

function step(label) {
  console.log(`\n> ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`)
}

function fail(message) {
  throw new Error(`Install test failed: ${message}`)
}

function mkdirOf(dir) {
  mkdirSync(dir, { recursive: true })
  return dir
}

function lockedVersions(names) {
  const manifests = ['.', 'apps/todo', 'packages/core', 'packages/react'].map((dir) =>
    JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')),
  )
  return Object.fromEntries(
    names.map((name) => {
      const version = manifests
        .map((m) => m.dependencies?.[name] ?? m.devDependencies?.[name])
        .find((v) => v && /^\d/.test(v))
      if (!version) fail(`no workspace package pins ${name}`)
      return [name, version]
    }),
  )
}

function pick(names) {
  return Object.fromEntries(names.map((name) => [name, versions[name]]))
}

function writeManifest(dir, fields) {
  const manifest = { name: 'driftless-install-test', private: true, type: 'module', ...fields }
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
}

function install(dir) {
  // The workspace's install filled the store; this install takes everything from there.
  run(dir, ['install', '--prefer-offline', '--config.confirmModulesPurge=false'])
}

function run(cwd, args) {
  try {
    pnpm(args, { cwd, stdio: 'pipe', env: { ...process.env, NODE_ENV: 'production' } })
  } catch (error) {
    fail(`pnpm ${args.join(' ')} in ${cwd}:\n${error.stdout ?? ''}${error.stderr ?? ''}`)
  }
}

function firstLine(child) {
  return new Promise((resolve, reject) => {
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
      const line = output.split('\n')[0]
      if (output.includes('\n')) resolve(JSON.parse(line))
    })
    child.on('exit', (code) => reject(new Error(`the scratch server exited with ${code}: ${output}`)))
  })
}

async function token(url, userId) {
  const response = await fetch(`${url}/auth/dev-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  })
  return (await response.json()).token
}

async function post(url, path, userId, body) {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await token(url, userId)}` },
    body: JSON.stringify(body),
  })
  if (!response.ok) fail(`${path} answered ${response.status}: ${await response.text()}`)
  return response.json()
}

async function seedNote(url, userId, text) {
  const data = { id: 'seeded', text }
  const change = {
    id: 'seed-1',
    collection: 'notes',
    recordId: 'seeded',
    type: 'create',
    data,
    timestamp: Date.now(),
  }
  await post(url, '/push', userId, { changes: [change] })
  return text
}

async function pullTexts(url, userId) {
  const { changes } = await post(url, '/pull', userId, { cursor: null, batchSize: 100 })
  return changes.map((change) => change.data.text)
}
