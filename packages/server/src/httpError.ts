/** A request the server refuses; `status` is the HTTP status, the message says what was wrong. */
export class HttpError extends Error {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(message)
    this.name = 'HttpError'
    this.status = status
    this.headers = headers
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
