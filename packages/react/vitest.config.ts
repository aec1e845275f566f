import { defineProject } from 'vitest/config'
import { sourceConditions } from '../../vitest.conditions.ts'

export default defineProject({
  ...sourceConditions,
  test: {
    name: 'react',
    include: ['src/**/*.test.{ts,tsx}'],
    environment: 'jsdom',
    // Core's lazy chunks loaded up front, as in core's own tests: fake time cannot wait for real I/O.
    setupFiles: ['fake-indexeddb/auto', './src/test/setup.ts', '../core/src/test/lazyChunks.ts'],
  },
})
