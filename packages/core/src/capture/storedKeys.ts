import type { DBCoreRangeType, DBCoreTable, DBCoreTransaction } from 'dexie'

/**
 * From this many rows, a put asks which of its keys the table holds (one request over their range) and
 * reads only those rows, instead of reading every row with a request of its own.
 */
export const KEY_LOOKUP_ROWS = 16

/**
 * Of `keys`, those the table may hold, from one read of the keys stored between the lowest and the
 * highest; all of them when that range holds too many other rows to read them all.
 */
export function storedKeys(
  table: DBCoreTable,
  trans: DBCoreTransaction,
  keys: readonly string[],
): PromiseLike<string[]> {
  let lower = keys[0]!
  let upper = lower
  for (const key of keys) {
    if (key < lower) lower = key
    else if (key > upper) upper = key
  }
  const limit = 2 * keys.length
  // DBCoreRangeType.Range: a const enum, which isolated modules cannot read.
  const range = { type: 2 as DBCoreRangeType, lower, upper, lowerOpen: false, upperOpen: false }
  const query = { index: table.schema.primaryKey, range }
  return table.query({ trans, query, values: false, limit }).then(({ result }) => {
    if (result.length >= limit) return [...new Set(keys)]
    const stored = new Set(result as string[])
    return [...new Set(keys.filter((key) => stored.has(key)))]
  })
}
