/**
 * Intentional exposure stays reachable by default (issue 12): on a COS-Lite model, the plan
 * `reconcile --dry-run --from` prints keeps outside → traefik 80/443 open, from the sources that
 * reach it today, and lists it under what stays open on purpose; only `exposure.enforce: true`
 * narrows it to `exposure.allow`. Proved with the reachability engine on the printed plan.
 */
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {policiesAfterPlan} from '../../src/netpol/after-plan.js'
import {loadNetpolInput} from '../../src/netpol/command-input.js'
import {explain} from '../../src/netpol/explain.js'
import {type Matrix, matrixCell, reachabilityMatrix} from '../../src/netpol/matrix.js'
import {containsPort, formatPorts, isEmptyPorts} from '../../src/netpol/ports.js'
import {OUTSIDE_ID, type PodClass, type PolicyInput} from '../../src/netpol/types.js'
import type {ReconcilePlan} from '../../src/plan/types.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'
import {COS_NAMESPACE, type CosOptions, writeCosEstate} from '../helpers/cos-estate.js'

const TRAEFIK = `${COS_NAMESPACE}/traefik`
const ENFORCE = 'apiVersion: hardenctl.io/v1\nexposure:\n  enforce: true\n'

interface Planned {
  text: string
  plan: ReconcilePlan
  input: PolicyInput
  classes: PodClass[]
  matrix: Matrix
}

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hardenctl-exposure-'))
})
afterAll(async () => {
  await rm(root, {recursive: true, force: true})
})

/** The plan the CLI prints for the estate (text and JSON), and the cluster it would leave. */
async function plannedFor(name: string, options: CosOptions): Promise<Planned> {
  const dir = join(root, name)
  await writeCosEstate(dir, options)
  const policy = options.policy ? ['--policy', join(dir, 'policy.yaml')] : []
  const text = await runCliInWorker(['reconcile', '--dry-run', '--from', dir, ...policy])
  expect(text.code, text.stderr).toBe(0)
  const json = await runCliInWorker(['reconcile', '--dry-run', '--from', dir, '--format', 'json', ...policy])
  expect(json.code, json.stderr).toBe(0)
  const plan = JSON.parse(json.stdout) as ReconcilePlan
  const live = await loadNetpolInput({from: [dir]})
  const input = {...live.input, policies: policiesAfterPlan(live.input.policies, plan)}
  return {text: text.stdout, plan, input, classes: live.classes, matrix: reachabilityMatrix(input, live.classes)}
}

const byId = (planned: Planned, id: string) => planned.classes.find((podClass) => podClass.id === id)!
const fromAddress = (planned: Planned, ip: string, to: string, port: number) => explain(planned.input, {outside: true, ip}, byId(planned, to), {port}).allowed

describe('a COS-Lite model, traefik behind a LoadBalancer Service (80, 443)', () => {
  let byDefault: Planned
  let enforced: Planned
  beforeAll(async () => {
    byDefault = await plannedFor('default', {})
    enforced = await plannedFor('enforced', {policy: ENFORCE})
  }, 60_000)

  it('by default, outside still reaches traefik on 80 and 443 and nothing else of the model', () => {
    expect(formatPorts(matrixCell(byDefault.matrix, OUTSIDE_ID, TRAEFIK))).toBe('80/TCP, 443/TCP')
    for (const app of ['alertmanager', 'catalogue', 'grafana', 'loki', 'prometheus']) {
      expect(isEmptyPorts(matrixCell(byDefault.matrix, OUTSIDE_ID, `${COS_NAMESPACE}/${app}`)), app).toBe(true)
    }
    // traefik still reaches what it routes to: grafana over traefik-route, prometheus over ingress-per-unit.
    expect(containsPort(matrixCell(byDefault.matrix, TRAEFIK, `${COS_NAMESPACE}/grafana`), 3000, 'TCP')).toBe(true)
    expect(containsPort(matrixCell(byDefault.matrix, TRAEFIK, `${COS_NAMESPACE}/prometheus`), 9090, 'TCP')).toBe(true)
  })

  it('the plan says why the rule exists and lists it under what stays open on purpose', () => {
    const traefik = byDefault.plan.actions.find((action) => action.op === 'create' && action.object.metadata.name === 'hardenctl-app-traefik')
    expect(traefik && 'object' in traefik ? traefik.object.metadata.annotations?.['hardenctl.io/reason'] : undefined).toContain(
      'traefik is exposed on purpose (LoadBalancer Service traefik-lb): kept open from 0.0.0.0/0, ::/0 (anyone) on 80/TCP, 443/TCP, as today; exposure.enforce: true would narrow it to exposure.allow, which does not list it',
    )
    expect(byDefault.text).toContain('Stays open on purpose (intentional exposure; exposure.enforce is off):\n  clite/traefik: LoadBalancer Service traefik-lb, from 0.0.0.0/0, ::/0 on 80/TCP, 443/TCP; exposure.enforce: true would narrow it')
    expect(byDefault.plan.keptOpen).toEqual([
      {namespace: COS_NAMESPACE, application: 'traefik', exposedBy: 'LoadBalancer Service traefik-lb', sources: ['0.0.0.0/0', '::/0'], ports: ['80/TCP', '443/TCP'], narrowedBy: expect.stringContaining('exposure.enforce: true')},
    ])
  })

  it('with exposure.enforce: true and traefik not on exposure.allow, outside no longer reaches it, and the plan says so', () => {
    expect(isEmptyPorts(matrixCell(enforced.matrix, OUTSIDE_ID, TRAEFIK))).toBe(true)
    expect(enforced.plan.keptOpen).toEqual([])
    expect(enforced.text).not.toContain('Stays open on purpose')
    expect(enforced.text).toContain('clite/traefik is exposed (Service traefik-lb) but not on exposure.allow')
    // Relations are not exposure: they work either way.
    expect(containsPort(matrixCell(enforced.matrix, TRAEFIK, `${COS_NAMESPACE}/grafana`), 3000, 'TCP')).toBe(true)
  })

  it('with exposure.enforce: true, exposure.allow narrows traefik to its CIDRs', async () => {
    const allowed = await plannedFor('allowed', {policy: `${ENFORCE}  allow:\n    traefik: [203.0.113.0/24]\n`})
    expect(fromAddress(allowed, '203.0.113.9', TRAEFIK, 443)).toBe(true)
    expect(fromAddress(allowed, '198.51.100.9', TRAEFIK, 443)).toBe(false)
    expect(isEmptyPorts(matrixCell(allowed.matrix, OUTSIDE_ID, TRAEFIK))).toBe(true)
  }, 30_000)
})

describe('exposure with its own source restriction keeps exactly those sources', () => {
  it('a LoadBalancer with loadBalancerSourceRanges: only those ranges reach it, on its ports', async () => {
    const planned = await plannedFor('ranges', {loadBalancerSourceRanges: ['192.0.2.0/24']})
    expect(fromAddress(planned, '192.0.2.10', TRAEFIK, 443)).toBe(true)
    expect(fromAddress(planned, '192.0.2.10', TRAEFIK, 80)).toBe(true)
    expect(fromAddress(planned, '192.0.2.10', TRAEFIK, 8080)).toBe(false)
    expect(fromAddress(planned, '198.51.100.9', TRAEFIK, 443)).toBe(false)
    // "The Internet at large" is not within 192.0.2.0/24.
    expect(isEmptyPorts(matrixCell(planned.matrix, OUTSIDE_ID, TRAEFIK))).toBe(true)
    expect(planned.plan.keptOpen.map((kept) => kept.sources)).toEqual([['192.0.2.0/24']])
    // The ranges are kept, but kube-proxy may rewrite the client address: the plan warns.
    expect(planned.text).toContain('with externalTrafficPolicy Cluster kube-proxy may rewrite the client address')
  }, 30_000)

  it('an application exposed with `juju expose --to-cidrs` on Kubernetes: the flag lets nothing in, so nothing is kept open for it, and the plan says why', async () => {
    // Juju's sidecar firewaller leaves expose unimplemented: no LoadBalancer, NodePort or Ingress
    // leads to catalogue, and a rule from those CIDRs would only admit the pods whose addresses
    // some network plugins match against ipBlocks.
    const planned = await plannedFor('juju-cidrs', {exposeCatalogueTo: ['198.51.100.0/24']})
    const catalogue = `${COS_NAMESPACE}/catalogue`
    expect(fromAddress(planned, '198.51.100.20', catalogue, 80)).toBe(false)
    expect(isEmptyPorts(matrixCell(planned.matrix, OUTSIDE_ID, catalogue))).toBe(true)
    expect(planned.plan.keptOpen.map((kept) => kept.application)).toEqual(['traefik'])
    expect(planned.text).toContain('clite: catalogue is marked exposed in Juju, which opens nothing on Kubernetes, and no Service lets outside traffic in: hardenctl keeps nothing open from outside for it')
    // The Juju side: clearing the flag is planned (it changes no traffic), made only with exposure.enforce.
    expect(planned.text).toMatch(/Application\.Unexpose application catalogue .*\[planned only: needs exposure\.enforce: true\]/)
  }, 30_000)
})
