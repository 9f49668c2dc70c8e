/**
 * `audit --format html` in a real browser: the example estates and the COS-Lite test estate drawn
 * with every application as an SVG node, a node's findings on click and on Enter, the filters,
 * the copy button, no network request, and the size limit.
 */
import {mkdtemp, readFile, rm, stat} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {Browser} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {launchBrowser, openReport, type OpenedReport} from '../helpers/browser.js'
import {REPO_ROOT, runCli} from '../helpers/cli.js'
import {COS_STATUS, writeCosEstate} from '../helpers/cos-estate.js'

interface Estate {
  name: string
  from: string
  /** The `juju status` files whose applications must all be drawn. */
  statuses: string[]
}

interface JsonFinding {
  rule: string
  severity: string
  remediation: string
  target: {kind: string; name: string; model?: string}
}

let dir: string
let browser: Browser
const estates: Estate[] = [
  {name: 'livepatch', from: join(REPO_ROOT, 'examples/livepatch-k8s'), statuses: [join(REPO_ROOT, 'examples/livepatch-k8s/juju/microk8s-prod/models/livepatch/status.json')]},
  {name: 'landscape', from: join(REPO_ROOT, 'examples/landscape-machines'), statuses: [join(REPO_ROOT, 'examples/landscape-machines/juju/lxd-prod/models/landscape/status.json')]},
  {name: 'cos', from: '', statuses: [COS_STATUS]},
]
const reports = new Map<string, {file: string; findings: JsonFinding[]; opened: OpenedReport}>()

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hardenctl-html-'))
  const cos = join(dir, 'cos')
  await writeCosEstate(cos)
  estates[2]!.from = cos
  const [launched] = await Promise.all([
    launchBrowser(),
    ...estates.map(async (estate) => {
      const file = join(dir, `${estate.name}.html`)
      const [html, json] = await Promise.all([
        runCli(['audit', '--from', estate.from, '--format', 'html', '-o', file]),
        runCli(['audit', '--from', estate.from, '--format', 'json']),
      ])
      expect(html.stderr).toContain(`report written to ${file}`)
      reports.set(estate.name, {file, findings: (JSON.parse(json.stdout) as {findings: JsonFinding[]}).findings, opened: undefined as unknown as OpenedReport})
    }),
  ])
  browser = launched
  for (const estate of estates) reports.get(estate.name)!.opened = await openReport(browser, reports.get(estate.name)!.file)
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await rm(dir, {recursive: true, force: true})
})

async function applicationsOf(statusFile: string): Promise<string[]> {
  const status = JSON.parse(await readFile(statusFile, 'utf8')) as {applications?: Record<string, unknown>}
  return Object.keys(status.applications ?? {})
}

/** The labels of the application nodes of every graph, choosing each model from the list in turn. */
async function drawnApplications(opened: OpenedReport): Promise<string[]> {
  const {page} = opened
  const options = await page.locator('#graph-select option').evaluateAll((nodes) => nodes.map((node) => (node as unknown as {value: string}).value))
  const labels: string[] = []
  for (const value of options) {
    await page.selectOption('#graph-select', value)
    labels.push(...(await page.locator('#graph svg g.node[data-kind="application"] text.label').allTextContents()))
  }
  return labels
}

describe.each(estates.map((estate) => estate.name))('audit --format html: %s', (name) => {
  it('draws every application of the estate as an SVG node', async () => {
    const estate = estates.find((candidate) => candidate.name === name)!
    const expected = (await Promise.all(estate.statuses.map(applicationsOf))).flat()
    expect(expected.length).toBeGreaterThan(1)
    const drawn = await drawnApplications(reports.get(name)!.opened)
    for (const app of expected) expect(drawn).toContain(app)
  })

  it('lists every finding, and made no request beyond the file itself, with no script error', async () => {
    const {opened, findings, file} = reports.get(name)!
    expect(await opened.page.locator('#finding-count').textContent()).toMatch(new RegExp(`of ${findings.length} finding`))
    expect(opened.requests).toEqual([`file://${file}`])
    expect(opened.errors).toEqual([])
    expect((await stat(file)).size).toBeLessThan(3 * 1024 * 1024)
  })
})

/** Each connection drawn (not reachability): its ends, whether it is faded, and the name shown on it ('' when hidden). */
const connections = (opened: OpenedReport) =>
  opened.page.locator('#graph g.edge').evaluateAll((nodes) =>
    nodes.map((node) => {
      const text = node.querySelector('text.edge-label')
      const shown = text !== null && (globalThis as unknown as {getComputedStyle(element: unknown): {display: string}}).getComputedStyle(text).display !== 'none'
      return {from: node.getAttribute('data-from') ?? '', to: node.getAttribute('data-to') ?? '', faded: (node.getAttribute('class') ?? '').includes('faded'), name: shown ? (text.textContent ?? '') : ''}
    }),
  )

describe('audit --format html: connection names', () => {
  it('a graph of few connections names every one', async () => {
    const drawn = await connections(reports.get('livepatch')!.opened)
    expect(drawn.length).toBeGreaterThan(0)
    expect(drawn.every((edge) => edge.name !== '' && !edge.faded)).toBe(true)
  })

  it('a graph of many (COS-Lite) names those of the selected box, fades the others, and says how', async () => {
    const {page} = reports.get('cos')!.opened
    const drawn = await connections(reports.get('cos')!.opened)
    expect(drawn.length).toBeGreaterThan(12)
    expect(drawn.every((edge) => edge.name === '')).toBe(true)
    expect(await page.locator('#graph-note').textContent()).toBe("To name a box's connections, select a box (click it, or Tab to it and press Enter).")
    await page.locator('#graph g.node[data-node-id="app:grafana"]').dispatchEvent('click')
    const selected = await connections(reports.get('cos')!.opened)
    const own = selected.filter((edge) => edge.from === 'app:grafana' || edge.to === 'app:grafana')
    expect(own.length).toBeGreaterThan(0)
    expect(own.every((edge) => edge.name.startsWith('relation: ') && !edge.faded)).toBe(true)
    expect(selected.filter((edge) => !own.includes(edge)).every((edge) => edge.name === '' && edge.faded)).toBe(true)
    await page.keyboard.press('Escape')
    expect((await connections(reports.get('cos')!.opened)).every((edge) => edge.name === '' && !edge.faded)).toBe(true)
  })
})

describe('audit --format html: interaction (livepatch)', () => {
  it('shows the findings of a node on click, and on Enter from the keyboard', async () => {
    const {opened, findings} = reports.get('livepatch')!
    const {page} = opened
    await page.selectOption('#graph-select', '0')
    const rulesOf = (app: string) => [...new Set(findings.filter((f) => f.target.kind === 'application' && f.target.name === app).map((f) => f.rule))].sort()
    expect(rulesOf('livepatch').length).toBeGreaterThan(0)

    await page.locator('#graph g.node[data-node-id="app:livepatch"]').click()
    expect(await page.locator('#node-panel h3').textContent()).toBe('livepatch')
    const shown = await page.locator('#node-panel article.finding').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-rule')))
    for (const rule of rulesOf('livepatch')) expect(shown).toContain(rule)

    await page.locator('#graph g.node[data-node-id="app:ingress"]').focus()
    await page.keyboard.press('Enter')
    expect(await page.locator('#node-panel h3').textContent()).toBe('ingress')
    const shownIngress = await page.locator('#node-panel article.finding').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-rule')))
    for (const rule of rulesOf('ingress')) expect(shownIngress).toContain(rule)
    expect(await page.locator('#graph g.node[data-node-id="app:ingress"]').getAttribute('aria-pressed')).toBe('true')
  })

  it('filters by severity, rule and model', async () => {
    const {opened, findings} = reports.get('livepatch')!
    const {page} = opened
    const visible = () => page.locator('#finding-list article.finding').evaluateAll((nodes) => nodes.map((node) => [node.getAttribute('data-severity'), node.getAttribute('data-rule'), node.getAttribute('data-model')]))

    for (const severity of ['high', 'medium', 'low', 'info']) await page.uncheck(`input[name=severity][value=${severity}]`)
    const critical = await visible()
    expect(critical.length).toBe(findings.filter((f) => f.severity === 'critical').length)
    expect(critical.every(([severity]) => severity === 'critical')).toBe(true)
    for (const severity of ['high', 'medium', 'low', 'info']) await page.check(`input[name=severity][value=${severity}]`)

    const rule = 'JUJU-TRUST'
    await page.selectOption('#filter-rule', rule)
    const byRule = await visible()
    expect(byRule.length).toBe(findings.filter((f) => f.rule === rule).length)
    expect(byRule.every(([, shownRule]) => shownRule === rule)).toBe(true)
    await page.selectOption('#filter-rule', '')

    const models = await page.locator('#filter-model option').evaluateAll((nodes) => nodes.map((node) => (node as unknown as {value: string}).value).filter(Boolean))
    expect(models.length).toBeGreaterThan(1)
    await page.selectOption('#filter-model', models[0]!)
    const byModel = await visible()
    expect(byModel.length).toBeGreaterThan(0)
    expect(byModel.every(([, , model]) => model === models[0])).toBe(true)
    await page.selectOption('#filter-model', '')
    expect(await page.locator('#finding-count').textContent()).toMatch(new RegExp(`^Showing ${findings.length} of`))
  })

  it('copies a fix command to the clipboard', async () => {
    const {opened} = reports.get('livepatch')!
    const {page} = opened
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'])
    const first = page.locator('#finding-list article.finding').first()
    const fix = await first.locator('.fix code').textContent()
    await first.locator('button.copy').click()
    await first.locator('button.copy:text("Copied")').waitFor({timeout: 5000})
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(fix)
  })

  it('prints every finding, without the controls', async () => {
    const {opened, findings} = reports.get('livepatch')!
    const {page} = opened
    await page.emulateMedia({media: 'print'})
    await page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    try {
      expect(await page.locator('#filters').isVisible()).toBe(false)
      expect(await page.locator('#finding-list article.finding').count()).toBe(findings.length)
      expect(await page.locator('#graph svg').isVisible()).toBe(true)
    } finally {
      await page.evaluate("window.dispatchEvent(new Event('afterprint'))")
      await page.emulateMedia({media: 'screen'})
    }
  })

  it('refuses --format html without -o FILE, in one line', async () => {
    const result = await runCli(['audit', '--from', 'examples/livepatch-k8s', '--format', 'html'])
    expect(result.code).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toContain('-o FILE')
    expect(result.stdout).toBe('')
  })
})
