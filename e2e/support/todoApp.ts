import type { BrowserContext, Locator, Page } from 'playwright-core'

/** A tab of the todo app, driven the way a user would: by labels and button names. */
export class TodoApp {
  private constructor(readonly page: Page) {}

  static async open(context: BrowserContext, url: string): Promise<TodoApp> {
    const page = await context.newPage()
    await page.goto(url)
    return new TodoApp(page)
  }

  async logIn(userId: string): Promise<void> {
    await this.page.getByLabel('Your name').fill(userId)
    await this.page.getByRole('button', { name: 'Log in' }).click()
    await this.page.getByTestId('current-user').filter({ hasText: userId }).waitFor()
  }

  async logOut(): Promise<void> {
    await this.page.getByRole('button', { name: 'Log out' }).click()
    await this.page.getByLabel('Your name').waitFor()
  }

  async add(title: string): Promise<void> {
    await this.page.getByLabel('New todo').fill(title)
    await this.page.getByLabel('New todo').press('Enter')
    await this.todo(title).waitFor()
  }

  async rename(from: string, to: string): Promise<void> {
    await this.page.getByTestId('todo-title').filter({ hasText: from }).click()
    const input = this.page.getByLabel(`Edit: ${from}`)
    await input.fill(to)
    await input.press('Enter')
    await this.todo(to).waitFor()
  }

  async toggle(title: string): Promise<void> {
    await this.page.getByLabel(`Done: ${title}`).click()
  }

  todo(title: string): Locator {
    return this.page.getByTestId('todo-title').filter({ hasText: title })
  }

  async titles(): Promise<string[]> {
    return (await this.page.getByTestId('todo-title').allTextContents()).sort()
  }

  async completedTitles(): Promise<string[]> {
    const items = this.page.locator(
      '[data-testid="todo-item"][data-completed="true"] [data-testid="todo-title"]',
    )
    return (await items.allTextContents()).sort()
  }

  async pendingChanges(): Promise<number> {
    return Number(await this.page.getByTestId('pending-count').textContent())
  }

  /** The error line under the status, or '' when there is none. */
  async syncError(): Promise<string> {
    const error = this.page.getByTestId('sync-error')
    return (await error.count()) === 0 ? '' : ((await error.textContent()) ?? '')
  }

  /** What the OfflineBanner says right now ('' when it shows nothing). */
  async bannerText(): Promise<string> {
    return ((await this.page.getByTestId('offline-banner').textContent()) ?? '').trim()
  }

  /** Connected, a full round done, nothing queued: what every scenario waits for before it checks the server. */
  async isSettled(): Promise<boolean> {
    const panel = this.page.getByTestId('sync-panel')
    return (
      (await panel.getAttribute('data-connected')) === 'true' &&
      (await panel.getAttribute('data-has-synced')) === 'true' &&
      (await this.pendingChanges()) === 0
    )
  }

  /** What the SyncStatus component shows: idle, syncing, pending, error or offline. */
  async statusState(): Promise<string | null> {
    return this.page.locator('.driftless-sync-status').getAttribute('data-state')
  }

  /** Resolves once the app's service worker controls the page, so a reload is served by it. */
  async waitForServiceWorker(): Promise<void> {
    await this.page.waitForFunction(() => navigator.serviceWorker.controller !== null)
  }

  /** Why Chromium would not offer to install the app; empty when it is installable. */
  async installabilityErrors(): Promise<string[]> {
    const cdp = await this.page.context().newCDPSession(this.page)
    try {
      const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors')
      return installabilityErrors.map((error) => error.errorId)
    } finally {
      await cdp.detach()
    }
  }

  retryButton(): Locator {
    return this.page.getByTestId('retry').getByRole('button')
  }
}
