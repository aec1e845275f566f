import { type FormEvent, useId, useState } from 'react'
import { userNameProblem } from '../session.js'

export function LoginForm({ onLogIn }: { onLogIn: (userId: string) => void }) {
  const [name, setName] = useState('')
  const [problem, setProblem] = useState<string | null>(null)
  const inputId = useId()

  function submit(event: FormEvent) {
    event.preventDefault()
    const userId = name.trim()
    const found = userNameProblem(userId)
    setProblem(found)
    if (!found) onLogIn(userId)
  }

  return (
    <main className="card login">
      <h1>Driftless todos</h1>
      <p className="muted">
        Offline-first: your todos live in this browser and sync when the server is reachable.
      </p>
      <form onSubmit={submit}>
        <label htmlFor={inputId}>Your name</label>
        <div className="row">
          <input
            id={inputId}
            name="user"
            value={name}
            onChange={(event) => setName(event.target.value)}
            placeholder="alice"
            autoComplete="username"
            // biome-ignore lint/a11y/noAutofocus: the form has one field and nothing else to do
            autoFocus
          />
          <button type="submit">Log in</button>
        </div>
        {problem && (
          <p className="problem" role="alert">
            {problem}
          </p>
        )}
      </form>
    </main>
  )
}
