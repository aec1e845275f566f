// The chunks the engine loads with import() arrive over real I/O, which fake time cannot wait for; tests
// start with them loaded, as a page does once they have arrived.
import '../sync/uploadLoop.js'
import '../sync/pullLoop.js'
import '../session/credentials.js'
import '../capture/backfill.js'
