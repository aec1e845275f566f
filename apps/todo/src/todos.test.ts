import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openTodoDatabase, type TodoDatabase } from './todo.js'
import { addTodo, clearCompleted, listTodos, renameTodo, setCompleted } from './todos.js'

describe('todo actions', () => {
  let db: TodoDatabase

  beforeEach(() => {
    db = openTodoDatabase(`test-${crypto.randomUUID()}`)
  })

  afterEach(async () => {
    await db.delete()
  })

  it('adds a trimmed, open todo and lists todos oldest first', async () => {
    await addTodo(db, '  Second  ', 2000)
    await addTodo(db, 'First', 1000)
    const todos = await listTodos(db)
    expect(todos.map((todo) => todo.title)).toEqual(['First', 'Second'])
    expect(todos[1]).toMatchObject({ completed: false, createdAt: 2000, updatedAt: 2000 })
  })

  it('ignores a blank title', async () => {
    expect(await addTodo(db, '   ')).toBeNull()
    expect(await listTodos(db)).toEqual([])
  })

  it('renames a todo and stamps the edit; a blank name deletes it', async () => {
    const keep = await addTodo(db, 'Call mom', 1000)
    const drop = await addTodo(db, 'Typo', 1000)
    await renameTodo(db, keep!.id, ' Call mum ', 5000)
    await renameTodo(db, drop!.id, '  ')
    expect(await listTodos(db)).toMatchObject([{ title: 'Call mum', createdAt: 1000, updatedAt: 5000 }])
  })

  it('clears only the completed todos and says how many', async () => {
    const done = await addTodo(db, 'Done', 1)
    await addTodo(db, 'Open', 2)
    const alsoDone = await addTodo(db, 'Also done', 3)
    await setCompleted(db, done!.id, true)
    await setCompleted(db, alsoDone!.id, true)
    expect(await clearCompleted(db)).toBe(2)
    expect((await listTodos(db)).map((todo) => todo.title)).toEqual(['Open'])
  })
})
