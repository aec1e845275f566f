/** The local-write and drain benches on fake-indexeddb in Node. */
import 'fake-indexeddb/auto'
import { runDrainBench } from './drain.js'
import { runWritesBench } from './writes.js'

console.log(await runWritesBench(`fake-indexeddb, Node ${process.version}`, 5))
console.log(await runDrainBench(`fake-indexeddb, Node ${process.version}`))
