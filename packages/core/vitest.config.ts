import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'core',
    include: ['src/**/*.test.{ts,tsx}'],
    environment: 'node',
    // fake-indexeddb must be installed before Dexie is imported.
    setupFiles: ['fake-indexeddb/auto'],
  },
})
