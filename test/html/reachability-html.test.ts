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

const edgeStates = (opened: OpenedReport) =>
  opened.page.locator('#graph g.edge-reach').evaluateAll((nodes) => nodes.map((node) => ({cls: node.getAttribute('class') ?? '', label: node.querySelector('text')?.textContent ?? '', dash: (globalThis as unknown as {getComputedStyle(element: unknown): {strokeDasharray: string}}).getComputedStyle(node.querySelector('path')).strokeDasharray})))

describe('reconcile --dry-run --format html', () => {
  it('COS-Lite with exposure.enforce: closed paths drawn dashed and listed under Closes, with the policies the plan writes', async () => {
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

    const edges = await edgeStates(opened)
    const closed = edges.filter((edge) => edge.cls.includes('reach-closed'))
    expect(closed.length).toBeGreaterThan(0)
    // Told apart without colour: the label's word and the line's dashes (unchanged ones: the matrix page below).
    expect(closed.every((edge) => edge.label.startsWith('✕ closed'))).toBe(true)
    expect(new Set(closed.map((edge) => edge.dash)).size).toBe(1)
    const unchanged = (await edgeStates(pages.get('livepatch-matrix')!.opened)).filter((edge) => edge.cls.includes('reach-unchanged'))
    expect(unchanged.length).toBeGreaterThan(0)
    expect(unchanged.every((edge) => edge.label.startsWith('='))).toBe(true)
    expect(closed[0]!.dash).not.toBe(unchanged[0]!.dash)
    // A pair that keeps some ports says which.
    expect(closed.some((edge) => edge.label.includes('; keeps '))).toBe(true)
    // outside → traefik on 80/443 is what exposure.enforce closes.
    expect(await opened.page.locator('#graph g.edge-reach.reach-closed[data-from="outside"][data-to="app:traefik"]').count()).toBeGreaterThan(0)
    const legend = await opened.page.locator('.legend').textContent()
    for (const word of ['closed', 'opened', 'reachable before and after']) expect(legend).toContain(word)
    expect(opened.requests).toEqual([`file://${file}`])
    expect(opened.errors).toEqual([])
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
  it('today: every application drawn, every reach edge unchanged', async () => {
    const {opened, file} = pages.get('livepatch-matrix')!
    const labels = await opened.page.locator('#graph g.node[data-kind="application"] text.label').allTextContents()
    for (const app of LIVEPATCH_APPS) expect(labels).toContain(app)
    const edges = await edgeStates(opened)
    expect(edges.length).toBeGreaterThan(0)
    expect(edges.every((edge) => edge.cls.includes('reach-unchanged'))).toBe(true)
    expect(opened.requests).toEqual([`file://${file}`])
    expect((await stat(file)).size).toBeLessThan(3 * 1024 * 1024)
  })

  it('--plan: closed paths drawn and listed among the changes', async () => {
    const {opened} = pages.get('livepatch-matrix-plan')!
    const edges = await edgeStates(opened)
    expect(edges.some((edge) => edge.cls.includes('reach-closed'))).toBe(true)
    const rows = await opened.page.locator('#plan table tbody tr').allTextContents()
    expect(rows.length).toBeGreaterThan(0)
    expect(rows.every((row) => row.startsWith('✕ closed') || row.startsWith('+ opened'))).toBe(true)
  })
})
