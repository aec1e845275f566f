import { createSyncClient, WsTransport } from '@driftless/core'
import { devConnector } from './credentials.js'
import { openTodoDatabase, type TodoDatabase, TodoSchema } from './todo.js'

export type TodoClient = ReturnType<typeof createSyncClient>

/** The signed-in user's database and sync client. */
export interface TodoSession {
  readonly userId: string
  readonly db: TodoDatabase
  readonly client: TodoClient
}

export const LAST_USER_KEY = 'driftless-todo:last-user'
const USER_NAME = /^[\w.-]{1,40}$/

/** Why a user name was refused, or null when it is fine. */
export function userNameProblem(name: string): string | null {
  if (USER_NAME.test(name)) return null
  return 'Use 1–40 letters, digits, dots, dashes or underscores.'
}

/** Where the session hears that another tab of the app logged in or out. */
export interface StorageEvents {
  addEventListener(type: 'storage', listener: (event: StorageEvent) => void): void
  removeEventListener(type: 'storage', listener: (event: StorageEvent) => void): void
}

/**
 * Owns the one live session; React reads it with useSyncExternalStore. Sessions are made in event
 * handlers, not effects, so StrictMode's double effects never open a second client. The user name (never
 * a token) is kept in localStorage, so a second tab and a reload open the same session, and logging in or
 * out in one tab does the same in the others.
 */
export class SessionStore {
  private session: TodoSession | null = null
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

  /** Signs in the user remembered by this browser, if any. */
  restore(): void {
    const userId = this.storage.getItem(LAST_USER_KEY)
    if (userId && !userNameProblem(userId) && !this.session) this.logIn(userId)
  }

  /**
   * Follows other tabs of this browser: a login there opens the same session here if this tab has none,
   * and a logout there of this tab's user logs this tab out too. Returns the function that stops following.
   */
  followOtherTabs(events: StorageEvents): () => void {
    const onStorage = (event: StorageEvent) => {
      if (event.key !== LAST_USER_KEY) return
      if (!this.session) this.restore()
      else if (event.newValue === null && event.oldValue === this.session.userId) void this.logOut()
    }
    events.addEventListener('storage', onStorage)
    return () => events.removeEventListener('storage', onStorage)
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
    this.storage.setItem(LAST_USER_KEY, userId)
    this.set({ userId, db, client })
    // Connection problems surface in the sync status; this only keeps them out of unhandled rejections.
    client
      .connect(devConnector(userId, this.endpoint))
      .catch((error: unknown) => console.warn('Driftless could not connect:', error))
  }

  async logOut(): Promise<void> {
    const session = this.session
    if (!session) return
    if (this.storage.getItem(LAST_USER_KEY) === session.userId) this.storage.removeItem(LAST_USER_KEY)
    this.set(null)
    await session.client.disconnect()
    await session.client.close()
    session.db.close()
  }

  private set(session: TodoSession | null): void {
    this.session = session
    for (const listener of this.listeners) listener()
  }
}
