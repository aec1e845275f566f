import type { OutboxEntry } from '@driftless/core'

/** Failed changes by the todo they belong to. */
export function failuresByTodo(failed: readonly OutboxEntry[] | undefined): Map<string, OutboxEntry[]> {
  const byTodo = new Map<string, OutboxEntry[]>()
  for (const entry of failed ?? []) {
    if (entry.collection !== 'todos') continue
    byTodo.set(entry.recordId, [...(byTodo.get(entry.recordId) ?? []), entry])
  }
  return byTodo
}

/** Why a change failed, in one line a person can act on; the server's own words go in the details. */
export function failureReason(entries: readonly OutboxEntry[]): string {
  const what = entries.some((entry) => entry.type === 'delete') ? 'Deleting this todo' : 'This change'
  // The status, not the message: a message names the server's address, whose port may well contain "413".
  if (entries.some((entry) => entry.errorStatus === 413))
    return `${what} is too large for the server, so it was not saved.`
  return `${what} was not saved: the server did not accept it.`
}
