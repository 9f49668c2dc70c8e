/**
 * Names and messages in a report come from the estate, which is untrusted: an application named
 * `<img onerror=...>`, a charm named `</script><script>...`, and an input directory whose name is
 * markup must show as text in every report, never run, and never make the page fetch anything.
 */
import {cp, mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {Browser} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {launchBrowser, openReport} from '../helpers/browser.js'
import {REPO_ROOT, runCli} from '../helpers/cli.js'

const EVIL_APP = '<img src=x onerror="window.pwned=1">'
const EVIL_CHARM = '</script><script>window.pwned=2</script>'
const EVIL_DIR = 'estate<svg onload="window.pwned=3">'

let dir: string
let estate: string
let browser: Browser

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hardenctl-html-injection-'))
  estate = join(dir, EVIL_DIR)
  await mkdir(estate)
  await cp(join(REPO_ROOT, 'examples/livepatch-k8s'), estate, {recursive: true})
  const statusFile = join(estate, 'juju/microk8s-prod/models/livepatch/status.json')
  const status = JSON.parse(await readFile(statusFile, 'utf8')) as {applications: Record<string, Record<string, unknown>>}
  const ingress = status.applications.ingress!
  delete status.applications.ingress
  status.applications[EVIL_APP] = {...ingress, charm: EVIL_CHARM, 'charm-name': EVIL_CHARM, exposed: true}
  await writeFile(statusFile, JSON.stringify(status))
  browser = await launchBrowser()
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await rm(dir, {recursive: true, force: true})
})

describe.each([
  ['audit', ['audit', '--from']],
  ['reconcile', ['reconcile', '--dry-run', '--from']],
  ['netpol matrix', ['netpol', 'matrix', '--plan', '--from']],
])('%s --format html with markup in the estate', (name, command) => {
  it('shows it as text: nothing runs, nothing is fetched', async () => {
    const file = join(dir, `${name.replace(' ', '-')}.html`)
    const result = await runCli([...command, estate, '--format', 'html', '-o', file])
    expect(result.code, result.stderr).toBeLessThan(2)
    const html = await readFile(file, 'utf8')
    expect(html).not.toContain(EVIL_APP)
    expect(html).not.toContain(EVIL_CHARM)

    const {page, requests, errors} = await openReport(browser, file)
    try {
      expect(await page.evaluate('window.pwned')).toBeUndefined()
      // Only the page's own elements: no image, no nested SVG, exactly its three scripts (data, dagre, its own).
      expect(await page.locator('img, main svg svg').count()).toBe(0)
      expect(await page.locator('script').count()).toBe(3)
      expect(requests).toEqual([`file://${file}`])
      expect(errors).toEqual([])
      // The name is there, as text: in the graph's node and (audit) in the findings.
      const labels = await page.locator('#graph g.node').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('aria-label') ?? ''))
      expect(labels.some((label) => label.includes(EVIL_APP))).toBe(true)
      if (name === 'audit') expect(await page.locator('#finding-list').textContent()).toContain(EVIL_APP)
      else {
        // Selected, and kept selected when the graph is drawn again: the node is found by its id, quotes and all.
        await page.locator('#graph g.node[data-kind="application"]').filter({hasText: '<img'}).dispatchEvent('click')
        await page.locator('#show-unchanged').uncheck()
        expect(await page.locator('#graph g.node.selected').getAttribute('aria-label')).toContain(EVIL_APP)
        expect(await page.locator('#graph-note').textContent()).toContain(EVIL_APP)
        expect(await page.evaluate('window.pwned')).toBeUndefined()
        expect(errors).toEqual([])
      }
      expect(await page.locator('main').textContent()).toContain(EVIL_DIR)
    } finally {
      await page.context().close()
    }
  }, 90_000)
})
