/**
 * Table schemas come in through Standard Schema (zod 3.24+ and 4, valibot, arktype implement it), so an app
 * uses whichever validation library it already has. This is the part of the v1 interface Driftless reads.
 */
import { Dexie } from 'dexie'
import type { Issue } from '../shared/check.js'
import { ConfigError } from '../shared/errors.js'

export interface StandardSchemaIssue {
  readonly message: string
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined
}

export type StandardSchemaResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<StandardSchemaIssue> }

/** A schema any Standard Schema v1 library builds. */
export interface StandardSchema<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1
    readonly vendor: string
    readonly validate: (
      value: unknown,
    ) => StandardSchemaResult<Output> | Promise<StandardSchemaResult<Output>>
    readonly types?: { readonly input: Input; readonly output: Output } | undefined
  }
}

/** Checks that `schema` is a Standard Schema that validates synchronously; throws a ConfigError otherwise. */
export function checkTableSchema(table: string, schema: unknown): StandardSchema {
  const standard = (schema as Partial<StandardSchema> | null | undefined)?.['~standard']
  if (typeof standard?.validate !== 'function' || standard.version !== 1) {
    throw new ConfigError(
      `The schema of synced table "${table}" is not a Standard Schema (v1). Pass a zod (3.24+ or 4), valibot or arktype schema, or true.`,
    )
  }
  // An async schema shows itself on any input: an IndexedDB transaction cannot wait for it.
  validateTableRow(table, schema as StandardSchema, undefined)
  return schema as StandardSchema
}

/** The row's issues, with paths as plain keys; empty when the row passes. */
export function validateTableRow(table: string, schema: StandardSchema, row: unknown): Issue[] {
  // Inside a transaction Dexie swaps the global Promise, so a library's `instanceof Promise` would take an
  // async refinement's promise for a pass; outside the transaction's zone it sees the native one.
  const result = Dexie.ignoreTransaction(() => schema['~standard'].validate(row))
  if (isPromise(result)) {
    result.then(undefined, () => {})
    throw asyncSchemaError(table)
  }
  return (result.issues ?? []).map((issue) => ({
    message: issue.message,
    path: (issue.path ?? []).map((segment) => (typeof segment === 'object' ? segment.key : segment)),
  }))
}

function asyncSchemaError(table: string): ConfigError {
  return new ConfigError(
    `The schema of synced table "${table}" validates asynchronously, and a write is checked inside its IndexedDB transaction, which cannot wait for other promises. ` +
      'Use a synchronous schema (no async refinements) and run async checks before writing.',
  )
}

function isPromise(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function'
}
