/**
 * `review --format html`: a bundle's applications drawn (the model it would deploy), each
 * finding at its file:line:column, with the edit to make.
 */
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {Browser} from 'playwright-core'
import {afterAll, beforeAll, expect, it} from 'vitest'

import {launchBrowser, openReport} from '../helpers/browser.js'
import {REPO_ROOT, runCli} from '../helpers/cli.js'

const BUNDLE = join(REPO_ROOT, 'test/corpus/bundles/livepatch-k8s-operator__bundle__bundle.yaml')

let dir: string
let browser: Browser

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hardenctl-html-review-'))
  browser = await launchBrowser()
}, 30_000)

afterAll(async () => {
  await browser?.close()
  await rm(dir, {recursive: true, force: true})
})

it('draws the bundle and lists each finding at its line, with the node showing its own', async () => {
  const file = join(dir, 'review.html')
  const [html, json] = await Promise.all([runCli(['review', BUNDLE, '--format', 'html', '-o', file]), runCli(['review', BUNDLE, '--format', 'json'])])
  expect(html.stderr).toContain(`report written to ${file}`)
  const report = JSON.parse(json.stdout) as {findings: {rule: string; target: {kind: string; name: string}; location?: {file: string; line: number}}[]}
  const {page, requests, errors} = await openReport(browser, file)
  try {
    const labels = await page.locator('#graph g.node[data-kind="application"] text.label').allTextContents()
    expect(labels.sort()).toEqual(['ingress', 'livepatch', 'postgresql'])
    const locations = await page.locator('#finding-list article.finding dd code').allTextContents()
    for (const finding of report.findings.filter((f) => f.location)) expect(locations).toContain(`${finding.location!.file}:${finding.location!.line}:${(finding.location as {column?: number}).column}`)
    await page.locator('#graph g.node[data-node-id="app:postgresql"]').click()
    const shown = await page.locator('#node-panel article.finding').count()
    expect(shown).toBe(report.findings.filter((f) => f.target.kind === 'application' && f.target.name === 'postgresql').length)
    expect(requests).toEqual([`file://${file}`])
    expect(errors).toEqual([])
  } finally {
    await page.context().close()
  }
})
