import { defineProject } from 'vitest/config'
import { sourceConditions } from '../../vitest.conditions.ts'

export default defineProject({
  ...sourceConditions,
  test: {
    name: 'core',
    include: ['src/**/*.test.{ts,tsx}'],
    environment: 'node',
    // fake-indexeddb must be installed before Dexie is imported.
    setupFiles: ['fake-indexeddb/auto', 'src/test/lazyChunks.ts'],
  },
})
