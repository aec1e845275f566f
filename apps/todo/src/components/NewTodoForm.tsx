import { isStorageFullError } from '@driftless/core'
import { type FormEvent, useState } from 'react'
import type { TodoDatabase } from '../todo.js'
import { addTodo } from '../todos.js'

export function NewTodoForm({ db }: { db: TodoDatabase }) {
  const [title, setTitle] = useState('')

  async function submit(event: FormEvent) {
    event.preventDefault()
    try {
      if (await addTodo(db, title)) setTitle('')
    } catch (error) {
      // The sync status tells the person; the title stays in the field to try again.
      if (!isStorageFullError(error)) throw error
    }
  }

  return (
    <form className="row new-todo" onSubmit={submit}>
      <input
        aria-label="New todo"
        value={title}
        onChange={(event) => setTitle(event.target.value)}
        placeholder="What needs doing?"
        maxLength={500}
      />
      <button type="submit">Add</button>
    </form>
  )
}
