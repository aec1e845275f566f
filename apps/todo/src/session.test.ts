import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Connector } from './credentials.js'
import { LAST_USER_KEY, SessionStore, type StorageEvents, userNameProblem } from './session.js'
import { type TodoDatabase, TodoSchema } from './todo.js'

interface FakeClient {
  db: TodoDatabase
  options: unknown
  connect: ReturnType<typeof vi.fn<(connector: Connector) => Promise<void>>>
  disconnect: ReturnType<typeof vi.fn<() => void>>
  close: ReturnType<typeof vi.fn<() => Promise<void>>>
}

const { clients } = vi.hoisted(() => ({ clients: [] as FakeClient[] }))

vi.mock('@driftless/core', () => ({
  WsTransport: class {},
  createSyncClient: (db: TodoDatabase, options: unknown) => {
    const client: FakeClient = {
      db,
      options,
      connect: vi.fn(async () => {}),
      disconnect: vi.fn(),
      close: vi.fn(async () => {}),
    }
    clients.push(client)
    return client
  },
}))

describe('SessionStore', () => {
  let sessions: SessionStore

  beforeEach(() => {
    clients.length = 0
    localStorage.clear()
    sessions = new SessionStore('http://127.0.0.1:8787', localStorage)
  })

  afterEach(async () => {
    await sessions.logOut()
    vi.unstubAllGlobals()
  })

  it('logs in with a per-user database and a client that syncs todos, and connects it', () => {
    sessions.logIn('alice')
    const session = sessions.getSnapshot()
    expect(session).toMatchObject({ userId: 'alice' })
    expect(session?.db.name).toBe('driftless-todo-alice')
    expect(clients).toHaveLength(1)
    expect(clients[0]?.options).toMatchObject({ tables: { todos: { schema: TodoSchema } } })
    expect(clients[0]?.connect).toHaveBeenCalledTimes(1)
  })

  it('remembers only the user name in the browser, never the token', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => Response.json({ token: 'secret-token', expiresAt: 1 })),
    )
    sessions.logIn('alice')
    const connector = clients[0]?.connect.mock.calls[0]?.[0]
    expect((await connector?.fetchCredentials?.())?.token).toBe('secret-token')
    const stored = Object.entries({ ...localStorage })
    expect(stored).toEqual([['driftless-todo:last-user', 'alice']])
  })

  it('logs the remembered user back in after a reload', () => {
    sessions.logIn('alice')
    const reloaded = new SessionStore('http://127.0.0.1:8787', localStorage)
    reloaded.restore()
    expect(reloaded.getSnapshot()?.userId).toBe('alice')
    void reloaded.logOut()
  })

  it('stays logged out after a reload when nobody was remembered', () => {
    sessions.restore()
    expect(sessions.getSnapshot()).toBeNull()
  })

  it('opens the same session in a second tab, and follows a logout made in another tab', async () => {
    sessions.logIn('alice')
    const secondTab = new SessionStore('http://127.0.0.1:8787', localStorage)
    secondTab.restore()
    expect(secondTab.getSnapshot()?.userId).toBe('alice')
    const events = new EventTarget()
    secondTab.followOtherTabs(events as unknown as StorageEvents)
    await sessions.logOut()
    events.dispatchEvent(
      Object.assign(new Event('storage'), { key: LAST_USER_KEY, oldValue: 'alice', newValue: null }),
    )
    await vi.waitFor(() => expect(secondTab.getSnapshot()).toBeNull())
  })

  it('logs out: forgets the user, stops the client and closes the database', async () => {
    sessions.logIn('alice')
    const client = clients[0]!
    await client.db.open()
    await sessions.logOut()
    expect(sessions.getSnapshot()).toBeNull()
    expect(localStorage.length).toBe(0)
    expect(client.disconnect).toHaveBeenCalled()
    expect(client.close).toHaveBeenCalled()
    expect(client.db.isOpen()).toBe(false)
  })

  it('refuses a second login before logging out', () => {
    sessions.logIn('alice')
    expect(() => sessions.logIn('bob')).toThrow(/Log out "alice"/)
  })
})

describe('userNameProblem', () => {
  it('accepts short names made for database names and refuses the rest', () => {
    expect(userNameProblem('alice.b-2_x')).toBeNull()
    expect(userNameProblem('')).toMatch(/1–40/)
    expect(userNameProblem('no spaces')).toMatch(/1–40/)
    expect(userNameProblem('x'.repeat(41))).toMatch(/1–40/)
  })
})
