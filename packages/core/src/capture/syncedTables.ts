import type { Dexie } from 'dexie'
import { ConfigError, SyncValidationError } from '../shared/errors.js'
import { META_TABLE, OUTBOX_TABLE } from './outbox.js'
import type { StandardSchema } from './standardSchema.js'
import { validateTableRow } from './standardSchema.js'
import { unstorableString, unsyncableValues } from './syncable.js'

/** Per synced table: `true`, or a Standard Schema (zod, valibot, arktype…) every written row must pass. */
export interface SyncedTableOptions {
  schema?: StandardSchema
}

/** Which tables of the database are synced: `{ todos: { schema: todoSchema }, lists: true }`. */
export type SyncedTables<Name extends string = string> = { readonly [K in Name]?: true | SyncedTableOptions }

/** A synced table as the capture middleware checks its rows. */
export interface CapturedTable {
  readonly name: string
  readonly keyPath: string
  readonly schema: StandardSchema | undefined
}

/** Returns the primary key path of a table that can be synced; throws a ConfigError otherwise. */
export function checkSyncable(db: Dexie, name: string): string {
  const table = db.tables.find((t) => t.name === name)
  if (!table) {
    const declared = db.tables.map((t) => t.name).join(', ') || 'none'
    throw new ConfigError(
      `attachOutbox(): synced table "${name}" is not in the schema of "${db.name}" (declared: ${declared}). Declare it with db.version(n).stores({ ${name}: 'id, ...' }).`,
    )
  }
  if (name === OUTBOX_TABLE || name === META_TABLE) {
    throw new ConfigError(`attachOutbox(): "${name}" is Driftless's own table and cannot be synced.`)
  }
  const { keyPath, auto, compound } = table.schema.primKey
  const advice = `Synced rows need an app-generated string id: declare { ${name}: 'id, ...' } and write rows with id: nanoid().`
  if (auto)
    throw new ConfigError(`attachOutbox(): table "${name}" has an auto-incremented primary key. ${advice}`)
  if (!keyPath)
    throw new ConfigError(`attachOutbox(): table "${name}" has an outbound primary key. ${advice}`)
  if (compound || Array.isArray(keyPath)) {
    throw new ConfigError(`attachOutbox(): table "${name}" has a compound primary key. ${advice}`)
  }
  return keyPath
}

/** Checks a written row: a valid id, the table's schema, values every backend can store. Returns the id. */
export function validRow(config: CapturedTable, value: unknown, key: unknown): string {
  const id = validKey(config, key)
  if (config.schema) {
    const issues = validateTableRow(config.name, config.schema, value)
    if (issues.length) throw new SyncValidationError(config.name, id, issues)
  }
  const unsyncable = unsyncableValues(value)
  if (unsyncable.length > 0) throw new SyncValidationError(config.name, id, unsyncable)
  return id
}

export function validKey(config: CapturedTable, key: unknown): string {
  if (typeof key === 'string' && key.length > 0) {
    const problem = unstorableString(key)
    if (!problem) return key
    throw new SyncValidationError(config.name, key, [
      { path: config.keyPath.split('.'), message: `the id ${problem}` },
    ])
  }
  throw new SyncValidationError(config.name, key, [
    {
      path: config.keyPath.split('.'),
      message: `synced rows need a non-empty string id, e.g. nanoid(); got ${typeof key}`,
    },
  ])
}
