/**
 * Headless Chromium for the HTML report tests: Debian's /usr/bin/chromium (installed by .ci/run)
 * driven by playwright-core, no browser download. Playwright gives each launch a fresh profile.
 * The flags keep Chromium from calling home (this machine's network is closed; CI's need not be).
 */
import {type Browser, chromium, type Page} from 'playwright-core'

export const CHROMIUM = process.env.HARDENCTL_CHROMIUM ?? '/usr/bin/chromium'

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

export interface OpenedReport {
  page: Page
  /** Every URL the page requested, the document included. */
  requests: string[]
  /** Uncaught errors and console errors (a CSP violation is one). */
  errors: string[]
}

/** Opens a report file in a new page of its own and waits until its script has drawn it. */
export async function openReport(browser: Browser, file: string): Promise<OpenedReport> {
  const context = await browser.newContext({viewport: {width: 1400, height: 1000}})
  const page = await context.newPage()
  const requests: string[] = []
  const errors: string[] = []
  page.on('request', (request) => requests.push(request.url()))
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text())
  })
  await page.goto(`file://${file}`)
  await page.waitForSelector('html[data-ready="true"]', {timeout: 10_000})
  return {page, requests, errors}
}
