// PostgreSQL text and jsonb cannot hold NUL, and UTF-8 cannot encode half of a surrogate pair.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is the character PostgreSQL refuses.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

function describeCharacter(text: string): string | undefined {
  const match = UNSTORABLE.exec(text)
  if (!match) return undefined
  const code = match[0].charCodeAt(0)
  if (code === 0) return 'a NUL character (U+0000)'
  return `a lone surrogate (U+${code.toString(16).toUpperCase()}, half of a character such as an emoji)`
}

/**
 * Why `value` (a string or JSON value) cannot be stored, naming where, or undefined when it can.
 * Walks without recursion, so a deeply nested record cannot exhaust the stack.
 */
export function unstorableText(value: unknown, path: string): string | undefined {
  const pending: [unknown, string][] = [[value, path]]
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [item, where] = next
    if (typeof item === 'string') {
      const found = describeCharacter(item)
      if (found) return `${where}: contains ${found}, which cannot be stored; remove or repair it`
    } else if (Array.isArray(item)) {
      for (let index = item.length - 1; index >= 0; index--) pending.push([item[index], `${where}.${index}`])
    } else if (item !== null && typeof item === 'object') {
      const keys = Object.keys(item)
      for (const key of keys) {
        const found = describeCharacter(key)
        if (found) return `${where}: a field name contains ${found}, which cannot be stored; rename the field`
      }
      const record = item as Record<string, unknown>
      for (const key of keys.reverse()) pending.push([record[key], `${where}.${key}`])
    }
  }
  return undefined
}

/**
 * Selects a text column a client wrote as JSON, so it reads back whole: PGlite decodes result text with
 * a TextDecoder that drops a leading U+FEFF, and a JSON string starts with its quote.
 */
export function wholeText(column: string): string {
  return `to_json(${column}) as ${column}`
}
