import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Connector } from './credentials.js'
import { SessionStore, userNameProblem } from './session.js'
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
    sessionStorage.clear()
    sessions = new SessionStore('http://127.0.0.1:8787', sessionStorage)
  })

  afterEach(async () => {
    await sessions.logOut()
    vi.unstubAllGlobals()
  })

  it('logs in with a per-user database and a client that syncs todos, and connects it', () => {
    sessions.logIn('alice')
    const session = sessions.getSnapshot()
    expect(session).toMatchObject({ userId: 'alice', workingOffline: false })
    expect(session?.db.name).toBe('driftless-todo-alice')
    expect(clients).toHaveLength(1)
    expect(clients[0]?.options).toMatchObject({ tables: { todos: { schema: TodoSchema } } })
    expect(clients[0]?.connect).toHaveBeenCalledTimes(1)
  })

  it('remembers only the user name in the tab, never the token', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => Response.json({ token: 'secret-token', expiresAt: 1 })),
    )
    sessions.logIn('alice')
    const connector = clients[0]?.connect.mock.calls[0]?.[0]
    expect((await connector?.fetchCredentials?.())?.token).toBe('secret-token')
    const stored = Object.entries({ ...sessionStorage })
    expect(stored).toEqual([['driftless-todo:last-user', 'alice']])
  })

  it('logs the remembered user back in after a reload', () => {
    sessions.logIn('alice')
    const reloaded = new SessionStore('http://127.0.0.1:8787', sessionStorage)
    reloaded.restore()
    expect(reloaded.getSnapshot()?.userId).toBe('alice')
    void reloaded.logOut()
  })

  it('stays logged out after a reload when nobody was remembered', () => {
    sessions.restore()
    expect(sessions.getSnapshot()).toBeNull()
  })

  it('disconnects while working offline and reconnects with the same connector', () => {
    const heard = vi.fn()
    sessions.subscribe(heard)
    sessions.logIn('alice')
    const client = clients[0]!
    sessions.setWorkingOffline(true)
    expect(client.disconnect).toHaveBeenCalledTimes(1)
    expect(sessions.getSnapshot()?.workingOffline).toBe(true)
    sessions.setWorkingOffline(false)
    expect(client.connect).toHaveBeenCalledTimes(2)
    expect(client.connect.mock.calls[1]?.[0]).toBe(client.connect.mock.calls[0]?.[0])
    expect(sessions.getSnapshot()?.workingOffline).toBe(false)
    expect(heard).toHaveBeenCalledTimes(3)
  })

  it('logs out: forgets the user, stops the client and closes the database', async () => {
    sessions.logIn('alice')
    const client = clients[0]!
    await client.db.open()
    await sessions.logOut()
    expect(sessions.getSnapshot()).toBeNull()
    expect(sessionStorage.length).toBe(0)
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
