import { runCatchUpBench } from '../catchUp.js'
import { drainQueued, queueChanges } from '../drainScale.js'
import { type NetworkBenchConfig, runNetworkBench } from '../network.js'
import { type RenderBenchConfig, runRenderBench } from '../renders.js'
import { runWritesBench, timeWrites } from '../writes.js'

/** Steps Node calls one by one (suite `driven`), to sample the heap or profile around exactly one of them. */
const steps = { queueChanges, drainQueued, timeWrites }

declare global {
  interface Window {
    benchResult?: { table: string } | { error: string }
    benchSteps?: typeof steps
  }
}

const params = new URLSearchParams(location.search)
const browser = navigator.userAgent.match(/(?:Headless)?Chrome\/[\d.]+/)?.[0] ?? navigator.userAgent
const name = params.get('suite')
const config = () => JSON.parse(params.get('config') ?? '{}') as unknown

function run(suite: Promise<string>): void {
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
}

if (name === 'driven') window.benchSteps = steps
else if (name === 'network') run(runNetworkBench(config() as NetworkBenchConfig))
else if (name === 'renders') run(runRenderBench(config() as RenderBenchConfig))
else if (name === 'catch-up') run(runCatchUpBench(`real IndexedDB, ${browser}`))
else run(runWritesBench(`real IndexedDB, ${browser}`, 5))
