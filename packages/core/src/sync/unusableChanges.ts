import { formatIssues, UnusableChangeError } from '../shared/errors.js'
import { type PulledChange, pulledChangeSchema } from '../wire.js'

/** A pulled change left out of its page: its id when it has one, and the error to report, if any. */
export interface UnusableChange {
  readonly id: string | null
  /** null for more changes of a table already reported in the same page. */
  readonly error: UnusableChangeError | null
}

/** A pulled page split into the changes this client can apply and the ones it skips. */
export interface CheckedPage {
  readonly usable: PulledChange[]
  readonly unusable: UnusableChange[]
}

/**
 * Checks each pulled change on its own: one of an unknown type, without an id, or of a table this client does
 * not sync is left out with an error naming it, so the rest of its page applies and the cursor moves on.
 */
export function checkPulledChanges(
  changes: readonly unknown[],
  tables: ReadonlyMap<string, string>,
): CheckedPage {
  const usable: PulledChange[] = []
  const unusable: UnusableChange[] = []
  const unknownCollections = new Set<string>()
  changes.forEach((raw, index) => {
    const parsed = pulledChangeSchema.safeParse(raw)
    if (!parsed.success) {
      const id = idOf(raw)
      const name = id === null ? `change #${index + 1} of the page (it has no usable id)` : `change ${id}`
      const detail = `${name} is malformed: ${formatIssues(parsed.error.issues)}`
      unusable.push({ id, error: new UnusableChangeError(detail) })
      return
    }
    const change = parsed.data
    if (tables.has(change.collection)) {
      usable.push(change)
      return
    }
    // One report per unknown table and page: a server may send many changes of a table we never asked for.
    const first = !unknownCollections.has(change.collection)
    unknownCollections.add(change.collection)
    const synced = [...tables.keys()].join(', ')
    const detail = `change ${change.id}: collection "${change.collection}" is not one of this client's synced tables (${synced})`
    unusable.push({ id: change.id, error: first ? new UnusableChangeError(detail) : null })
  })
  return { usable, unusable }
}

function idOf(raw: unknown): string | null {
  const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined
  return typeof id === 'string' && id !== '' ? id : null
}
