/**
 * CPU profiles of the page through the DevTools protocol's Profiler, saved as `.cpuprofile` (DevTools'
 * Performance panel opens them) and summarised as the functions with the most self time.
 */
import { readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { CDPSession } from 'playwright-core'
import { formatTable } from './table.js'

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
}

interface ProfileNode {
  id: number
  callFrame: CallFrame
  children?: number[]
}

export interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples?: number[]
  timeDeltas?: number[]
}

/** Samples every `intervalUs` microseconds until the returned stop() saves the profile as `<dir>/<name>.cpuprofile`. */
export async function startProfile(cdp: CDPSession, intervalUs = 250) {
  await cdp.send('Profiler.enable')
  await cdp.send('Profiler.setSamplingInterval', { interval: intervalUs })
  await cdp.send('Profiler.start')
  return async (dir: string, name: string): Promise<{ profile: CpuProfile; file: string }> => {
    const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile }
    await cdp.send('Profiler.disable')
    const file = join(dir, `${name}.cpuprofile`)
    await writeFile(file, JSON.stringify(profile))
    return { profile, file }
  }
}

/**
 * Which source module a bundle line belongs to: Vite's unminified output opens each module with a
 * `// ../packages/core/src/…` comment, so the last such comment above a line names its file.
 */
function moduleLookup(bundleFile: string): (line: number) => string {
  let lines: string[]
  try {
    lines = readFileSync(bundleFile, 'utf8').split('\n')
  } catch {
    return () => bundleFile
  }
  const starts: { line: number; module: string }[] = []
  lines.forEach((text, line) => {
    const match = /^\/\/ (\S+\.(?:ts|tsx|js|mjs|cjs))$/.exec(text)
    if (match) starts.push({ line, module: shorten(match[1]!) })
  })
  return (line) => {
    let found = '(bundle)'
    for (const start of starts) {
      if (start.line > line) break
      found = start.module
    }
    return found
  }
}

/** `../packages/core/src/capture/outbox.ts` → `core/capture/outbox.ts`; a dependency by its package name. */
function shorten(path: string): string {
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(path)
  if (pkg) return `${pkg[1]}/${pkg[2]!.split('/').pop()}`
  return path.replace(/^(\.\.\/)+/, '').replace(/^packages\/(\w+)\/src\//, '$1/')
}

/** Self time by function (and by module), the largest first, as percentages of the sampled time. */
export function summarise(profile: CpuProfile, bundleFileFor: (url: string) => string | null, top = 15) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const self = new Map<number, number>()
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  // A sample's time is the gap to the next sample.
  samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (deltas[i + 1] ?? 0) / 1000)
  })
  const lookups = new Map<string, (line: number) => string>()
  const where = (frame: CallFrame): string => {
    if (!frame.url) return ''
    if (!lookups.has(frame.url)) {
      const file = bundleFileFor(frame.url)
      lookups.set(frame.url, file ? moduleLookup(file) : () => frame.url)
    }
    return lookups.get(frame.url)!(frame.lineNumber)
  }
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  // The nearest Driftless function on the stack: whose work a Dexie or IndexedDB sample was.
  const ownCaller = (id: number): string => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame
      const module = where(frame)
      if (module.startsWith('core/') || module.startsWith('react/'))
        return `${frame.functionName || '(anonymous)'} (${module})`
    }
    return '(no Driftless frame)'
  }
  const functions = new Map<string, { ms: number; name: string; module: string }>()
  const modules = new Map<string, number>()
  const callers = new Map<string, number>()
  let total = 0
  let idle = 0
  for (const [id, ms] of self) {
    const frame = byId.get(id)!.callFrame
    total += ms
    if (frame.functionName === '(idle)') idle += ms
    // Functions without a script are the browser's own: IndexedDB's put/get/continue, fetch, postMessage.
    const module = where(frame) || (frame.functionName.startsWith('(') ? '' : '(browser)')
    const name = frame.functionName || '(anonymous)'
    const key = `${name}\u0000${module}\u0000${frame.url ? frame.lineNumber : ''}`
    const entry = functions.get(key) ?? { ms: 0, name, module }
    entry.ms += ms
    functions.set(key, entry)
    const moduleKey = module || name
    modules.set(moduleKey, (modules.get(moduleKey) ?? 0) + ms)
    if (!frame.functionName.startsWith('(')) {
      const caller = ownCaller(id)
      callers.set(caller, (callers.get(caller) ?? 0) + ms)
    }
  }
  const percent = (ms: number) => `${((100 * ms) / total).toFixed(1)}%`
  const topFunctions = [...functions.values()].sort((a, b) => b.ms - a.ms).slice(0, top)
  const topModules = [...modules.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10)
  const topCallers = [...callers.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10)
  return [
    `${total.toFixed(0)} ms sampled, ${percent(idle)} idle (waiting on IndexedDB, the network or timers)`,
    formatTable(
      'Top functions by self time',
      ['function', 'module', 'self ms', 'share'],
      topFunctions.map((f) => [f.name, f.module, f.ms.toFixed(0), percent(f.ms)]),
    ),
    formatTable(
      'Self time by module',
      ['module', 'self ms', 'share'],
      topModules.map(([module, ms]) => [module, ms.toFixed(0), percent(ms)]),
    ),
    formatTable(
      'Script and browser self time by the nearest Driftless function on the stack (async callbacks have none)',
      ['Driftless function', 'self ms', 'share'],
      topCallers.map(([caller, ms]) => [caller, ms.toFixed(0), percent(ms)]),
    ),
  ].join('\n\n')
}
