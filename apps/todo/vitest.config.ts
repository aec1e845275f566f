import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'todo',
    include: ['src/**/*.test.{ts,tsx}'],
    environment: 'jsdom',
    // fake-indexeddb must be installed before Dexie is imported.
    setupFiles: ['fake-indexeddb/auto'],
  },
})
