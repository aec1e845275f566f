import type { BrowserContext, Locator, Page } from 'playwright-core'

/** A tab of the todo app, driven the way a user would: by labels and button names. */
export class TodoApp {
  private constructor(readonly page: Page) {}

  static async open(context: BrowserContext, url: string): Promise<TodoApp> {
    const page = await context.newPage()
    await page.goto(url)
    return new TodoApp(page)
  }

  /** Logs in as `userId`; a tab that opened with that user's session already (another tab's login) just waits for it. */
  async logIn(userId: string): Promise<void> {
    const current = this.page.getByTestId('current-user')
    const form = this.page.getByLabel('Your name')
    await Promise.race([current.waitFor(), form.waitFor()])
    if ((await current.count()) > 0 && (await current.textContent()) === userId) return
    if ((await current.count()) > 0) await this.logOut()
    await form.fill(userId)
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

  /** The queue count the sync panel holds (a data attribute; the person reads it in the sentence). */
  async pendingChanges(): Promise<number> {
    return Number(await this.page.getByTestId('sync-panel').getAttribute('data-pending'))
  }

  /** The state the status shows: synced, syncing, pending, offline, unreachable, needs-auth, failed, paused… */
  async syncState(): Promise<string | null> {
    return this.page.getByTestId('sync-panel').getAttribute('data-state')
  }

  /** The status sentence as a person sees it (innerText: folded-away details are not seen). */
  async statusText(): Promise<string> {
    // biome-ignore lint/performance/useDomNodeTextContent: what a person sees, so folded-away details stay out
    return (await this.page.locator('.driftless-sync-status').innerText()).replace(/\s+/g, ' ').trim()
  }

  /** Connected, a full round done, nothing queued: what every scenario waits for before it checks the server. */
  async isSettled(): Promise<boolean> {
    // Both read from one paint: two separate reads could pair the state of one render with the count of another.
    return this.page
      .getByTestId('sync-panel')
      .evaluate((panel) => panel.dataset.state === 'synced' && panel.dataset.pending === '0')
  }

  /** Turns "Work offline" on or off. */
  async workOffline(on: boolean): Promise<void> {
    const toggle = this.page.getByRole('switch', { name: 'Work offline' })
    if ((await toggle.isChecked()) !== on) await toggle.click()
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
    return this.page.getByRole('button', { name: 'Sync now' })
  }
}
