// @vitest-environment node
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const packageRoot = new URL('../', import.meta.url)
const manifest = JSON.parse(readFileSync(new URL('package.json', packageRoot), 'utf8')) as {
  exports: Record<string, unknown>
  files: string[]
}

describe('@driftless/react/styles.css', () => {
  it('is an exports entry shipped with the package', () => {
    expect(manifest.exports['./styles.css']).toBe('./styles.css')
    expect(manifest.files).toContain('styles.css')
  })

  it('styles the components by class name and data-state, and never hides a live region', () => {
    const css = readFileSync(new URL('styles.css', packageRoot), 'utf8')
    expect(css).toContain('.driftless-offline-banner[data-state="offline"]')
    expect(css).toContain('.driftless-sync-status')
    expect(css).toContain('.driftless-retry-button[data-state="syncing"]')
    // A region removed from the accessibility tree would not announce its next text.
    expect(css).not.toMatch(/display:\s*none|visibility:\s*hidden/)
  })
})
