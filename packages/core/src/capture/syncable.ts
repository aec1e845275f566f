/**
 * What a synced row may hold: what JSON carries and PostgreSQL's jsonb stores exactly — null, booleans,
 * finite numbers, well-formed strings without NUL, arrays and objects of those. Anything else is refused
 * at write time, so a change never reaches the queue only to be refused by the server for good.
 */
import type { z } from 'zod'

type Issue = z.core.$ZodIssue
type Path = PropertyKey[]

// A high surrogate with no low one after it, or a low surrogate with no high one before it.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

const AS_BINARY =
  'JSON cannot carry binary data: store it as a base64 string, or in a table that is not synced'

/** Why a string cannot be stored, or null when it can. */
export function unstorableString(text: string): string | null {
  const nul = text.indexOf('\u0000')
  const lone = LONE_SURROGATE.exec(text)
  if (lone && (nul < 0 || lone.index < nul)) {
    const unit = `\\u${lone[0].charCodeAt(0).toString(16)}`
    return `contains a lone surrogate ${unit} at index ${lone.index} (half of an emoji or other character cut in two), which PostgreSQL cannot store; cut strings by code point, e.g. Array.from(text).slice(0, n).join('')`
  }
  if (nul >= 0) return `contains the NUL character (\\u0000) at index ${nul}, which PostgreSQL cannot store`
  return null
}

/** Every value in `row` that would not arrive intact on the server, each with its path and what to do. */
export function unsyncableValues(row: unknown): Issue[] {
  const issues: Issue[] = []
  const ancestors = new Set<object>()
  const report = (path: Path, input: unknown, message: string) =>
    issues.push({ code: 'custom', path: [...path], message, input })

  const visit = (value: unknown, path: Path): void => {
    switch (typeof value) {
      case 'string': {
        const problem = unstorableString(value)
        if (problem) report(path, value, problem)
        return
      }
      case 'number':
        if (!Number.isFinite(value)) {
          report(
            path,
            value,
            `is ${value}, which JSON has no form for (it would arrive as null); store null or a string`,
          )
        }
        return
      case 'boolean':
        return
      case 'undefined':
        report(path, value, 'is undefined inside an array, which JSON turns into null; use null')
        return
      case 'bigint':
        report(path, value, 'is a bigint, which JSON cannot carry; store it as a string (String(value))')
        return
      case 'function':
      case 'symbol':
        report(path, value, `is a ${typeof value}, which cannot be synced; keep it out of synced rows`)
        return
    }
    if (value === null) return
    const object = value as object
    const refusal = nonJsonObject(object)
    if (refusal) return void report(path, value, refusal)
    if (ancestors.has(object)) {
      return void report(
        path,
        value,
        'refers back to one of its own containers (a cycle), which JSON cannot carry',
      )
    }
    ancestors.add(object)
    if (Array.isArray(object)) {
      for (let i = 0; i < object.length; i++) {
        if (i in object) visit(object[i], [...path, i])
        else
          report(
            [...path, i],
            undefined,
            'is a missing element (a hole in the array), which JSON turns into null; use null',
          )
      }
    } else {
      for (const [key, child] of Object.entries(object)) {
        const problem = unstorableString(key)
        if (problem) report([...path, key], child, `the key ${JSON.stringify(key)} ${problem}`)
        // JSON leaves out a property whose value is undefined; the row means the same without it.
        if (child !== undefined) visit(child, [...path, key])
      }
    }
    ancestors.delete(object)
  }

  visit(row, [])
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
