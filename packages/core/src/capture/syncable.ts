/**
 * What a synced row may hold: what JSON carries and PostgreSQL's jsonb stores exactly — null, booleans,
 * finite numbers, well-formed strings without NUL, arrays and objects of those. Anything else is refused
 * at write time, so a change never reaches the queue only to be refused by the server for good.
 */
import type { SyncValidationError } from '../shared/errors.js'

/** Whatever issue shape SyncValidationError carries: these issues only need a path and a message. */
type Issue = ConstructorParameters<typeof SyncValidationError>[2][number]
type Path = PropertyKey[]

const SURROGATE = /[\uD800-\uDFFF]/

const AS_BINARY =
  'JSON cannot carry binary data: store it as a base64 string, or in a table that is not synced'

/** Why a string cannot be stored, or null when it can. */
export function unstorableString(text: string): string | null {
  const nul = text.indexOf('\u0000')
  const lone = SURROGATE.test(text) ? loneSurrogateAt(text) : -1
  if (lone >= 0 && (nul < 0 || lone < nul)) {
    const unit = `\\u${text.charCodeAt(lone).toString(16)}`
    return `contains a lone surrogate ${unit} at index ${lone} (half of an emoji or other character cut in two), which PostgreSQL cannot store; cut strings by code point, e.g. Array.from(text).slice(0, n).join('')`
  }
  if (nul >= 0) return `contains the NUL character (\\u0000) at index ${nul}, which PostgreSQL cannot store`
  return null
}

/** The index of the first high surrogate with no low one after it, or low one with no high one before it; -1 if none. */
function loneSurrogateAt(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    if (unit < 0xd800 || unit > 0xdfff) continue
    const next = text.charCodeAt(i + 1)
    if (unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      i++
      continue
    }
    return i
  }
  return -1
}

/** Every value in `row` that would not arrive intact on the server, each with its path and what to do. */
export function unsyncableValues(row: unknown): Issue[] {
  const issues: Issue[] = []
  const ancestors = new Set<object>()
  // One path, extended and shortened as the walk goes: rows are checked on every write.
  const path: Path = []
  const report = (input: unknown, message: string) => {
    const issue = { code: 'custom' as const, path: [...path], message, input }
    issues.push(issue)
  }

  const visit = (value: unknown): void => {
    switch (typeof value) {
      case 'string': {
        const problem = unstorableString(value)
        if (problem) report(value, problem)
        return
      }
      case 'number':
        if (!Number.isFinite(value)) {
          report(
            value,
            `is ${value}, which JSON has no form for (it would arrive as null); store null or a string`,
          )
        }
        return
      case 'boolean':
        return
      case 'undefined':
        report(value, 'is undefined inside an array, which JSON turns into null; use null')
        return
      case 'bigint':
        report(value, 'is a bigint, which JSON cannot carry; store it as a string (String(value))')
        return
      case 'function':
      case 'symbol':
        report(value, `is a ${typeof value}, which cannot be synced; keep it out of synced rows`)
        return
    }
    if (value === null) return
    const object = value as object
    const refusal = nonJsonObject(object)
    if (refusal) return void report(value, refusal)
    if (ancestors.has(object)) {
      return void report(value, 'refers back to one of its own containers (a cycle), which JSON cannot carry')
    }
    ancestors.add(object)
    if (Array.isArray(object)) {
      for (let i = 0; i < object.length; i++) {
        path.push(i)
        if (i in object) visit(object[i])
        else
          report(
            undefined,
            'is a missing element (a hole in the array), which JSON turns into null; use null',
          )
        path.pop()
      }
    } else {
      for (const key of Object.keys(object)) {
        const child = (object as Record<string, unknown>)[key]
        path.push(key)
        const problem = unstorableString(key)
        if (problem) report(child, `the key ${JSON.stringify(key)} ${problem}`)
        // JSON leaves out a property whose value is undefined; the row means the same without it.
        if (child !== undefined) visit(child)
        path.pop()
      }
    }
    ancestors.delete(object)
  }

  visit(row)
  return issues
}

/** Why an object is not a plain JSON object or array, or null when it is one (an app class's instance counts). */
function nonJsonObject(value: object): string | null {
  if (Array.isArray(value)) return null
  const proto = Object.getPrototypeOf(value)
  if (proto === Object.prototype || proto === null) return null
  if (value instanceof Date) {
    return 'is a Date, which JSON turns into a string; store date.toISOString() or getTime() instead'
  }
  if (value instanceof Map)
    return 'is a Map, which JSON turns into {}; store a plain object or an array of pairs'
  if (value instanceof Set) return 'is a Set, which JSON turns into {}; store an array'
  if (value instanceof RegExp) return 'is a RegExp, which JSON turns into {}; store its source as a string'
  if (value instanceof ArrayBuffer) return `is an ArrayBuffer; ${AS_BINARY}`
  if (ArrayBuffer.isView(value)) return `is a ${value.constructor.name}; ${AS_BINARY}`
  if (typeof Blob !== 'undefined' && value instanceof Blob)
    return `is a ${value.constructor.name}; ${AS_BINARY}`
  if (value instanceof Error) return 'is an Error, which JSON turns into {}; store its message as a string'
  if (value instanceof Boolean || value instanceof Number || value instanceof String) {
    return 'is a boxed primitive (new Boolean/Number/String); store the primitive value'
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return 'has a toJSON() method, so the server would get something else than what is stored; store the plain value'
  }
  return null
}
