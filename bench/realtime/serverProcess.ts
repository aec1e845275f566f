/** The reference server in a process of its own, so the bench measures its memory alone. */
import { startServer } from '../../packages/server/src/index.js'

const server = await startServer({
  port: 0,
  databaseUrl: process.env.DRIFTLESS_BENCH_DATABASE_URL || undefined,
  schema: process.env.DRIFTLESS_BENCH_SCHEMA || undefined,
  dataDir: process.env.DRIFTLESS_BENCH_DATA_DIR || undefined,
  auth: { secret: process.env.DRIFTLESS_BENCH_SECRET },
})

process.on('message', (message) => {
  if (message === 'memory') {
    const gc = (globalThis as { gc?: () => void }).gc
    gc?.()
    gc?.()
    process.send?.({ memory: process.memoryUsage() })
  } else if (message === 'stop') {
    server.close().then(() => process.exit(0))
  }
})
process.send?.({ url: server.url })
