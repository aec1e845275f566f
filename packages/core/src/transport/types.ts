import type { Change, PullRequest, PullResult, PushResult } from '../wire.js'

/** Per-call context the engine passes to a transport. */
export interface TransportContext {
  /** From the connector's `fetchCredentials()`; sent as the base URL and a Bearer token. */
  credentials?: { endpoint: string; token: string }
  /** Aborts the request when the engine disconnects. */
  signal?: AbortSignal
}

/** Moves changes between the client and the backend; `HttpTransport` speaks the wire contract over fetch. */
export interface Transport {
  push(changes: Change[], context: TransportContext): Promise<PushResult>
  pull(request: PullRequest, context: TransportContext): Promise<PullResult>
}
