#!/usr/bin/env node
import { parseCli, USAGE } from './cliOptions.js'
import { ServerConfigError } from './httpError.js'
import { startServer } from './node.js'

async function main(): Promise<void> {
  const command = parseCli(process.argv.slice(2), process.env)
  if (command.help) {
    process.stdout.write(USAGE)
    return
  }
  const { options } = command
  if (options.devTokens) {
    console.warn(
      'driftless-server: development tokens are ON — anyone who can reach this server can act as any user.',
    )
  }
  const server = await startServer(options)
  const storage = options.databaseUrl
    ? 'PostgreSQL (DATABASE_URL)'
    : `embedded PostgreSQL in ${options.dataDir}`
  const api = options.basePath ? `, API under ${options.basePath}` : ''
  console.log(`driftless-server listening on ${server.url} (${storage}${api})`)

  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    console.log(`driftless-server: ${signal} received, closing`)
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('driftless-server: could not close cleanly', error)
        process.exit(1)
      },
    )
  }
  process.once('SIGINT', () => stop('SIGINT'))
  process.once('SIGTERM', () => stop('SIGTERM'))
}

main().catch((error: unknown) => {
  if (error instanceof ServerConfigError) console.error(`driftless-server: ${error.message}`)
  else console.error('driftless-server: failed to start', error)
  process.exit(1)
})
