import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'interop',
    include: ['**/*.test.ts'],
    environment: 'node',
    // fake-indexeddb must be installed before Dexie is imported.
    setupFiles: ['fake-indexeddb/auto'],
    // Starting PGlite compiles its WebAssembly; on a busy machine that takes seconds.
    hookTimeout: 60_000,
    testTimeout: 30_000,
  },
})
