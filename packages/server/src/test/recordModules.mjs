// Preloaded with `node --import`: appends the URL of every module the process loads to the file in
// DRIFTLESS_MODULE_LOG, so a test can see which drivers an import really pulled in.
import { appendFileSync } from 'node:fs'
import { register } from 'node:module'
import { isMainThread } from 'node:worker_threads'

if (isMainThread) register(import.meta.url)

export async function load(url, context, nextLoad) {
  appendFileSync(process.env.DRIFTLESS_MODULE_LOG, `${url}\n`)
  return nextLoad(url, context)
}
