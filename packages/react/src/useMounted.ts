'use client'
import { useEffect, useState } from 'react'

/**
 * False on the first render (and on the server), true once mounted. Live text waits for it: a live region
 * must exist empty before its text arrives to be announced, and server HTML never holds client-only text.
 */
export function useMounted(): boolean {
  const [mounted, setMounted] = useState(false)
  useEffect(() => setMounted(true), [])
  return mounted
}
