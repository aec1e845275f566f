/** The page's JavaScript heap through the DevTools protocol, sampled while something runs. */
import type { CDPSession } from 'playwright-core'

export interface HeapGrowth {
  /** Used heap after a full collection, just before. */
  beforeBytes: number
  /** The highest used heap sampled during the run (garbage not yet collected included). */
  peakBytes: number
  /** Used heap after a full collection, just after: what the run left behind. */
  afterBytes: number
}

const usedHeap = async (cdp: CDPSession) => (await cdp.send('Runtime.getHeapUsage')).usedSize

async function collectedHeap(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage')
  return usedHeap(cdp)
}

/** Runs `work` while sampling the used heap every `intervalMs`; returns its result and the heap figures. */
export async function withHeapSamples<T>(
  cdp: CDPSession,
  work: () => Promise<T>,
  intervalMs = 100,
): Promise<{ result: T; heap: HeapGrowth }> {
  const beforeBytes = await collectedHeap(cdp)
  let peakBytes = beforeBytes
  let running = true
  const sampling = (async () => {
    while (running) {
      peakBytes = Math.max(peakBytes, await usedHeap(cdp))
      await new Promise((resolve) => setTimeout(resolve, intervalMs))
    }
  })()
  try {
    const result = await work()
    running = false
    await sampling
    return { result, heap: { beforeBytes, peakBytes, afterBytes: await collectedHeap(cdp) } }
  } finally {
    running = false
  }
}

export const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`
