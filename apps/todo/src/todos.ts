import { nanoid } from 'nanoid'
import type { Todo, TodoDatabase } from './todo.js'

// Every write is plain Dexie: the sync engine captures it in the same transaction.

/** Adds a todo; returns it, or null when the title is blank. */
export async function addTodo(db: TodoDatabase, title: string, now = Date.now()): Promise<Todo | null> {
  const trimmed = title.trim()
  if (!trimmed) return null
  const todo: Todo = { id: nanoid(), title: trimmed, completed: false, createdAt: now, updatedAt: now }
  await db.todos.add(todo)
  return todo
}

/** Renames a todo; a blank title deletes it, as in most todo apps. */
export async function renameTodo(
  db: TodoDatabase,
  id: string,
  title: string,
  now = Date.now(),
): Promise<void> {
  const trimmed = title.trim()
  if (!trimmed) return deleteTodo(db, id)
  await db.todos.update(id, { title: trimmed, updatedAt: now })
}

export async function setCompleted(
  db: TodoDatabase,
  id: string,
  completed: boolean,
  now = Date.now(),
): Promise<void> {
  await db.todos.update(id, { completed, updatedAt: now })
}

export async function deleteTodo(db: TodoDatabase, id: string): Promise<void> {
  await db.todos.delete(id)
}

/** Deletes every completed todo in one transaction; returns how many. */
export async function clearCompleted(db: TodoDatabase): Promise<number> {
  return db.transaction('rw', db.todos, async () => {
    const ids = (await db.todos.toArray()).filter((todo) => todo.completed).map((todo) => todo.id)
    await db.todos.bulkDelete(ids)
    return ids.length
  })
}

/** All todos, oldest first: what the list shows. */
export function listTodos(db: TodoDatabase): Promise<Todo[]> {
  return db.todos.orderBy('createdAt').toArray()
}
