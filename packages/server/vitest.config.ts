import { defineProject } from 'vitest/config'
import { sourceConditions } from '../../vitest.conditions.ts'

export default defineProject({
  ...sourceConditions,
  test: {
    name: 'server',
    include: ['src/**/*.test.ts'],
    environment: 'node',
    // Starting PGlite compiles its WebAssembly; on a busy 2-core machine that can take several seconds.
    hookTimeout: 60_000,
    testTimeout: 20_000,
  },
})
