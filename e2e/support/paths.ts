import { fileURLToPath } from 'node:url'

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
export const appDir = fileURLToPath(new URL('../../apps/todo/', import.meta.url))
export const appDist = fileURLToPath(new URL('../../apps/todo/dist/', import.meta.url))
export const serverCli = fileURLToPath(new URL('../../packages/server/dist/cli.js', import.meta.url))
export const screenshotDir = fileURLToPath(new URL('../screenshots/', import.meta.url))
export const docsDir = fileURLToPath(new URL('../../docs/', import.meta.url))
