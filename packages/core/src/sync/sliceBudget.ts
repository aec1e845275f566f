/** Main-thread milliseconds one task applying pulled changes may take before the page gets a turn. */
export const SLICE_BUDGET_MS = 4
/** Fewer would cost more in round trips to the database than they save in responsiveness. */
export const MIN_SLICE = 25
/** More would be one long task again whenever the machine gets busy before the next measurement. */
export const MAX_SLICE = 500
const FIRST_SLICE = 100

/**
 * How many pulled changes the next task applies: as many as fit in the budget at the cost per change
 * the last slice measured. It shrinks at once when a slice ran over (a loaded machine) and at most doubles
 * when one ran under, so one quick slice on a busy page cannot make the next one freeze it.
 */
export class SliceBudget {
  private current = FIRST_SLICE

  constructor(private readonly budgetMs = SLICE_BUDGET_MS) {}

  get size(): number {
    return this.current
  }

  /** A slice of `changes` took `ms` of main-thread work. */
  measured(changes: number, ms: number): void {
    if (changes <= 0) return
    const fits = ms > 0 ? Math.floor((changes * this.budgetMs) / ms) : Number.POSITIVE_INFINITY
    this.current = Math.max(MIN_SLICE, Math.min(fits, this.current * 2, MAX_SLICE))
  }
}
