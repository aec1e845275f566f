import pg from 'pg'

const RECONNECT_DELAY_MS = 1000

/**
 * One connection held open for LISTEN, shared by every channel of a database. A lost connection is
 * reopened and its channels listened to again; notifications sent meanwhile are lost, which a poke allows.
 */
export class PostgresListener {
  private client: pg.Client | null = null
  private connecting: Promise<pg.Client> | null = null
  private readonly listeners = new Map<string, Set<(payload: string) => void>>()
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null
  private closed = false

  constructor(private readonly config: pg.ClientConfig) {}

  async listen(channel: string, listener: (payload: string) => void): Promise<() => Promise<void>> {
    let set = this.listeners.get(channel)
    const first = !set
    if (!set) {
      set = new Set()
      this.listeners.set(channel, set)
    }
    set.add(listener)
    if (first) await (await this.connect()).query(`listen ${quote(channel)}`)
    else await this.connect()
    return async () => {
      const current = this.listeners.get(channel)
      if (!current?.delete(listener) || current.size > 0) return
      this.listeners.delete(channel)
      await this.client?.query(`unlisten ${quote(channel)}`).catch(() => {})
    }
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer)
    this.listeners.clear()
    const client = this.client ?? (await this.connecting?.catch(() => null))
    this.client = null
    await client?.end().catch(() => {})
  }

  private connect(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client)
    if (!this.connecting) {
      this.connecting = this.open().finally(() => {
        this.connecting = null
      })
    }
    return this.connecting
  }

  private async open(): Promise<pg.Client> {
    const client = new pg.Client(this.config)
    client.on('notification', (message) => {
      for (const listener of this.listeners.get(message.channel) ?? []) listener(message.payload ?? '')
    })
    client.on('error', () => this.lost(client))
    client.on('end', () => this.lost(client))
    await client.connect()
    for (const channel of this.listeners.keys()) await client.query(`listen ${quote(channel)}`)
    if (this.closed) {
      await client.end()
      throw new Error('The database was closed.')
    }
    this.client = client
    return client
  }

  private lost(client: pg.Client): void {
    if (this.client !== client || this.closed) return
    this.client = null
    client.end().catch(() => {})
    this.reconnectLater()
  }

  private reconnectLater(): void {
    if (this.reconnectTimer || this.closed) return
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null
      if (this.listeners.size > 0 && !this.closed) this.connect().catch(() => this.reconnectLater())
    }, RECONNECT_DELAY_MS)
  }
}

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`
}
