import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type ConnectionState, ConnectionTracker, outcomeOfFailure } from './connection.js'
import { CredentialsError, TransportError } from './errors.js'

const GRACE = 3_000

function tracker() {
  const shown: ConnectionState[] = []
  const env = {
    setTimeout: (callback: () => void, ms: number) => setTimeout(callback, ms),
    clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  }
  const connection = new ConnectionTracker(env, GRACE, (state) => shown.push(state))
  return { connection, shown }
}

beforeEach(() => {
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
})

describe('ConnectionTracker', () => {
  it('goes from disconnected to connecting on connect() and to connected on the first answer, at once', () => {
    const { connection, shown } = tracker()
    expect(connection.state).toBe('disconnected')
    connection.update({ started: true })
    expect(connection.state).toBe('connecting')
    connection.update({ outcome: 'reached' })
    expect(shown).toEqual(['connecting', 'connected'])
  })

  it('shows an unreachable server only after the grace period', () => {
    const { connection } = tracker()
    connection.update({ started: true, outcome: 'reached' })
    connection.update({ outcome: 'unreachable' })
    vi.advanceTimersByTime(GRACE - 1)
    expect(connection.state).toBe('connected')
    vi.advanceTimersByTime(1)
    expect(connection.state).toBe('unreachable')
  })

  it('never shows a problem that ends within the grace period', () => {
    const { connection, shown } = tracker()
    connection.update({ started: true, outcome: 'reached' })
    connection.update({ online: false })
    vi.advanceTimersByTime(GRACE - 1)
    connection.update({ online: true })
    connection.update({ outcome: 'reached' })
    vi.advanceTimersByTime(10 * GRACE)
    expect(shown).toEqual(['connected'])
  })

  it('shows recovery at once', () => {
    const { connection } = tracker()
    connection.update({ started: true, outcome: 'unreachable' })
    vi.advanceTimersByTime(GRACE)
    expect(connection.state).toBe('unreachable')
    connection.update({ outcome: 'reached' })
    expect(connection.state).toBe('connected')
  })

  it('on a reload with the server down says connecting, then unreachable after the grace period', () => {
    const { connection, shown } = tracker()
    connection.update({ started: true })
    connection.update({ outcome: 'unreachable' })
    expect(connection.state).toBe('connecting')
    vi.advanceTimersByTime(GRACE)
    expect(shown).toEqual(['connecting', 'unreachable'])
  })

  it('replaces one shown problem with another at once', () => {
    const { connection } = tracker()
    connection.update({ started: true, outcome: 'unreachable' })
    vi.advanceTimersByTime(GRACE)
    connection.update({ online: false })
    expect(connection.state).toBe('offline')
  })

  it('says connecting, not connected, when the network comes back after a shown outage', () => {
    const { connection } = tracker()
    connection.update({ started: true, outcome: 'reached' })
    connection.update({ online: false })
    vi.advanceTimersByTime(GRACE)
    expect(connection.state).toBe('offline')
    connection.update({ online: true })
    expect(connection.state).toBe('connecting')
    connection.update({ outcome: 'reached' })
    expect(connection.state).toBe('connected')
  })

  it('shows pause and resume at once, and a pause outranks being offline', () => {
    const { connection } = tracker()
    connection.update({ started: true, online: false })
    connection.update({ paused: true })
    expect(connection.state).toBe('paused')
    connection.update({ paused: false })
    expect(connection.state).toBe('paused')
    vi.advanceTimersByTime(GRACE)
    expect(connection.state).toBe('offline')
  })

  it('shows refused credentials as needs-auth after the grace period', () => {
    const { connection } = tracker()
    connection.update({ started: true, outcome: 'refused' })
    vi.advanceTimersByTime(GRACE)
    expect(connection.state).toBe('needs-auth')
  })

  it('stops its timer when disposed', () => {
    const { connection } = tracker()
    connection.update({ started: true, outcome: 'unreachable' })
    connection.dispose()
    expect(vi.getTimerCount()).toBe(0)
  })
})

describe('outcomeOfFailure', () => {
  it('tells a server that is away from one that refuses the credentials', () => {
    expect(outcomeOfFailure(new TransportError(0, 'network'))).toBe('unreachable')
    expect(outcomeOfFailure(new TransportError(503, 'down'))).toBe('unreachable')
    expect(outcomeOfFailure(new TransportError(401, 'no'))).toBe('refused')
    expect(outcomeOfFailure(new TransportError(403, 'no'))).toBe('refused')
    expect(outcomeOfFailure(new TransportError(422, 'bad change'))).toBe('reached')
    expect(outcomeOfFailure(new CredentialsError('x', { cause: new TypeError('Failed to fetch') }))).toBe(
      'unreachable',
    )
    expect(outcomeOfFailure(new CredentialsError('x', { cause: new Error('not signed in') }))).toBe('refused')
  })
})
