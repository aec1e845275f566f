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
  // Vitest sets NODE_ENV=test; the app under test is the production build.
  const env = { ...process.env, NODE_ENV: 'production' }
  for (const [command, args, cwd] of steps) {
    try {
      await run(command, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 })
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string }
      return `${[command, ...args].join(' ')} failed in ${cwd}:\n${essentials(`${stdout}\n${stderr}`)}`
    }
  }
  return null
}

// The build tools' own stack traces say nothing about what to fix.
function essentials(output: string): string {
  const [message = ''] = output.split(/\n\s*(?:Stack backtrace:|at )/)
  return message.trim().slice(0, 4000)
}

/** Fails a scenario file early, with the build's own output, when the global setup could not build. */
export function requireAppBuild(): void {
  const error = inject('appBuildError')
  if (error) throw new Error(`The todo app or server did not build, so this scenario cannot run.\n${error}`)
}
