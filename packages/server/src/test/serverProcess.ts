import { startServer } from '../node.js'
import { TEST_SECRET } from './tokens.js'

// A reference server in a process of its own, for tests that need several: prints its URL, stops on SIGTERM.
const server = await startServer({
  port: 0,
  databaseUrl: process.env.DRIFTLESS_PROCESS_DATABASE_URL,
  schema: process.env.DRIFTLESS_PROCESS_SCHEMA,
  auth: { secret: TEST_SECRET },
})
process.stdout.write(`listening ${server.url}\n`)
process.once('SIGTERM', () => {
  server.close().then(() => process.exit(0))
})
