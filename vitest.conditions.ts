/**
 * Workspace packages export their TypeScript source under this condition (tsconfig's `customConditions`
 * too), so tests and the demo run without a build while consumers get `dist`.
 */
export const SOURCE_CONDITION = '@driftless/source'

/** For each test project: resolve workspace packages to source, in browser-like and in Node environments. */
export const sourceConditions = {
  resolve: { conditions: [SOURCE_CONDITION, 'module', 'browser', 'development|production'] },
  ssr: { resolve: { conditions: [SOURCE_CONDITION, 'module', 'node', 'development|production'] } },
}
