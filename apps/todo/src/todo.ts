import Dexie, { type EntityTable } from 'dexie'
import { z } from 'zod'

/** A todo as stored locally and synced; the engine rejects writes that do not match. */
export const TodoSchema = z.object({
  id: z.string().min(1),
  title: z.string().min(1).max(500),
  completed: z.boolean(),
  createdAt: z.number(),
  updatedAt: z.number(),
})

export type Todo = z.infer<typeof TodoSchema>

export type TodoDatabase = Dexie & { todos: EntityTable<Todo, 'id'> }

/** One database per user, so two people on one browser never share rows or an outbox. */
export function openTodoDatabase(userId: string): TodoDatabase {
  const db = new Dexie(`driftless-todo-${userId}`) as TodoDatabase
  db.version(1).stores({ todos: 'id, createdAt' })
  return db
}
