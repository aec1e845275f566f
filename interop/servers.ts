/**
 * The servers every suite here runs against, each over real HTTP on 127.0.0.1 and on one hand-driven clock:
 * `@driftless/server` on PGlite, and a server written from the spec's pseudocode (its own ids and clock,
 * ISO timestamps, no dedupe, `cursor: null` on its last page).
 */
import { createSyncHandler, type Database, migrate, openPgliteDatabase, serveNode } from '@driftless/server'
import { serveOverHttp } from '../packages/core/src/test/httpServer.js'
import { SeedServer } from '../packages/core/src/test/seedServer.js'
import { signToken, TEST_AUDIENCE, TEST_SECRET } from '../packages/server/src/test/tokens.js'

/** The one clock of a test: servers read it, devices add their skew to it; it moves only when told. */
export class ManualClock {
  constructor(public time = Date.UTC(2026, 10, 23, 12)) {}
  readonly now = (): number => this.time
  advance(ms: number): void {
    this.time += ms
  }
}

export interface TestServer {
  readonly url: string
  /** A bearer token for `user`, valid for an hour by this server's clock. */
  token(user: string): Promise<string>
  /** The stored, not deleted rows of `todos`, by id. */
  rows(): Promise<Record<string, unknown>[]>
  close(): Promise<void>
}

export interface ServerKind {
  readonly name: string
  start(clock: ManualClock): Promise<TestServer>
}

// Starting PGlite compiles its WebAssembly, seconds on a busy machine: one database per file, emptied per test.
let pglite: Promise<Database> | null = null

/** Closes what the servers of this file share; for afterAll. */
export async function closeSharedDatabase(): Promise<void> {
  const database = await pglite
  pglite = null
  await database?.close()
}

const reference: ServerKind = {
  name: '@driftless/server',
  async start(clock) {
    pglite ??= openPgliteDatabase().then(async (database) => {
      await migrate(database)
      return database
    })
    const database = await pglite
    await database.exec('truncate driftless_records, driftless_applied_changes')
    const handler = createSyncHandler({
      database,
      auth: { secret: TEST_SECRET, audience: TEST_AUDIENCE },
      now: clock.now,
    })
    const running = await serveNode(handler, { port: 0, host: '127.0.0.1' })
    return {
      url: running.url,
      token: (user) => signToken(user, { now: clock.now() }),
      async rows() {
        const rows = await database.query<{ data: Record<string, unknown> }>(
          `select data from driftless_records where collection = 'todos' and not deleted order by record_id`,
        )
        return rows.map((row) => row.data)
      },
      close: () => running.close(),
    }
  },
}

const seed: ServerKind = {
  name: 'a server written from the spec',
  async start(clock) {
    const server = new SeedServer({ now: clock.now })
    const http = await serveOverHttp(server.fetch)
    return {
      url: http.url,
      token: async (user) => `token-of-${user}`,
      async rows() {
        return server
          .records()
          .filter((record) => record.collection === 'todos')
          .sort((a, b) => a.recordId.localeCompare(b.recordId))
          .map((record) => record.data)
      },
      close: () => http.close(),
    }
  },
}

export const SERVERS: readonly ServerKind[] = [reference, seed]

const SECOND = 1_000
const HOUR = 60 * 60 * SECOND

/** Device clocks off from server time: ahead and behind by a second and by two hours. */
export const SKEWS: readonly { readonly label: string; readonly ms: number }[] = [
  { label: '1 s ahead', ms: SECOND },
  { label: '1 s behind', ms: -SECOND },
  { label: '2 h ahead', ms: 2 * HOUR },
  { label: '2 h behind', ms: -2 * HOUR },
]
