import { SyncProgress } from '@driftless/react'
import type { TodoSession } from '../session.js'
import { FailedChanges } from './FailedChanges.js'
import { NewTodoForm } from './NewTodoForm.js'
import { ResetNotice } from './ResetNotice.js'
import { SyncPanel } from './SyncPanel.js'
import { TodoList } from './TodoList.js'
import { WorkOfflineToggle } from './WorkOfflineToggle.js'

interface TodoScreenProps {
  session: TodoSession
  onLogOut: () => void
}

export function TodoScreen({ session, onLogOut }: TodoScreenProps) {
  return (
    <main className="card">
      <header className="topbar">
        <h1>Todos</h1>
        <span className="user" data-testid="current-user">
          {session.userId}
        </span>
        <WorkOfflineToggle />
        <button type="button" className="quiet" onClick={onLogOut}>
          Log out
        </button>
      </header>
      <SyncPanel />
      <ResetNotice />
      <SyncProgress className="progress" />
      <NewTodoForm db={session.db} />
      <TodoList db={session.db} />
      <FailedChanges db={session.db} />
    </main>
  )
}
