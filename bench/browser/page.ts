import { runCatchUpBench } from '../catchUp.js'
import { type NetworkBenchConfig, runNetworkBench } from '../network.js'
import { runWritesBench } from '../writes.js'

declare global {
  interface Window {
    benchResult?: { table: string } | { error: string }
  }
}

const params = new URLSearchParams(location.search)
const browser = navigator.userAgent.match(/(?:Headless)?Chrome\/[\d.]+/)?.[0] ?? navigator.userAgent
const name = params.get('suite')
const suite =
  name === 'network'
    ? runNetworkBench(JSON.parse(params.get('config') ?? '{}') as NetworkBenchConfig)
    : name === 'catch-up'
      ? runCatchUpBench(`real IndexedDB, ${browser}`)
      : runWritesBench(`real IndexedDB, ${browser}`, 5)
suite.then(
  (table) => {
    window.benchResult = { table }
  },
  (error: unknown) => {
    window.benchResult = {
      error: error instanceof Error ? `${error.message}\n${error.stack}` : String(error),
    }
  },
)
