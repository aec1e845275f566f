import { runWritesBench } from '../writes.js'

declare global {
  interface Window {
    benchResult?: { table: string } | { error: string }
  }
}

const browser = navigator.userAgent.match(/(?:Headless)?Chrome\/[\d.]+/)?.[0] ?? navigator.userAgent
runWritesBench(`real IndexedDB, ${browser}`, 5).then(
  (table) => {
    window.benchResult = { table }
  },
  (error: unknown) => {
    window.benchResult = {
      error: error instanceof Error ? `${error.message}\n${error.stack}` : String(error),
    }
  },
)
