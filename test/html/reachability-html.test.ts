/**
 * `reconcile --dry-run --format html` and `netpol matrix --format html` in a real browser: the
 * graph with reachability before and after (closed, opened and unchanged edges told apart by
 * class and line style, with a legend), the policies to create, update and prune, and the plan's
 * "Closes:" list, on the COS-Lite test estate with exposure.enforce and on the Livepatch example.
 */
import {mkdtemp, rm, stat} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {Browser} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {ReconcilePlan} from '../../src/plan/types.js'
import {launchBrowser, openReport, type OpenedReport} from '../helpers/browser.js'
import {REPO_ROOT, runCli} from '../helpers/cli.js'
import {writeCosEstate} from '../helpers/cos-estate.js'

const ENFORCE = 'apiVersion: hardenctl.io/v1\nexposure:\n  enforce: true\n'
const LIVEPATCH = join(REPO_ROOT, 'examples/livepatch-k8s')
const LIVEPATCH_APPS = ['ingress', 'livepatch', 'postgresql']

let dir: string
let browser: Browser
let cos: string
const pages = new Map<string, {file: string; opened: OpenedReport}>()
const plans = new Map<string, ReconcilePlan>()

async function generate(name: string, args: string[]): Promise<void> {
  const file = join(dir, `${name}.html`)
  const result = await runCli([...args, '--format', 'html', '-o', file])
  expect(result.code, result.stderr).toBe(0)
  pages.set(name, {file, opened: undefined as unknown as OpenedReport})
}

async function planOf(name: string, args: string[]): Promise<void> {
  const result = await runCli([...args, '--format', 'json'])
  expect(result.code, result.stderr).toBe(0)
  plans.set(name, JSON.parse(result.stdout) as ReconcilePlan)
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hardenctl-html-reach-'))
  cos = join(dir, 'cos')
  await writeCosEstate(cos, {policy: ENFORCE})
  const cosReconcile = ['reconcile', '--dry-run', '--from', cos, '--policy', join(cos, 'policy.yaml')]
  const lpReconcile = ['reconcile', '--dry-run', '--from', LIVEPATCH]
  const [launched] = await Promise.all([
    launchBrowser(),
    generate('cos-reconcile', cosReconcile),
    planOf('cos-reconcile', cosReconcile),
    generate('livepatch-reconcile', lpReconcile),
    planOf('livepatch-reconcile', lpReconcile),
    generate('livepatch-matrix', ['netpol', 'matrix', '--from', LIVEPATCH]),
    generate('livepatch-matrix-plan', ['netpol', 'matrix', '--plan', '--from', LIVEPATCH]),
  ])
  browser = launched
  for (const [name, entry] of pages) pages.set(name, {...entry, opened: await openReport(browser, entry.file)})
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await rm(dir, {recursive: true, force: true})
})

interface DrawnEdge {
  cls: string
  from: string
  to: string
  /** The label drawn on the path, '' when none is. */
  label: string
  /** The path's tooltip: `from → to: label`, always there. */
  title: string
  dash: string
}

const drawnEdges = (opened: OpenedReport, selector = '#graph g.edge-reach'): Promise<DrawnEdge[]> =>
  opened.page.locator(selector).evaluateAll((nodes) =>
    nodes.map((node) => ({
      cls: node.getAttribute('class') ?? '',
      from: node.getAttribute('data-from') ?? '',
      to: node.getAttribute('data-to') ?? '',
      label: node.querySelector('text.edge-label') && (globalThis as unknown as {getComputedStyle(element: unknown): {display: string}}).getComputedStyle(node.querySelector('text.edge-label')).display !== 'none' ? (node.querySelector('text.edge-label')?.textContent ?? '') : '',
      title: node.querySelector('title')?.textContent ?? '',
      dash: (globalThis as unknown as {getComputedStyle(element: unknown): {strokeDasharray: string}}).getComputedStyle(node.querySelector('path')).strokeDasharray,
    })),
  )

/** The page's own data: the reachability edges of its first graph. */
const reachData = (opened: OpenedReport): Promise<{from: string; to: string; state: string; label: string; keeps?: string}[]> =>
  opened.page.evaluate(() => {
    const page = (globalThis as unknown as {document: {getElementById(id: string): {textContent: string | null} | null}}).document
    const data = JSON.parse(page.getElementById('report-data')!.textContent!) as {graphs: {edges: {kind: string; from: string; to: string; state: string; label: string; keeps?: string}[]}[]}
    return data.graphs[0]!.edges.filter((edge) => edge.kind === 'reach' && edge.from !== edge.to)
  })

/** The matrix as the reader sees it: row header → column header → cell text. */
const matrixCells = (opened: OpenedReport): Promise<{from: string; to: string; text: string; cls: string}[]> =>
  opened.page.locator('table.reach-matrix').evaluate((table) => {
    const columns = [...table.querySelectorAll('thead th')].map((th) => th.textContent ?? '')
    return [...table.querySelectorAll('tbody tr')].flatMap((row) => {
      const from = row.querySelector('th')?.textContent ?? ''
      return [...row.querySelectorAll('td')].map((td, i) => ({from, to: columns[i + 1] ?? '', text: td.textContent ?? '', cls: td.getAttribute('class') ?? ''}))
    })
  })

const select = async (opened: OpenedReport, node: string) => opened.page.locator(`#graph g.node[data-node-id="${node}"]`).dispatchEvent('click')

describe('reconcile --dry-run --format html', () => {
  it('COS-Lite with exposure.enforce: the policies the plan writes and the paths it closes, listed', async () => {
    const {opened, file} = pages.get('cos-reconcile')!
    const plan = plans.get('cos-reconcile')!
    expect(plan.closes.length).toBeGreaterThan(0)
    const closesRows = await opened.page.locator('#plan h3:has-text("Closes") + table tbody tr').allTextContents()
    expect(closesRows).toHaveLength(plan.closes.length)
    for (const closed of plan.closes) expect(closesRows.some((row) => row.includes(closed.from) && row.includes(closed.to) && row.includes(closed.usedBy))).toBe(true)

    const policies = plan.actions.filter((action) => action.op === 'create' || action.op === 'update' || action.op === 'delete')
    const policyRows = await opened.page.locator('#plan h3:has-text("NetworkPolicies") + table tbody tr').allTextContents()
    expect(policyRows).toHaveLength(policies.length)
    for (const action of policies) {
      if (action.op === 'juju') continue
      expect(policyRows.some((row) => row.includes(`${action.object.metadata.namespace}/${action.object.metadata.name}`))).toBe(true)
    }
    const legend = await opened.page.locator('.legend').textContent()
    for (const word of ['closed', 'opened', 'reachable before and after']) expect(legend).toContain(word)
    expect(opened.requests).toEqual([`file://${file}`])
    expect(opened.errors).toEqual([])
  })

  it('COS-Lite: with nothing selected, no path is drawn over the graph; the matrix shows every one, in words', async () => {
    const {opened} = pages.get('cos-reconcile')!
    expect(await opened.page.locator('#graph g.edge-reach').count()).toBe(0)
    expect(await opened.page.locator('#graph-note').textContent()).toContain('select a box')
    const data = await reachData(opened)
    const cells = await matrixCells(opened)
    const name = (id: string) => (id === 'outside' ? 'outside the cluster' : id.replace(/^app:/, ''))
    // Every path of the data is in its cell, in words a reader without colour can tell apart.
    for (const edge of data) {
      const cell = cells.find((entry) => entry.from === name(edge.from) && entry.to === name(edge.to))
      expect(cell, `${edge.from} → ${edge.to}`).toBeDefined()
      const words = edge.state === 'closed' ? (edge.keeps ? `✕ narrowed: ${edge.keeps}` : '✕ closed') : edge.state === 'opened' ? '+ opened' : '= '
      expect(cell!.text, `${edge.from} → ${edge.to}`).toContain(words)
    }
    // A pair with no path before or after says so rather than staying blank.
    const drawnPairs = new Set(data.map((edge) => `${name(edge.from)} → ${name(edge.to)}`))
    for (const cell of cells) if (!drawnPairs.has(`${cell.from} → ${cell.to}`)) expect(cell.text === '—' || cell.text === '·', `${cell.from} → ${cell.to}`).toBe(true)
    // outside → traefik on 80/443 is what exposure.enforce closes.
    expect(cells.find((cell) => cell.from === 'outside the cluster' && cell.to === 'traefik')?.text).toBe('✕ closed')
    // Each box counts what closes into and out of it, as the matrix has it.
    for (const app of ['traefik', 'prometheus', 'grafana']) {
      const into = cells.filter((cell) => cell.to === app && cell.text.startsWith('✕')).length
      const out = cells.filter((cell) => cell.from === app && cell.text.startsWith('✕')).length
      expect(await opened.page.locator(`#graph g.node[data-node-id="app:${app}"] text.detail`).allTextContents()).toContain(`✕ closed: ${into} in, ${out} out`)
    }
  })

  it('COS-Lite: a selected box has its paths drawn, each naming its ports, and the other connections faded', async () => {
    const {opened} = pages.get('cos-reconcile')!
    const data = await reachData(opened)
    await select(opened, 'app:traefik')
    const own = data.filter((edge) => edge.from === 'app:traefik' || edge.to === 'app:traefik')
    const drawn = await drawnEdges(opened)
    expect(drawn.map((edge) => `${edge.from} → ${edge.to}`).sort()).toEqual(own.map((edge) => `${edge.from} → ${edge.to}`).sort())
    const closed = drawn.filter((edge) => edge.cls.includes('reach-closed'))
    expect(closed.length).toBeGreaterThan(0)
    // Told apart without colour: the label's word and the line's dashes (unchanged ones: the matrix page below).
    expect(closed.every((edge) => edge.label.startsWith('✕ closed'))).toBe(true)
    expect(new Set(closed.map((edge) => edge.dash)).size).toBe(1)
    // A narrowed path names what stays reachable.
    expect(closed.some((edge) => /all but |; keeps /.test(edge.label))).toBe(true)
    // outside → traefik, which exposure.enforce closes, drawn and named.
    expect(closed.find((edge) => edge.from === 'outside' && edge.to === 'app:traefik')?.label).toMatch(/^✕ closed /)
    expect(await opened.page.locator('#graph-note').textContent()).toBe(`${own.length} paths into and out of traefik drawn, each with its ports. Select it again, or press Escape, to clear.`)
    // Connections: traefik's named, the others faded and unnamed.
    const connections = await drawnEdges(opened, '#graph g.edge:not(.edge-reach)')
    const touching = connections.filter((edge) => edge.from === 'app:traefik' || edge.to === 'app:traefik')
    expect(touching.length).toBeGreaterThan(0)
    expect(touching.every((edge) => !edge.cls.includes('faded') && edge.label !== '')).toBe(true)
    const others = connections.filter((edge) => edge.from !== 'app:traefik' && edge.to !== 'app:traefik')
    expect(others.length).toBeGreaterThan(0)
    expect(others.every((edge) => edge.cls.includes('faded') && edge.label === '')).toBe(true)
    // Selected again, or Escape: back to the overview.
    await select(opened, 'app:traefik')
    expect(await opened.page.locator('#graph g.edge-reach').count()).toBe(0)
    expect(await opened.page.locator('#graph g.edge.faded').count()).toBe(0)
    await select(opened, 'app:grafana')
    expect(await opened.page.locator('#graph g.edge-reach').count()).toBeGreaterThan(0)
    await opened.page.keyboard.press('Escape')
    expect(await opened.page.locator('#graph g.edge-reach').count()).toBe(0)
    expect(await opened.page.locator('#node-panel').textContent()).toContain('Select a node')
  })

  it('keeps the selection when a box of the bar is ticked', async () => {
    const {opened} = pages.get('cos-reconcile')!
    await select(opened, 'app:prometheus')
    const before = await opened.page.locator('#graph g.edge-reach').count()
    await opened.page.locator('#show-unchanged').uncheck()
    const after = await drawnEdges(opened)
    expect(await opened.page.locator('#graph g.node.selected').getAttribute('data-node-id')).toBe('app:prometheus')
    expect(after.length).toBeLessThan(before)
    expect(after.every((edge) => !edge.cls.includes('reach-unchanged'))).toBe(true)
    await opened.page.locator('#show-unchanged').check()
    await opened.page.keyboard.press('Escape')
  })

  it('Livepatch: every application drawn, and a node shows its connections before and after', async () => {
    const {opened} = pages.get('livepatch-reconcile')!
    const labels = await opened.page.locator('#graph g.node[data-kind="application"] text.label').allTextContents()
    for (const app of LIVEPATCH_APPS) expect(labels).toContain(app)
    await opened.page.locator('#graph g.node[data-node-id="app:postgresql"]').click()
    const connections = await opened.page.locator('#node-panel li.state-closed').allTextContents()
    expect(connections.length).toBeGreaterThan(0)
    expect(connections.every((line) => line.includes('→ postgresql') || line.startsWith('postgresql →'))).toBe(true)
  })

  it('is refused without --dry-run, in one line', async () => {
    const result = await runCli(['reconcile', '--from', LIVEPATCH, '--format', 'html', '-o', join(dir, 'x.html')])
    expect(result.code).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toContain('--dry-run')
  })
})

describe('netpol matrix --format html', () => {
  it('today: every application drawn, every path unchanged, in the matrix and when a box is selected', async () => {
    const {opened, file} = pages.get('livepatch-matrix')!
    const labels = await opened.page.locator('#graph g.node[data-kind="application"] text.label').allTextContents()
    for (const app of LIVEPATCH_APPS) expect(labels).toContain(app)
    const cells = (await matrixCells(opened)).filter((cell) => cell.text !== '—' && cell.text !== '·')
    expect(cells.length).toBeGreaterThan(0)
    expect(cells.every((cell) => cell.text.startsWith('= ') && cell.cls === 'cell-unchanged')).toBe(true)
    await select(opened, 'app:livepatch')
    const edges = await drawnEdges(opened)
    expect(edges.length).toBeGreaterThan(0)
    expect(edges.every((edge) => edge.cls.includes('reach-unchanged') && edge.label.startsWith('='))).toBe(true)
    expect(opened.requests).toEqual([`file://${file}`])
    expect((await stat(file)).size).toBeLessThan(3 * 1024 * 1024)
  })

  it('--plan: closed paths in the matrix, drawn dashed unlike unchanged ones, and listed among the changes', async () => {
    const {opened} = pages.get('livepatch-matrix-plan')!
    expect((await matrixCells(opened)).some((cell) => cell.cls.includes('cell-closed'))).toBe(true)
    // Nothing is drawn over the graph until a box is selected.
    expect(await drawnEdges(opened)).toEqual([])
    await select(opened, 'app:postgresql')
    const closed = (await drawnEdges(opened)).filter((edge) => edge.cls.includes('reach-closed'))
    expect(closed.length).toBeGreaterThan(0)
    const today = pages.get('livepatch-matrix')!.opened
    const unchanged = (await drawnEdges(today)).filter((edge) => edge.cls.includes('reach-unchanged'))
    expect(closed[0]!.dash).not.toBe(unchanged[0]!.dash)
    const rows = await opened.page.locator('#plan table tbody tr').allTextContents()
    expect(rows.length).toBeGreaterThan(0)
    expect(rows.every((row) => row.startsWith('✕ closed') || row.startsWith('+ opened'))).toBe(true)
  })
})
