/**
 * The audit page at the bench estate's shape (many models of many applications): one graph at a
 * time, chosen from the list, and findings a page at a time, so the browser stays responsive.
 * Default size keeps `npm test` quick; HARDENCTL_HTML_BENCH=full runs the bench size (200 × 40 × 3).
 */
import {mkdtemp, rm, stat} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {Browser} from 'playwright-core'
import {afterAll, beforeAll, expect, it} from 'vitest'

import {writeSyntheticEstate} from '../bench/synthetic-estate.js'
import {launchBrowser, openReport} from '../helpers/browser.js'
import {runCli} from '../helpers/cli.js'

const SIZE = process.env.HARDENCTL_HTML_BENCH === 'full' ? {models: 200, appsPerModel: 40, podsPerApp: 3} : {models: 25, appsPerModel: 40, podsPerApp: 1}

let dir: string
let browser: Browser
let file: string
let findings: number

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hardenctl-html-bench-'))
  await writeSyntheticEstate(join(dir, 'estate'), SIZE)
  file = join(dir, 'bench.html')
  const [launched, result] = await Promise.all([launchBrowser(), runCli(['audit', '--from', join(dir, 'estate'), '--format', 'html', '-o', file])])
  browser = launched
  expect(result.stderr).toContain('report written to')
  findings = Number(/^(\d+) findings/m.exec(result.stderr)?.[1])
}, 300_000)

afterAll(async () => {
  await browser?.close()
  await rm(dir, {recursive: true, force: true})
})

it('draws one model at a time, chosen from the list, and pages the findings', async () => {
  const started = Date.now()
  const {page, requests, errors} = await openReport(browser, file)
  const loadMs = Date.now() - started
  try {
    expect(await page.locator('#graph-select option').count()).toBe(SIZE.models)
    expect(await page.locator('#graph g.node[data-kind="application"]').count()).toBe(SIZE.appsPerModel)
    await page.selectOption('#graph-select', String(SIZE.models - 1))
    const labels = await page.locator('#graph g.node[data-kind="application"] text.label').allTextContents()
    expect(labels).toHaveLength(SIZE.appsPerModel)

    expect(findings).toBeGreaterThan(50)
    expect(await page.locator('#finding-list article.finding').count()).toBe(50)
    expect(await page.locator('#finding-count').textContent()).toContain(`of ${findings} findings, page 1 of ${Math.ceil(findings / 50)}`)
    await page.click('#page-next')
    expect(await page.locator('#finding-count').textContent()).toContain('page 2 of')
    expect(requests).toEqual([`file://${file}`])
    expect(errors).toEqual([])
    console.log(`bench page: ${(await stat(file)).size} bytes, ${findings} findings, opened and drawn in ${loadMs} ms`)
  } finally {
    await page.context().close()
  }
}, 120_000)
