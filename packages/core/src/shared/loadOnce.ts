/**
 * Runs `load` (a dynamic import, typically) on the first call and hands every later call the same result;
 * a failed load (a chunk not fetched while offline, or removed by a deploy) is tried again by the next call.
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined
  return () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined
      throw error
    }))
}
