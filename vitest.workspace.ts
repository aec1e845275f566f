// The test projects; vitest.config.ts feeds this list to `test.projects` (Vitest 4 ignores this file alone).
export default ['packages/*', 'apps/*', 'e2e', 'interop']
