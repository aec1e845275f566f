import { useFailedChanges } from '@driftless/react'
import { useLiveQuery } from 'dexie-react-hooks'
import { failuresByTodo } from '../failures.js'
import type { TodoDatabase } from '../todo.js'
import { clearCompleted, listTodos } from '../todos.js'
import { TodoItem } from './TodoItem.js'

export function TodoList({ db }: { db: TodoDatabase }) {
  const todos = useLiveQuery(() => listTodos(db), [db])
  const failures = failuresByTodo(useFailedChanges())
  if (!todos) return null

  const left = todos.filter((todo) => !todo.completed).length
  const done = todos.length - left

  return (
    <section aria-label="Todos">
      {todos.length === 0 ? (
        <p className="muted empty">Nothing to do. Add a todo above.</p>
      ) : (
        <ul className="todos" data-testid="todo-list">
          {todos.map((todo) => (
            <TodoItem key={todo.id} db={db} todo={todo} failure={failures.get(todo.id)} />
          ))}
        </ul>
      )}
      <footer className="row footer">
        <span data-testid="items-left">
          {left} {left === 1 ? 'item' : 'items'} left
        </span>
        <button type="button" className="quiet" disabled={done === 0} onClick={() => void clearCompleted(db)}>
          Clear completed
        </button>
      </footer>
    </section>
  )
}
