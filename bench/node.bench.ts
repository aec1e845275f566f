/** The capture bench on fake-indexeddb in Node. */
import 'fake-indexeddb/auto'
import { runCaptureBench } from './capture.js'

console.log(await runCaptureBench(`fake-indexeddb, Node ${process.version}`))
