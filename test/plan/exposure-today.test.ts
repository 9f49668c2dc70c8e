/**
 * Without exposure.enforce, reconcile keeps an exposed application "as reachable as today". Where
 * a NetworkPolicy hardenctl did not write already isolates its pods, that policy decides what gets
 * in from outside, and it stays: hardenctl must not add a rule of its own that opens what the
 * estate keeps closed. Proved with the reachability engine on the COS-Lite test estate (traefik
 * behind a LoadBalancer Service), with and without such a policy.
 */
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {loadNetpolInput} from '../../src/netpol/command-input.js'
import {explain} from '../../src/netpol/explain.js'
import {matrixCell, reachabilityMatrix} from '../../src/netpol/matrix.js'
import {formatPorts} from '../../src/netpol/ports.js'
import {OUTSIDE_ID} from '../../src/netpol/types.js'
import {planForInventory} from '../../src/plan/plan.js'
import {defaultPolicy} from '../../src/policy/schema.js'
import {COS_NAMESPACE, writeCosEstate} from '../helpers/cos-estate.js'

const dirs: string[] = []
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, {recursive: true, force: true})))
})

/** The COS estate, with `policies` (the estate's own NetworkPolicies) in its namespace. */
async function estate(policies: object[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hardenctl-exposure-today-'))
  dirs.push(dir)
  await writeCosEstate(dir)
  const file = join(dir, 'kubernetes/networkpolicies.json')
  const list = JSON.parse(await readFile(file, 'utf8')) as {items: object[]}
  list.items.push(...policies)
  await writeFile(file, JSON.stringify(list))
  return dir
}

const policy = (name: string, spec: object) => ({apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: {name, namespace: COS_NAMESPACE}, spec})
const TRAEFIK = `${COS_NAMESPACE}/traefik`

async function fromOutside(dir: string): Promise<{before: string; after: string; notes: string[]}> {
  const loaded = await loadNetpolInput({from: [dir], plan: true})
  const cell = (input: typeof loaded.input) => formatPorts(matrixCell(reachabilityMatrix(input, loaded.classes), OUTSIDE_ID, TRAEFIK))
  return {before: cell(loaded.before!), after: cell(loaded.input), notes: planForInventory(loaded.inventory, defaultPolicy()).notes}
}

describe('an exposed entry point, without exposure.enforce', () => {
  it('with no policy of the estate\'s own: kept open from outside on its ports, as today', async () => {
    const {before, after} = await fromOutside(await estate([]))
    expect(before).toBe('all ports')
    expect(after).toBe('80/TCP, 443/TCP')
  })

  it('isolated today by a policy that is not hardenctl\'s: stays closed, and the plan says why', async () => {
    const {before, after, notes} = await fromOutside(await estate([policy('deny-all', {podSelector: {}, policyTypes: ['Ingress']})]))
    expect(before).toBe('none')
    expect(after).toBe('none')
    expect(notes.find((note) => note.includes('traefik'))).toBe(
      `${COS_NAMESPACE}: traefik (Service traefik-lb) is exposed, but NetworkPolicy deny-all, not hardenctl's, isolates its pods today: what it admits from outside stays admitted, and hardenctl opens nothing more to outside (to open an application to outside, list its sources under exposure.allow with exposure.enforce: true)`,
    )
  })

  it('what the estate\'s own policy admits from outside stays admitted, and no more', async () => {
    const https = policy('https-from-office', {podSelector: {matchLabels: {'app.kubernetes.io/name': 'traefik'}}, policyTypes: ['Ingress'], ingress: [{from: [{ipBlock: {cidr: '203.0.113.0/24'}}], ports: [{port: 443, protocol: 'TCP'}]}]})
    const dir = await estate([https])
    const loaded = await loadNetpolInput({from: [dir], plan: true})
    const office = {outside: true as const, ip: '203.0.113.7'}
    const traefik = loaded.classes.find((podClass) => podClass.id === TRAEFIK)!
    expect(explain(loaded.input, office, traefik, {port: 443}).allowed).toBe(true)
    expect(explain(loaded.input, office, traefik, {port: 80}).allowed).toBe(false)
    expect(explain(loaded.input, {outside: true as const, ip: '198.51.100.9'}, traefik, {port: 443}).allowed).toBe(false)
  })
})
