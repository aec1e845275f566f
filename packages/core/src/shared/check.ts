/**
 * Runtime checks for the shapes Driftless receives (server answers, credentials, options, tab messages).
 * A few plain guards instead of a validation library keep core small; every failure names its field path.
 */

/** One thing wrong with an input: where (`path`, empty for the input itself) and what. */
export interface Issue {
  readonly path: readonly PropertyKey[]
  readonly message: string
}

export type CheckResult<T> = { success: true; data: T } | { success: false; error: { issues: Issue[] } }

export interface Check<T> {
  /** Returns the checked value (normalised where the check says so); records what is wrong in `issues`. */
  readonly run: (input: unknown, path: readonly PropertyKey[], issues: Issue[]) => T
  safeParse(input: unknown): CheckResult<T>
}

export function check<T>(run: Check<T>['run']): Check<T> {
  return {
    run,
    safeParse(input) {
      const issues: Issue[] = []
      const data = run(input, [], issues)
      return issues.length ? { success: false, error: { issues } } : { success: true, data }
    },
  }
}

/** What an input is, for messages: `null`, `array`, `string`… */
export function kindOf(input: unknown): string {
  if (input === null) return 'null'
  if (Array.isArray(input)) return 'array'
  if (typeof input === 'number' && !Number.isFinite(input)) return String(input)
  return typeof input
}

function fail<T>(issues: Issue[], path: readonly PropertyKey[], message: string): T {
  issues.push({ path, message })
  return undefined as T
}

export function string(limits: { min?: number; max?: number } = {}): Check<string> {
  const { min = 0, max = Number.POSITIVE_INFINITY } = limits
  return check((input, path, issues) => {
    if (typeof input !== 'string') return fail(issues, path, `expected a string, got ${kindOf(input)}`)
    if (input.length < min)
      return fail(issues, path, min === 1 ? 'must not be empty' : `must be at least ${min} characters`)
    if (input.length > max) return fail(issues, path, `must be at most ${max} characters`)
    return input
  })
}

/** A finite number, optionally an integer within bounds. */
export function number(limits: { int?: boolean; min?: number; max?: number } = {}): Check<number> {
  const { int = false, min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY } = limits
  return check((input, path, issues) => {
    if (typeof input !== 'number' || !Number.isFinite(input))
      return fail(issues, path, `expected a finite number, got ${kindOf(input)}`)
    if (int && !Number.isInteger(input)) return fail(issues, path, `expected an integer, got ${input}`)
    if (input < min) return fail(issues, path, `must be at least ${min}, got ${input}`)
    if (input > max) return fail(issues, path, `must be at most ${max}, got ${input}`)
    return input
  })
}

export const boolean: Check<boolean> = check((input, path, issues) =>
  typeof input === 'boolean' ? input : fail(issues, path, `expected a boolean, got ${kindOf(input)}`),
)

/** One of a few exact values. */
export function oneOf<const V extends readonly (string | number | boolean)[]>(values: V): Check<V[number]> {
  return check((input, path, issues) =>
    values.includes(input as V[number])
      ? (input as V[number])
      : fail(
          issues,
          path,
          `expected ${values.map((v) => JSON.stringify(v)).join(' or ')}, got ${describe(input)}`,
        ),
  )
}

export function nullable<T>(inner: Check<T>): Check<T | null> {
  return check((input, path, issues) => (input === null ? null : inner.run(input, path, issues)))
}

export function optional<T>(inner: Check<T>): Check<T | undefined> {
  return check((input, path, issues) => (input === undefined ? undefined : inner.run(input, path, issues)))
}

/** `fallback` when the input is undefined. */
export function withDefault<T>(inner: Check<T>, fallback: T): Check<T> {
  return check((input, path, issues) => (input === undefined ? fallback : inner.run(input, path, issues)))
}

export function array<T>(item: Check<T>, limits: { max?: number } = {}): Check<T[]> {
  return check((input, path, issues) => {
    if (!Array.isArray(input)) return fail(issues, path, `expected an array, got ${kindOf(input)}`)
    if (limits.max !== undefined && input.length > limits.max)
      return fail(issues, path, `must have at most ${limits.max} items, got ${input.length}`)
    return input.map((value, index) => item.run(value, [...path, index], issues))
  })
}

export function isPlainObject(input: unknown): input is Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input)
}

/** Any JSON object, kept as it is: every key survives, `__proto__` included. */
export const anyObject: Check<Record<string, unknown>> = check((input, path, issues) =>
  isPlainObject(input) ? input : fail(issues, path, `expected an object, got ${kindOf(input)}`),
)

/** An object with these fields; fields not in `shape` are left out of the result. */
export function object<T>(shape: { [K in keyof T]: Check<T[K]> }): Check<T> {
  const keys = Object.keys(shape) as (keyof T & string)[]
  return check((input, path, issues) => {
    if (!isPlainObject(input)) return fail(issues, path, `expected an object, got ${kindOf(input)}`)
    const result = {} as T
    for (const key of keys) {
      const value = shape[key].run(input[key], [...path, key], issues)
      if (value !== undefined) result[key] = value
    }
    return result
  })
}

/** The first of `checks` that passes; else the issues of the last, or `message` when given. */
export function union<T>(checks: readonly Check<T>[], message?: string): Check<T> {
  return check((input, path, issues) => {
    let last: Issue[] = []
    for (const candidate of checks) {
      last = []
      const value = candidate.run(input, path, last)
      if (last.length === 0) return value
    }
    if (message !== undefined) return fail(issues, path, message)
    issues.push(...last)
    return undefined as T
  })
}

/** Derives a value from an input that passed `inner`, or rejects it with the message `derive` returns. */
export function refine<T, U>(inner: Check<T>, derive: (value: T) => { value: U } | string): Check<U> {
  return check((input, path, issues) => {
    const before = issues.length
    const value = inner.run(input, path, issues)
    if (issues.length > before) return undefined as U
    const derived = derive(value)
    return typeof derived === 'string' ? fail(issues, path, derived) : derived.value
  })
}

function describe(input: unknown): string {
  return typeof input === 'string' || typeof input === 'number' || typeof input === 'boolean'
    ? JSON.stringify(input)
    : kindOf(input)
}

// Full date and time with a `Z` or `±hh:mm` offset, as `Date.parse` reads them everywhere.
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/

/** An ISO-8601 date-time with offset, as epoch milliseconds. */
export const isoDateTime: Check<number> = refine(string(), (text) => {
  const ms = ISO_DATETIME.test(text) ? Date.parse(text) : Number.NaN
  return Number.isNaN(ms)
    ? `expected an ISO-8601 date-time with offset, got ${JSON.stringify(text)}`
    : { value: ms }
})
