/** Main-thread milliseconds one task applying pulled changes may take before the page gets a turn. */
export const SLICE_BUDGET_MS = 4
/** Fewer would cost more in round trips to the database than they save in responsiveness; also the first. */
export const MIN_SLICE = 25
/** More would be one long task again whenever the machine gets busy before the next measurement. */
export const MAX_SLICE = 500

/**
 * How many pulled changes the next task applies, after a slice of `changes` took `ms` of main-thread work:
 * as many as fit in the budget at that cost per change. It shrinks at once when a slice ran over (a loaded
 * machine) and at most doubles when one ran under, so one quick slice on a busy page cannot make the next
 * one freeze it.
 */
export function nextSliceSize(size: number, changes: number, ms: number): number {
  // No measurable time gives Infinity, so the doubling decides; a slice takes the whole part of a fraction.
  return Math.max(MIN_SLICE, Math.min((changes * SLICE_BUDGET_MS) / ms, size * 2, MAX_SLICE))
}
