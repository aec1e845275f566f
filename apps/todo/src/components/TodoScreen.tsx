import { OfflineBanner, SyncProgress } from '@driftless/react'
import type { TodoSession } from '../session.js'
import { FailedChanges } from './FailedChanges.js'
import { NewTodoForm } from './NewTodoForm.js'
import { SyncPanel } from './SyncPanel.js'
import { TodoList } from './TodoList.js'
import { WorkOfflineToggle } from './WorkOfflineToggle.js'

interface TodoScreenProps {
  session: TodoSession
  onWorkOffline: (offline: boolean) => void
  onLogOut: () => void
}

export function TodoScreen({ session, onWorkOffline, onLogOut }: TodoScreenProps) {
  return (
    <main className="card">
      <header className="topbar">
        <h1>Todos</h1>
        <span className="user" data-testid="current-user">
          {session.userId}
        </span>
        <WorkOfflineToggle checked={session.workingOffline} onChange={onWorkOffline} />
        <button type="button" className="quiet" onClick={onLogOut}>
          Log out
        </button>
      </header>
      <div data-testid="offline-banner">
        <OfflineBanner className="banner" />
      </div>
      <SyncPanel />
      <SyncProgress className="progress" />
      <NewTodoForm db={session.db} />
      <TodoList db={session.db} />
      <FailedChanges />
    </main>
  )
}
