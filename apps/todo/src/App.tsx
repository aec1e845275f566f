import { type SyncMessages, SyncProvider } from '@driftless/react'
import { useSyncExternalStore } from 'react'
import { LoginForm } from './components/LoginForm.js'
import { TodoScreen } from './components/TodoScreen.js'
import type { SessionStore } from './session.js'

const changes = (count: number) => (count === 1 ? '1 change' : `${count} changes`)

/** The demo calls a pause "working offline", so its words say that. */
const messages: Partial<SyncMessages> = {
  paused: (count) =>
    count === 0
      ? "You're working offline. Changes you make are saved on this device."
      : `You're working offline. ${changes(count)} ${count === 1 ? 'is' : 'are'} saved on this device and will sync when you go back online.`,
  resultPaused: "You're working offline. Turn off “Work offline” to sync.",
  resumed: 'Back online.',
}

export function App({ sessions }: { sessions: SessionStore }) {
  const session = useSyncExternalStore(sessions.subscribe, sessions.getSnapshot)
  if (!session) return <LoginForm onLogIn={(userId) => sessions.logIn(userId)} />
  return (
    <SyncProvider client={session.client} messages={messages} key={session.userId}>
      <TodoScreen session={session} onLogOut={() => void sessions.logOut()} />
    </SyncProvider>
  )
}
