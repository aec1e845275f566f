/** The local-write bench on fake-indexeddb in Node. */
import 'fake-indexeddb/auto'
import { runWritesBench } from './writes.js'

console.log(await runWritesBench(`fake-indexeddb, Node ${process.version}`, 5))
