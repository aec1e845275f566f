import { createSyncClient, WsTransport } from '@driftless/core'
import { type Connector, devConnector } from './credentials.js'
import { openTodoDatabase, type TodoDatabase, TodoSchema } from './todo.js'

export type TodoClient = ReturnType<typeof createSyncClient>

/** The signed-in user's database, sync client and connection choice. */
export interface TodoSession {
  readonly userId: string
  readonly db: TodoDatabase
  readonly client: TodoClient
  /** The user chose "Work offline": the client is disconnected until they switch back. */
  readonly workingOffline: boolean
}

const LAST_USER_KEY = 'driftless-todo:last-user'
const USER_NAME = /^[\w.-]{1,40}$/

/** Why a user name was refused, or null when it is fine. */
export function userNameProblem(name: string): string | null {
  if (USER_NAME.test(name)) return null
  return 'Use 1–40 letters, digits, dots, dashes or underscores.'
}

/**
 * Owns the one live session; React reads it with useSyncExternalStore. Sessions are made in event
 * handlers, not effects, so StrictMode's double effects never open a second client.
 */
export class SessionStore {
  private session: TodoSession | null = null
  private connector: Connector | null = null
  private readonly listeners = new Set<() => void>()

  constructor(
    private readonly endpoint: string,
    private readonly storage: Storage,
  ) {}

  getSnapshot = (): TodoSession | null => this.session

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Signs in the user remembered in this tab, if any. */
  restore(): void {
    const userId = this.storage.getItem(LAST_USER_KEY)
    if (userId && !userNameProblem(userId)) this.logIn(userId)
  }

  logIn(userId: string): void {
    if (this.session) throw new Error(`Log out "${this.session.userId}" before logging in as "${userId}".`)
    const db = openTodoDatabase(userId)
    // The live socket brings other devices' edits at once, so no interval round is needed.
    const client = createSyncClient(db, {
      tables: { todos: { schema: TodoSchema } },
      transport: new WsTransport(),
      autoSync: { intervalMs: 0, debounceMs: 1_000 },
    })
    this.connector = devConnector(userId, this.endpoint)
    this.storage.setItem(LAST_USER_KEY, userId)
    this.set({ userId, db, client, workingOffline: false })
    this.connect(client)
  }

  async logOut(): Promise<void> {
    const session = this.session
    if (!session) return
    this.storage.removeItem(LAST_USER_KEY)
    this.connector = null
    this.set(null)
    session.client.disconnect()
    await session.client.close()
    session.db.close()
  }

  /** "Work offline": disconnects the client (local writes keep queueing) or reconnects it. */
  setWorkingOffline(workingOffline: boolean): void {
    const session = this.session
    if (!session || session.workingOffline === workingOffline) return
    this.set({ ...session, workingOffline })
    if (workingOffline) session.client.disconnect()
    else this.connect(session.client)
  }

  private connect(client: TodoClient): void {
    const connector = this.connector
    if (!connector) return
    // Connection problems surface in the sync status; this only keeps them out of unhandled rejections.
    client.connect(connector).catch((error: unknown) => console.warn('Driftless could not connect:', error))
  }

  private set(session: TodoSession | null): void {
    this.session = session
    for (const listener of this.listeners) listener()
  }
}
