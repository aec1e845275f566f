import react from '@vitejs/plugin-react'
import { defaultClientConditions, defineConfig } from 'vite'
import { SOURCE_CONDITION } from '../../vitest.conditions.ts'

// The API the dev server forwards to; `pnpm demo` serves it on this port.
const apiTarget = process.env.DRIFTLESS_API ?? 'http://127.0.0.1:8787'

export default defineConfig({
  plugins: [react()],
  resolve: {
    // Workspace packages export their TypeScript source under '@driftless/source'; the build bundles that too.
    conditions: [SOURCE_CONDITION, ...defaultClientConditions],
  },
  build: { outDir: 'dist', emptyOutDir: true },
  server: {
    host: '127.0.0.1',
    proxy: Object.fromEntries(['/push', '/pull', '/auth', '/health'].map((path) => [path, apiTarget])),
  },
})
