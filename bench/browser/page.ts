import { runCaptureBench } from '../capture.js'
import { runCatchUpBench } from '../catchUp.js'

declare global {
  interface Window {
    benchResult?: { table: string } | { error: string }
  }
}

const benches: Record<string, (environment: string) => Promise<string>> = {
  capture: runCaptureBench,
  'catch-up': runCatchUpBench,
}

const name = new URLSearchParams(location.search).get('bench') ?? 'capture'
const browser = navigator.userAgent.match(/(?:Headless)?Chrome\/[\d.]+/)?.[0] ?? navigator.userAgent
const bench = benches[name]
const run = bench
  ? bench(`real IndexedDB, ${browser}`)
  : Promise.reject(new Error(`No bench named "${name}".`))
run.then(
  (table) => {
    window.benchResult = { table }
  },
  (error: unknown) => {
    window.benchResult = { error: String(error) }
  },
)
