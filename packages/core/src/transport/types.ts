import type { Change, PullRequest, PullResult, PushResult } from '../wire.js'

/** Per-call context the engine passes to a transport. */
export interface TransportContext {
  /** From the connector's `fetchCredentials()`; sent as the base URL and a Bearer token. */
  credentials?: { endpoint: string; token: string }
  /** Aborts the request when the engine disconnects. */
  signal?: AbortSignal
}

/** What the sync session gives a transport's live channel while this tab leads and is connected. */
export interface LiveSession {
  /** Current credentials through the session's credential cache; undefined without `fetchCredentials`. */
  credentials(): Promise<{ endpoint: string; token: string } | undefined>
  /** The backend refused this token: the next `credentials()` fetches fresh ones. */
  invalidateCredentials(token: string): void
  /** The server's changes moved, or a poke may have been missed: run the ordinary cursor pull. */
  onPoke(): void
  /** The live channel opened (true) or went down (false). */
  onLiveChange(open: boolean): void
}

/** Moves changes between the client and the backend; `HttpTransport` speaks the wire contract over fetch. */
export interface Transport {
  push(changes: Change[], context: TransportContext): Promise<PushResult>
  pull(request: PullRequest, context: TransportContext): Promise<PullResult>
  /** A live channel held while the session runs (`WsTransport`); returns the function that closes it. */
  live?(session: LiveSession): () => void
}
