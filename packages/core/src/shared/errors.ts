import type { Issue } from './check.js'

/** Base class of every error Driftless throws; `code` is stable, the message says what to do. */
export class DriftlessError extends Error {
  readonly code: string
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
    this.code = code
  }
}

/** A local write that fails its table's schema. Nothing was stored. */
export class SyncValidationError extends DriftlessError {
  readonly table: string
  readonly key: unknown
  readonly issues: readonly Issue[]
  constructor(table: string, key: unknown, issues: readonly Issue[]) {
    super(
      'VALIDATION',
      `Invalid record for table "${table}" (key ${formatKey(key)}): ${formatIssues(issues, '(record)')}. Nothing was stored.`,
    )
    this.table = table
    this.key = key
    this.issues = issues
  }
}

/** A server answer that does not match the wire contract. No local data was touched. */
export class InvalidResponseError extends DriftlessError {
  constructor(what: string, detail: string) {
    super('INVALID_RESPONSE', `Malformed ${what} from the sync server: ${detail}. Local changes stay queued.`)
  }
}

/** An HTTP or network failure talking to the backend. `status` is 0 for network errors and timeouts. */
export class TransportError extends DriftlessError {
  readonly status: number
  readonly retryAfterMs: number | undefined
  /** The `error` text of the server's JSON answer (e.g. `cursor-unknown`), when it sent one. */
  readonly serverError: string | undefined
  /** The most changes the server accepts in one push, when it said so refusing a bigger one (413 `batch-too-large`). */
  readonly maxBatchSize: number | undefined
  constructor(
    status: number,
    message: string,
    options?: { retryAfterMs?: number; cause?: unknown; serverError?: string; maxBatchSize?: number },
  ) {
    super('TRANSPORT', message, options)
    this.status = status
    this.retryAfterMs = options?.retryAfterMs
    this.serverError = options?.serverError
    this.maxBatchSize = options?.maxBatchSize
  }
  /** 408, 429, 5xx and network errors are worth retrying as they are; other 4xx are not. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500
  }
}

/** `fetchCredentials()` failed or returned something unusable. */
export class CredentialsError extends DriftlessError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CREDENTIALS', message, options)
  }
}

/** A wrong option or a database that was not set up for sync. */
export class ConfigError extends DriftlessError {
  constructor(message: string) {
    super('CONFIG', message)
  }
}

/** `field.path: message; other: message` — the field names first, so the message says what was wrong. */
export function formatIssues(issues: readonly Issue[], rootName = '(root)'): string {
  return issues
    .map((issue) => `${issue.path.length ? issue.path.map(String).join('.') : rootName}: ${issue.message}`)
    .join('; ')
}

export function formatKey(key: unknown): string {
  if (typeof key === 'string') return JSON.stringify(key)
  if (key === undefined) return '(none)'
  try {
    return JSON.stringify(key) ?? String(key)
  } catch {
    return String(key)
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  return typeof error === 'string' ? error : formatKey(error)
}

/** A pulled change this client cannot apply; it was skipped and the pull went on past it. */
export class UnusableChangeError extends DriftlessError {
  constructor(detail: string) {
    super(
      'UNUSABLE_CHANGE',
      `Skipped a pulled change: ${detail}. Sync went on past it; fix the server's data or add the table to the client's synced tables.`,
    )
  }
}

/**
 * The server answered `hasMore: true` for a whole round of pulls without saying its backlog is shrinking. The
 * pages were applied and the next round goes on from there, after uploads; a server that never ends is broken.
 */
export class PullPageLimitError extends DriftlessError {
  constructor(pages: number, changes: number) {
    super(
      'PULL_PAGE_LIMIT',
      `The sync server answered hasMore for ${pages} pages in a row (${changes} changes) without counting down \`remaining\`; the next round pulls on after uploads. If its backlog is not that large, its hasMore or cursor is wrong.`,
    )
  }
}

/**
 * The browser refused a write because this site's storage is full (IndexedDB's `QuotaExceededError`). The
 * write was not stored or queued; everything stored and queued before is intact.
 */
export class StorageFullError extends DriftlessError {
  constructor(options?: { cause?: unknown }) {
    super(
      'STORAGE_FULL',
      'The browser refused the write: storage for this site is full. Nothing was saved by this write; ' +
        "everything saved before is intact. Free space (delete data or other sites' data) and try again.",
      options,
    )
  }
}

/** `sync()` before `connect()`, or a round cut short by `disconnect()`. */
export class NotConnectedError extends DriftlessError {
  constructor() {
    super('NOT_CONNECTED', 'Sync is not connected: call connect() before sync().')
  }
}

/** `sync()` while sync is paused; `resume()` first. */
export class SyncPausedError extends DriftlessError {
  constructor() {
    super('PAUSED', 'Sync is paused (pause()), so no round runs: call resume() first.')
  }
}

/**
 * Whether a write failed because the device is out of storage space: a `StorageFullError`, or the error a
 * write rejects with when the browser refuses it at commit (Chromium does; Dexie's `AbortError` wrapping
 * the browser's `QuotaExceededError`), which no middleware can replace.
 */
export function isStorageFullError(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    if (current instanceof StorageFullError) return true
    const { name, inner, cause } = current as { name?: unknown; inner?: unknown; cause?: unknown }
    if (name === 'QuotaExceededError') return true
    current = inner ?? cause
  }
  return false
}
