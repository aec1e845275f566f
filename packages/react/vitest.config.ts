import { defineProject } from 'vitest/config'
import { sourceConditions } from '../../vitest.conditions.ts'

export default defineProject({
  ...sourceConditions,
  test: {
    name: 'react',
    include: ['src/**/*.test.{ts,tsx}'],
    environment: 'jsdom',
    setupFiles: ['fake-indexeddb/auto', './src/test/setup.ts'],
  },
})
