import type { TestProject } from 'vitest/node'
import { buildApp } from './support/build.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Why the app or server did not build, or null when both did; scenario files fail with it. */
    appBuildError: string | null
  }
}

// Builds once per run; the browser smoke test does not need the build, so a failure is handed on, not thrown.
export default async function setup(project: TestProject): Promise<void> {
  project.provide('appBuildError', await buildApp())
}
