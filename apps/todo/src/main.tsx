import '@driftless/react/styles.css'
import './styles.css'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App.js'
import { SessionStore } from './session.js'

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
