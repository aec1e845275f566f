// A new Node server on the published packages: the reference handler with development tokens, serving the
// built app from the same origin. Prints its URL, then serves until stdin closes.
import { type PushResult, validatePushResult } from '@driftless/core/wire'
import { startServer } from '@driftless/server'

const [dataDir, staticDir] = process.argv.slice(2)
const server = await startServer({ port: 0, dataDir, staticDir, auth: {}, devTokens: true, logger: console })

// The wire checks come from @driftless/core/wire without Dexie or React.
const empty: PushResult = validatePushResult({ accepted: [], conflicts: [], errors: [] })
console.log(JSON.stringify({ url: server.url, accepted: empty.accepted.length }))

process.stdin.resume()
process.stdin.on('end', () => void server.close())
