import '@driftless/react/styles.css'
import './styles.css'
import { registerSW } from 'virtual:pwa-register'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App.js'
import { SessionStore } from './session.js'

// The service worker serves the app shell, so a reload opens the app offline or while the server is down.
registerSW({ immediate: true })

const sessions = new SessionStore(location.origin, localStorage)
sessions.restore()
sessions.followOtherTabs(window)

const root = document.getElementById('root')
if (!root) throw new Error('index.html lost its #root element.')

createRoot(root).render(
  <StrictMode>
    <App sessions={sessions} />
  </StrictMode>,
)
