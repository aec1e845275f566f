import { type RenderResult, render } from '@testing-library/react'
import type { ReactNode } from 'react'
import { SyncProvider } from '../SyncProvider.js'
import type { FakeSyncClient } from './FakeSyncClient.js'

export function renderWithClient(client: FakeSyncClient, ui: ReactNode): RenderResult {
  return render(<SyncProvider client={client}>{ui}</SyncProvider>)
}
