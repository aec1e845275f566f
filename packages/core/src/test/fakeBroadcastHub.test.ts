import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeBroadcastHub } from './fakeBroadcastHub.js'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('FakeBroadcastHub', () => {
  it('delivers later, to every other open channel of the same name, never to the sender', async () => {
    const hub = new FakeBroadcastHub()
    const sender = hub.channel('x', 'a')
    const peer = hub.channel('x', 'b')
    const otherName = hub.channel('y', 'c')
    const heard = { sender: vi.fn(), peer: vi.fn(), otherName: vi.fn() }
    sender.onmessage = heard.sender
    peer.onmessage = heard.peer
    otherName.onmessage = heard.otherName

    sender.postMessage({ n: 1 })
    expect(heard.peer).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(0)

    expect(heard.peer).toHaveBeenCalledExactlyOnceWith({ data: { n: 1 } })
    expect(heard.sender).not.toHaveBeenCalled()
    expect(heard.otherName).not.toHaveBeenCalled()
  })

  it('structured-clones the data when posted, and gives each receiver its own copy', async () => {
    const hub = new FakeBroadcastHub()
    const sender = hub.channel('x', 'a')
    const received: unknown[] = []
    for (const tab of ['b', 'c']) hub.channel('x', tab).onmessage = (event) => received.push(event.data)
    const message = { list: [1] }

    sender.postMessage(message)
    message.list.push(2)
    await vi.advanceTimersByTimeAsync(0)

    expect(received).toEqual([{ list: [1] }, { list: [1] }])
    expect(received[0]).not.toBe(received[1])
    expect(() => sender.postMessage({ fn: () => {} })).toThrow(
      expect.objectContaining({ name: 'DataCloneError' }),
    )
  })

  it('delivers nothing to a channel closed before delivery, and a closed channel cannot post', async () => {
    const hub = new FakeBroadcastHub()
    const sender = hub.channel('x', 'a')
    const receiver = hub.channel('x', 'b')
    const heard = vi.fn()
    receiver.onmessage = heard

    sender.postMessage('one')
    receiver.close()
    await vi.advanceTimersByTimeAsync(0)

    expect(heard).not.toHaveBeenCalled()
    sender.close()
    expect(() => sender.postMessage('two')).toThrow(expect.objectContaining({ name: 'InvalidStateError' }))
  })

  it("closes a crashed tab's channels only", () => {
    const hub = new FakeBroadcastHub()
    hub.channel('x', 'a')
    hub.channel('y', 'a')
    hub.channel('x', 'b')

    hub.crash('a')

    expect(hub.openChannels().map((channel) => channel.tab)).toEqual(['b'])
  })
})
