import { DriftlessError } from '@driftless/core'

/** A Driftless hook or component rendered outside `<SyncProvider client={…}>`. */
export class MissingSyncProviderError extends DriftlessError {
  constructor(hook: string) {
    super(
      'NO_PROVIDER',
      `${hook} must be used inside <SyncProvider client={client}>. Wrap your app (or this part of it) in SyncProvider.`,
    )
  }
}
