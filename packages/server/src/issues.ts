/** `field.path: message; other: message`, naming the fields first so the message says what was wrong. */
export function describeIssues(
  issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[],
  prefix: readonly PropertyKey[] = [],
): string {
  return issues
    .map((issue) => {
      const path = [...prefix, ...issue.path].map(String).join('.')
      return `${path || '(body)'}: ${issue.message}`
    })
    .join('; ')
}
