'use client'
import { type CSSProperties, useEffect, useRef, useState } from 'react'
import type { AnnouncerChannel } from './AnnouncerChannel.js'
import { initialAnnouncementMemory, nextAnnouncement } from './announcements.js'
import { useSyncClientFor, useSyncMessages } from './context.js'

// Hidden from sight but not from screen readers, with or without the optional stylesheet.
const visuallyHidden: CSSProperties = {
  position: 'absolute',
  width: '1px',
  height: '1px',
  margin: '-1px',
  padding: 0,
  border: 0,
  overflow: 'hidden',
  clipPath: 'inset(50%)',
  whiteSpace: 'nowrap',
}

/**
 * The one polite live region for the whole sync status. It is in the page, empty, from the first render
 * (a region must exist before its text changes to be read), and it never says the same thing twice in a row.
 */
export function SyncAnnouncer({ channel }: { channel: AnnouncerChannel }) {
  const client = useSyncClientFor('SyncAnnouncer')
  const text = useSyncMessages()
  const textRef = useRef(text)
  textRef.current = text
  const [message, setMessage] = useState('')
  useEffect(() => {
    let memory = initialAnnouncementMemory
    let last = ''
    const say = (next: string) => {
      if (next === last) return
      last = next
      setMessage(next)
    }
    const hear = () => {
      const heard = nextAnnouncement(memory, client.getSnapshot(), textRef.current)
      memory = heard.memory
      if (heard.message) say(heard.message)
    }
    hear()
    const unsubscribe = client.subscribe(hear)
    const stopListening = channel.listen(say)
    return () => {
      unsubscribe()
      stopListening()
    }
  }, [client, channel])
  return (
    <div role="status" aria-live="polite" className="driftless-announcer" style={visuallyHidden}>
      {message}
    </div>
  )
}
