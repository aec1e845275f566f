import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { inject } from 'vitest'
import { appDir, repoRoot } from './paths.js'

const run = promisify(execFile)

/** Runs `tsc -b` (the server's dist) and `vite build` (the app); returns why it failed, or null. */
export async function buildApp(): Promise<string | null> {
  const steps: [string, string[], string][] = [
    [join(repoRoot, 'node_modules/.bin/tsc'), ['-b'], repoRoot],
    [join(appDir, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], appDir],
  ]
  for (const [command, args, cwd] of steps) {
    try {
      await run(command, args, { cwd, maxBuffer: 16 * 1024 * 1024 })
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string }
      return `${[command, ...args].join(' ')} failed in ${cwd}:\n${`${stdout}\n${stderr}`.trim().slice(0, 4000)}`
    }
  }
  return null
}

/** Fails a scenario file early, with the build's own output, when the global setup could not build. */
export function requireAppBuild(): void {
  const error = inject('appBuildError')
  if (error) throw new Error(`The todo app or server did not build, so this scenario cannot run.\n${error}`)
}
