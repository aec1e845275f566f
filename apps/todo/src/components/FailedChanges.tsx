import { useFailedChanges } from '@driftless/react'
import { useLiveQuery } from 'dexie-react-hooks'
import { failuresByTodo } from '../failures.js'
import type { TodoDatabase } from '../todo.js'
import { TodoFailure } from './TodoFailure.js'

/** Failed changes of todos no longer in the list (a delete the server refused), each with its title. */
export function FailedChanges({ db }: { db: TodoDatabase }) {
  const failed = useFailedChanges()
  const ids = useLiveQuery(async () => new Set(await db.todos.toCollection().primaryKeys()), [db])
  if (!failed?.length || !ids) return null
  const orphans = [...failuresByTodo(failed)].filter(([recordId]) => !ids.has(recordId))
  if (orphans.length === 0) return null
  return (
    <section className="failed-changes" aria-label="Changes not saved" data-testid="failed-changes">
      <ul>
        {orphans.map(([recordId, entries]) => (
          <li key={recordId}>
            <strong>{titleOf(entries)}</strong>
            <TodoFailure entries={entries} />
          </li>
        ))}
      </ul>
    </section>
  )
}

function titleOf(entries: readonly { prevData: unknown; data: unknown }[]): string {
  for (const entry of entries) {
    const title =
      (entry.prevData as { title?: unknown } | null)?.title ??
      (entry.data as { title?: unknown } | null)?.title
    if (typeof title === 'string') return title
  }
  return 'A deleted todo'
}
