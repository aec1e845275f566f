import { type DBCoreRangeType, type DBCoreTable, type DBCoreTransaction, Dexie } from 'dexie'

/**
 * Reads the rows stored under `keys` (undefined where none) and resolves, once the reads are issued, to
 * their answer: `rows` is undefined when the table holds none of them. From 16 keys on, one read of the
 * keys stored in their range says which to read, instead of a request per key; when that range holds
 * many other rows, every key is read.
 */
export function storedRows(
  table: DBCoreTable,
  trans: DBCoreTransaction,
  keys: string[],
): PromiseLike<{ rows?: PromiseLike<unknown[]> }> {
  if (keys.length < 16) return Dexie.Promise.resolve({ rows: table.getMany({ trans, keys }) })
  let lower = keys[0]!
  let upper = lower
  for (const key of keys) {
    if (key < lower) lower = key
    if (key > upper) upper = key
  }
  const limit = 2 * keys.length
  // DBCoreRangeType.Range: a const enum, which isolated modules cannot read.
  const range = { type: 2 as DBCoreRangeType, lower, upper, lowerOpen: false, upperOpen: false }
  const query = { index: table.schema.primaryKey, range }
  return table.query({ trans, query, values: false, limit }).then(({ result }) => {
    const stored = new Set<unknown>(result.length < limit ? result : keys)
    const wanted = [...new Set(keys.filter((key) => stored.has(key)))]
    if (!wanted.length) return {}
    const rows = table.getMany({ trans, keys: wanted }).then((found) => {
      const byKey = new Map(wanted.map((key, i) => [key, found[i]]))
      return keys.map((key) => byKey.get(key))
    })
    return { rows }
  })
}
