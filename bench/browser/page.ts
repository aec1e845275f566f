import { runCaptureBench } from '../capture.js'

declare global {
  interface Window {
    benchResult?: { table: string } | { error: string }
  }
}

const browser = navigator.userAgent.match(/(?:Headless)?Chrome\/[\d.]+/)?.[0] ?? navigator.userAgent
runCaptureBench(`real IndexedDB, ${browser}`).then(
  (table) => {
    window.benchResult = { table }
  },
  (error: unknown) => {
    window.benchResult = { error: String(error) }
  },
)
