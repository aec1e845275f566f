import { render } from '@testing-library/react'
import type { ReactNode } from 'react'
import { SyncProvider } from '../SyncProvider.js'
import type { FakeSyncClient } from './FakeSyncClient.js'

export function renderWithClient(client: FakeSyncClient, ui: ReactNode) {
  return render(<SyncProvider client={client}>{ui}</SyncProvider>)
}
