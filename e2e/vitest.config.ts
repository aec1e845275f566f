import { defineProject } from 'vitest/config'
import { sourceConditions } from '../vitest.conditions.ts'

// Real Chromium against the real server: slow starts, so generous timeouts, and one file at a time.
export default defineProject({
  ...sourceConditions,
  test: {
    name: 'e2e',
    include: ['**/*.test.ts'],
    environment: 'node',
    globalSetup: ['./globalSetup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    maxWorkers: 1,
    // Real Chromium on a shared 2-core CI machine: a test gets one more try there, as Playwright does in CI,
    // in a fresh browser profile of its own (support/scenario.ts); a real failure fails twice.
    retry: process.env.CI ? 1 : 0,
  },
})
