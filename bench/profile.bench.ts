/**
 * CPU profiles of the two hottest paths in Chromium: 1,000 awaited `put` with a sync client attached, and
 * draining 10,000 queued changes to the trivial server. Writes `.cpuprofile` files (BENCH_PROFILE_DIR, or a
 * fresh temporary directory) and prints the functions with the most self time.
 */
import { mkdir, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startHarness } from './browserHarness.js'
import { startProfile, summarise } from './cpuProfile.js'

const DRAIN_ROWS = Number(process.env.BENCH_PROFILE_DRAIN_ROWS ?? 10_000)
const dir = process.env.BENCH_PROFILE_DIR ?? (await mkdtemp(join(tmpdir(), 'driftless-profiles-')))
await mkdir(dir, { recursive: true })

const h = await startHarness({ readable: true })
const bundleFileFor = (url: string) => {
  const path = new URL(url, h.server).pathname
  return url.startsWith(h.server) ? join(h.pageDir, path) : null
}
try {
  await h.driven()
  const profiled = async (name: string, title: string, work: () => Promise<number>) => {
    const stop = await startProfile(h.cdp)
    const ms = await work()
    const { profile, file } = await stop(dir, name)
    console.log(
      `## ${title}: ${ms.toFixed(0)} ms, profile in ${file}\n\n${summarise(profile, bundleFileFor)}\n`,
    )
  }
  // A warm-up run first, so the profile shows steady work rather than compilation.
  await h.page.evaluate(() => window.benchSteps!.timeWrites('client', 'put'))
  await profiled('put-1000-client', '1,000 awaited put, sync client attached (not connected)', () =>
    h.page.evaluate(() => window.benchSteps!.timeWrites('client', 'put')),
  )
  await h.page.evaluate((n) => window.benchSteps!.queueChanges(n), DRAIN_ROWS)
  await profiled(
    `drain-${DRAIN_ROWS}`,
    `drain ${DRAIN_ROWS.toLocaleString('en')} to the trivial server`,
    async () => (await h.page.evaluate((url) => window.benchSteps!.drainQueued(url), h.trivial)).ms,
  )
} finally {
  await h.close()
}
