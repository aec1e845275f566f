import type { OutboxEntry } from '@driftless/core'
import { describe, expect, it } from 'vitest'
import { failureReason } from './failures.js'

function failed(overrides: Partial<OutboxEntry>): OutboxEntry {
  return {
    seq: 1,
    id: 'c1',
    txId: 't1',
    collection: 'todos',
    recordId: 'todo-1',
    type: 'update',
    data: { id: 'todo-1', title: 'x' },
    prevData: null,
    timestamp: 1,
    status: 'failed',
    retries: 1,
    errorMessage: null,
    errorStatus: null,
    ...overrides,
  }
}

describe('why a change failed, in one line', () => {
  it('says a change is too large when the server refused it with 413', () => {
    const entry = failed({ errorStatus: 413, errorMessage: 'The server refused this change (HTTP 413)' })
    expect(failureReason([entry])).toBe('This change is too large for the server, so it was not saved.')
  })

  it('does not read "too large" into a server address that contains 413', () => {
    const entry = failed({
      errorStatus: 422,
      errorMessage:
        'The server refused this change (HTTP 422): POST http://127.0.0.1:41327/push failed with HTTP 422 (title is not allowed).',
    })
    expect(failureReason([entry])).toBe('This change was not saved: the server did not accept it.')
  })

  it('names a delete as a delete', () => {
    expect(failureReason([failed({ type: 'delete', data: null, errorStatus: 413 })])).toBe(
      'Deleting this todo is too large for the server, so it was not saved.',
    )
  })
})
