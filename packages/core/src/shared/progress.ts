/** How far a transfer has come; `total` is null when the server did not say how much there is. */
export interface TransferProgress {
  readonly done: number
  readonly total: number | null
}

export function progressEquals(a: TransferProgress | null, b: TransferProgress | null): boolean {
  return a === b || (a !== null && b !== null && a.done === b.done && a.total === b.total)
}

/** Progress of draining the queue: settled changes of those queued at the start, raised by later writes. */
export function uploadProgress(settled: number, queuedAtStart: number): TransferProgress {
  return { done: settled, total: Math.max(queuedAtStart, settled) }
}

/** Progress of a catch-up after a page: what was received so far, out of that plus what the server says remains. */
export function downloadProgressAfterPage(received: number, remaining: number | undefined): TransferProgress {
  return { done: received, total: remaining === undefined ? null : received + remaining }
}
