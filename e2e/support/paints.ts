import type { Page } from 'playwright-core'

/** What the sync UI showed in one animation frame. */
export interface PaintedFrame {
  /** The panel's `data-state`, or null before the panel exists (the login form, the first render). */
  state: string | null
  /** The queue count the panel claims, or null before it claims one. */
  pending: number | null
  /** The status sentence the person sees. */
  text: string
  /** The "Work offline" switch: hidden, on or off, or null when absent. */
  workOffline: 'hidden' | 'on' | 'off' | null
}

const FLAG = 'driftless-e2e-sample-ms'

/**
 * Defines, in every document of the page, a sampler that records the sync UI in every animation frame
 * for `ms`; it starts by itself at document start when a reload asked for it, so no early frame is missed.
 */
function installSampler(flag: string): void {
  const read = () => {
    const panel = document.querySelector<HTMLElement>('[data-testid="sync-panel"]')
    const toggle = document.querySelector<HTMLElement>('[data-testid="work-offline"]')
    const input = toggle?.querySelector('input')
    return {
      state: panel?.dataset.state ?? null,
      pending: panel?.dataset.pending === undefined ? null : Number(panel.dataset.pending),
      text: panel?.querySelector('.driftless-sync-status')?.textContent ?? '',
      workOffline: !toggle
        ? null
        : getComputedStyle(toggle).visibility === 'hidden'
          ? 'hidden'
          : input?.checked
            ? 'on'
            : 'off',
    }
  }
  const sample = (ms: number) =>
    new Promise((resolve) => {
      const frames: unknown[] = []
      const start = performance.now()
      const frame = () => {
        frames.push(read())
        if (performance.now() - start < ms) requestAnimationFrame(frame)
        else resolve(frames)
      }
      requestAnimationFrame(frame)
    })
  const w = window as unknown as { __samplePaints: typeof sample; __reloadPaints?: Promise<unknown> }
  w.__samplePaints = sample
  const ms = Number(sessionStorage.getItem(flag))
  if (ms > 0) {
    sessionStorage.removeItem(flag)
    w.__reloadPaints = sample(ms)
  }
}

const installed = new WeakSet<Page>()

async function ensureSampler(page: Page): Promise<void> {
  if (installed.has(page)) return
  installed.add(page)
  await page.addInitScript(installSampler, FLAG)
  await page.evaluate(installSampler, FLAG)
}

/** Clicks "Log in" inside the page and records every frame for the next `ms`. */
export async function paintsOfLogIn(page: Page, userId: string, ms = 1000): Promise<PaintedFrame[]> {
  await ensureSampler(page)
  await page.getByLabel('Your name').fill(userId)
  return page.evaluate((ms) => {
    const button = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Log in')
    button?.click()
    return (window as unknown as { __samplePaints: (ms: number) => Promise<PaintedFrame[]> }).__samplePaints(
      ms,
    )
  }, ms)
}

/** Reloads and records every frame from the new document's start for `ms`. */
export async function paintsOfReload(page: Page, ms = 1000): Promise<PaintedFrame[]> {
  await ensureSampler(page)
  await page.evaluate(([flag, ms]) => sessionStorage.setItem(flag, ms), [FLAG, String(ms)] as const)
  await page.reload()
  await page.waitForFunction(() => '__reloadPaints' in window)
  return page.evaluate(
    () => (window as unknown as { __reloadPaints: Promise<PaintedFrame[]> }).__reloadPaints,
  )
}

/** The distinct states painted, in order, each run of equal frames kept once. */
export function paintedStates(frames: readonly PaintedFrame[]): (string | null)[] {
  return frames
    .map((frame) => frame.state)
    .filter((state, index, all) => index === 0 || state !== all[index - 1])
}
