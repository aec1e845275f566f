import { SyncProvider } from '@driftless/react'
import { useSyncExternalStore } from 'react'
import { LoginForm } from './components/LoginForm.js'
import { TodoScreen } from './components/TodoScreen.js'
import type { SessionStore } from './session.js'

export function App({ sessions }: { sessions: SessionStore }) {
  const session = useSyncExternalStore(sessions.subscribe, sessions.getSnapshot)
  if (!session) return <LoginForm onLogIn={(userId) => sessions.logIn(userId)} />
  return (
    <SyncProvider client={session.client} key={session.userId}>
      <TodoScreen
        session={session}
        onWorkOffline={(offline) => sessions.setWorkingOffline(offline)}
        onLogOut={() => void sessions.logOut()}
      />
    </SyncProvider>
  )
}
