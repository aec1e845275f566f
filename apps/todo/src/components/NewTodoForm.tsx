import { type FormEvent, useState } from 'react'
import type { TodoDatabase } from '../todo.js'
import { addTodo } from '../todos.js'

export function NewTodoForm({ db }: { db: TodoDatabase }) {
  const [title, setTitle] = useState('')

  async function submit(event: FormEvent) {
    event.preventDefault()
    if (await addTodo(db, title)) setTitle('')
  }

  return (
    <form className="row new-todo" onSubmit={submit}>
      <input
        aria-label="New todo"
        value={title}
        onChange={(event) => setTitle(event.target.value)}
        placeholder="What needs doing?"
      />
      <button type="submit">Add</button>
    </form>
  )
}
