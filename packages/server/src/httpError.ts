export interface HttpErrorOptions {
  headers?: Record<string, string>
  /** A stable code a client acts on; the body becomes `{ error: code, message }`. */
  code?: string
  /** Machine-readable facts sent beside the code (e.g. `{ maxBatchSize: 500 }`). */
  details?: Record<string, number | string>
}

/** A request the server refuses; `status` is the HTTP status, the message says what was wrong. */
export class HttpError extends Error {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly code: string | undefined
  readonly details: Readonly<Record<string, number | string>>
  constructor(status: number, message: string, options: HttpErrorOptions = {}) {
    super(message)
    this.name = 'HttpError'
    this.status = status
    this.headers = options.headers ?? {}
    this.code = options.code
    this.details = options.details ?? {}
  }

  /** The JSON body: `{ error: message }`, or `{ error: code, message, ...details }` when there is a code. */
  toJSON(): Record<string, number | string> {
    return this.code === undefined
      ? { error: this.message }
      : { error: this.code, message: this.message, ...this.details }
  }
}

/** The server was started with options that cannot work; the message names the option. */
export class ServerConfigError extends Error {
  readonly code = 'CONFIG'
  constructor(message: string) {
    super(message)
    this.name = 'ServerConfigError'
  }
}
