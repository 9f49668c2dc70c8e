/**
 * LIVEPATCH-ADMIN-API on an estate reconcile has hardened: its policies admit the ingress
 * controller (so Livepatch clients get in), which lets whoever reaches the ingress reach the admin
 * API too. Driven through the CLI: plan the policies for examples/livepatch-k8s, put them in the
 * snapshot as if applied, audit it.
 */
import {cp, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCliInWorker} from '../helpers/cli-in-worker.js'

const EXAMPLE = new URL('../../examples/livepatch-k8s/', import.meta.url).pathname

interface Finding {
  rule: string
  severity: string
  message: string
  remediation: string
  location?: {file: string}
}

describe('LIVEPATCH-ADMIN-API after reconcile', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hardenctl-livepatch-reconciled-'))
    await cp(EXAMPLE, dir, {recursive: true})
    const plan = await runCliInWorker(['reconcile', '--dry-run', '--from', dir, '--format', 'json'])
    const created = (JSON.parse(plan.stdout) as {actions: {op: string; object?: {kind: string}}[]}).actions.filter((a) => a.op === 'create' && a.object?.kind === 'NetworkPolicy')
    expect(created.length).toBeGreaterThan(0)
    const file = join(dir, 'kubernetes', 'networkpolicies.json')
    const list = JSON.parse(await readFile(file, 'utf8')) as {items: unknown[]}
    list.items.push(...created.map((action) => action.object))
    await writeFile(file, JSON.stringify(list, null, 2))
  })
  afterAll(async () => {
    await rm(dir, {recursive: true, force: true})
  })

  const adminApi = async (): Promise<Finding[]> => {
    const result = await runCliInWorker(['audit', '--from', dir, '--format', 'json', '--fail-on', 'never'])
    return (JSON.parse(result.stdout) as {findings: Finding[]}).findings.filter((f) => f.rule === 'LIVEPATCH-ADMIN-API')
  }

  it('reports the admin API open through the ingress the policies let in, and narrows the ingress charm', async () => {
    const [finding, ...rest] = await adminApi()
    expect(rest).toEqual([])
    expect(finding).toMatchObject({severity: 'high'})
    expect(finding!.message).toBe(
      'the admin API of livepatch has no source allowlist: its NetworkPolicies admit the ingress controller (an ingress controller in any namespace), ' +
        'and Ingress livepatch/relation-4-livepatch-ingress routes to it with no source allowlist, so whoever reaches the ingress reaches the admin API.',
    )
    expect(finding!.remediation).toMatch(/^juju config -m microk8s-prod:admin\/livepatch ingress whitelist-source-range=ADMIN-CIDRS {3}# only if every Livepatch client/)
    expect(finding!.location?.file).toBe(join(dir, 'kubernetes', 'ingresses.json'))
  })

  it('passes once the Ingress admits only the admin networks', async () => {
    const file = join(dir, 'kubernetes', 'ingresses.json')
    const original = await readFile(file, 'utf8')
    const list = JSON.parse(original) as {items: {metadata: {annotations?: Record<string, string>}}[]}
    for (const item of list.items) item.metadata.annotations = {...item.metadata.annotations, 'nginx.ingress.kubernetes.io/whitelist-source-range': '10.20.0.0/16'}
    await writeFile(file, JSON.stringify(list, null, 2))
    try {
      expect(await adminApi()).toEqual([])
    } finally {
      await writeFile(file, original)
    }
  })
})
