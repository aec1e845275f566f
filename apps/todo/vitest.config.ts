import { defineProject } from 'vitest/config'
import { sourceConditions } from '../../vitest.conditions.ts'

export default defineProject({
  ...sourceConditions,
  test: {
    name: 'todo',
    include: ['src/**/*.test.{ts,tsx}'],
    environment: 'jsdom',
    // fake-indexeddb must be installed before Dexie is imported.
    setupFiles: ['fake-indexeddb/auto'],
  },
})
