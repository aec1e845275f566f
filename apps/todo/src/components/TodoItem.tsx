import type { OutboxEntry } from '@driftless/core'
import { type KeyboardEvent, useState } from 'react'
import type { Todo, TodoDatabase } from '../todo.js'
import { deleteTodo, renameTodo, setCompleted } from '../todos.js'
import { TodoFailure } from './TodoFailure.js'

interface TodoItemProps {
  db: TodoDatabase
  todo: Todo
  /** This todo's changes that the server did not accept, if any. */
  failure?: readonly OutboxEntry[] | undefined
}

export function TodoItem({ db, todo, failure }: TodoItemProps) {
  const [draft, setDraft] = useState<string | null>(null)

  function save() {
    if (draft === null) return
    setDraft(null)
    if (draft !== todo.title) void renameTodo(db, todo.id, draft)
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'Enter') save()
    if (event.key === 'Escape') setDraft(null)
  }

  return (
    <li
      className="todo"
      data-testid="todo-item"
      data-completed={todo.completed}
      data-failed={Boolean(failure)}
    >
      <input
        type="checkbox"
        checked={todo.completed}
        aria-label={`Done: ${todo.title}`}
        onChange={(event) => void setCompleted(db, todo.id, event.target.checked)}
      />
      {draft === null ? (
        <button
          type="button"
          className="title"
          data-testid="todo-title"
          title="Edit"
          onClick={() => setDraft(todo.title)}
        >
          {todo.title}
        </button>
      ) : (
        <input
          className="title-input"
          aria-label={`Edit: ${todo.title}`}
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={onKeyDown}
          onBlur={save}
          // biome-ignore lint/a11y/noAutofocus: the user just asked to edit this title
          autoFocus
        />
      )}
      <button
        type="button"
        className="delete"
        aria-label={`Delete: ${todo.title}`}
        onClick={() => void deleteTodo(db, todo.id)}
      >
        ×
      </button>
      {failure && <TodoFailure entries={failure} />}
    </li>
  )
}
