import type { z } from 'zod'

/** `field.path: message; other: message`, naming the fields first so the message says what was wrong. */
export function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[] = [],
): string {
  return issues
    .map((issue) => {
      const path = [...prefix, ...issue.path].map(String).join('.')
      return `${path || '(body)'}: ${issue.message}`
    })
    .join('; ')
}
