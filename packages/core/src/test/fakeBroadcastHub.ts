import type { BroadcastChannelLike } from '../shared/env.js'

/**
 * BroadcastChannel for simulated tabs in one process. Like the real one: the data is structured-cloned
 * when posted, delivered in a later macrotask (a 0 ms timer, so fake timers control it) to every other
 * channel of the same name that was open when it was posted and is still open, never to the sender,
 * and a closed channel neither sends nor receives.
 */
export class FakeBroadcastHub {
  private readonly channels = new Set<FakeBroadcastChannel>()

  /** Opens a channel named `name` in tab `tab`. */
  channel(name: string, tab = 'default'): FakeBroadcastChannel {
    const channel = new FakeBroadcastChannel(name, tab, this)
    this.channels.add(channel)
    return channel
  }

  /** Open channels, optionally of one name. */
  openChannels(name?: string): FakeBroadcastChannel[] {
    return [...this.channels].filter((channel) => name === undefined || channel.name === name)
  }

  /** What happens to a dying tab's channels: they close, and undelivered messages to them are dropped. */
  crash(tab: string): void {
    for (const channel of [...this.channels]) if (channel.tab === tab) channel.close()
  }

  /** @internal */
  send(source: FakeBroadcastChannel, message: unknown): void {
    const data = structuredClone(message)
    const targets = [...this.channels].filter((channel) => channel !== source && channel.name === source.name)
    globalThis.setTimeout(() => {
      for (const target of targets) target.deliver(data)
    }, 0)
  }

  /** @internal */
  remove(channel: FakeBroadcastChannel): void {
    this.channels.delete(channel)
  }
}

export class FakeBroadcastChannel implements BroadcastChannelLike {
  onmessage: ((event: { data: unknown }) => void) | null = null
  private closed = false

  constructor(
    readonly name: string,
    readonly tab: string,
    private readonly hub: FakeBroadcastHub,
  ) {}

  get isClosed(): boolean {
    return this.closed
  }

  postMessage(message: unknown): void {
    if (this.closed) throw new DOMException('The BroadcastChannel is closed', 'InvalidStateError')
    this.hub.send(this, message)
  }

  close(): void {
    this.closed = true
    this.hub.remove(this)
  }

  /** @internal */
  deliver(data: unknown): void {
    if (this.closed) return
    this.onmessage?.({ data: structuredClone(data) })
  }
}
