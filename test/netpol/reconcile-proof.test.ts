/**
 * Proof, with the reachability engine, that the policies reconcile plans do what they promise:
 * after the plan, only allowed entry points are reachable from outside; databases only from
 * their related applications; every relation still works; Juju agents still reach the model
 * operator (17071). Checked on the Livepatch example and on a synthetic 200-namespace estate.
 */
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {loadNetpolInput} from '../../src/netpol/command-input.js'
import {type Matrix, matrixCell, reachabilityMatrix} from '../../src/netpol/matrix.js'
import {containsPort, formatPorts, isEmptyPorts} from '../../src/netpol/ports.js'
import {OUTSIDE_ID} from '../../src/netpol/types.js'
import {writeSyntheticEstate} from '../bench/synthetic-estate.js'
import {REPO_ROOT} from '../helpers/cli.js'

const reaches = (matrix: Matrix, from: string, to: string, port: number) => containsPort(matrixCell(matrix, from, to), port, 'TCP')
const nothing = (matrix: Matrix, from: string, to: string) => isEmptyPorts(matrixCell(matrix, from, to))

describe('after reconcile: the Livepatch example', () => {
  let matrix: Matrix
  let ids: string[]
  beforeAll(async () => {
    const loaded = await loadNetpolInput({from: [join(REPO_ROOT, 'examples/livepatch-k8s')], plan: true})
    matrix = reachabilityMatrix(loaded.input, loaded.classes)
    ids = loaded.classes.map((podClass) => podClass.id)
    // Before the plan, anyone reaches the database: the proof below is not vacuous.
    expect(reaches(reachabilityMatrix(loaded.before!, loaded.classes), OUTSIDE_ID, 'livepatch/postgresql', 5432)).toBe(true)
  })

  it('nothing in the model namespace is reachable from outside the cluster', () => {
    for (const id of ids.filter((candidate) => candidate.startsWith('livepatch/'))) expect(nothing(matrix, OUTSIDE_ID, id), id).toBe(true)
  })

  it('the database is reachable only from its related application, on its ports', () => {
    for (const from of ids.filter((id) => id !== 'livepatch/postgresql')) {
      const ports = matrixCell(matrix, from, 'livepatch/postgresql')
      if (from === 'livepatch/livepatch') expect(formatPorts(ports)).toBe('5432/TCP, 8008/TCP')
      else expect(isEmptyPorts(ports), `${from} → postgresql: ${formatPorts(ports)}`).toBe(true)
    }
  })

  it('every relation still works, and so do the Juju agents', () => {
    expect(reaches(matrix, 'livepatch/livepatch', 'livepatch/postgresql', 5432)).toBe(true)
    expect(reaches(matrix, 'livepatch/ingress', 'livepatch/livepatch', 8080)).toBe(true)
    for (const id of ids.filter((candidate) => candidate.startsWith('livepatch/'))) {
      expect(reaches(matrix, id, 'livepatch/modeloperator', 17071), `${id} → modeloperator`).toBe(true)
    }
  })
})

describe('after reconcile: a synthetic 200-namespace estate', () => {
  let dir: string
  let matrix: Matrix
  let enforced: Matrix
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hardenctl-proof-'))
    await writeSyntheticEstate(dir, {models: 200, appsPerModel: 5, podsPerApp: 1})
    const loaded = await loadNetpolInput({from: [dir], plan: true})
    matrix = reachabilityMatrix(loaded.input, loaded.classes)
    await writeFile(join(dir, 'enforce.yaml'), 'apiVersion: hardenctl.io/v1\nexposure:\n  enforce: true\n')
    const narrowed = await loadNetpolInput({from: [dir], plan: true, policyFile: join(dir, 'enforce.yaml')})
    enforced = reachabilityMatrix(narrowed.input, narrowed.classes)
  }, 60_000)
  afterAll(async () => {
    await rm(dir, {recursive: true, force: true})
  })

  it('related applications reach each other; unrelated ones, other namespaces and outside do not', () => {
    for (const m of [0, 1, 57, 199]) {
      const ns = `model-${m}`
      // app-a relates to app-(a+1) over "backend" (interface http, direction unknown: both ways).
      expect(reaches(matrix, `${ns}/app-0`, `${ns}/app-1`, 8080)).toBe(true)
      expect(reaches(matrix, `${ns}/app-1`, `${ns}/app-0`, 8080)).toBe(true)
      expect(nothing(matrix, `${ns}/app-0`, `${ns}/app-2`)).toBe(true)
      expect(nothing(matrix, `model-${(m + 1) % 200}/app-1`, `${ns}/app-1`)).toBe(true)
      // Only app-0 is `juju expose`d: nothing else is reachable from outside.
      expect(nothing(matrix, OUTSIDE_ID, `${ns}/app-1`)).toBe(true)
    }
  })

  it('a `juju expose`d application is kept open to nothing from outside: on Kubernetes the flag lets nothing in', () => {
    for (const m of [0, 1, 57, 199]) {
      // app-0 is marked exposed and has no LoadBalancer, NodePort or Ingress. Juju's sidecar
      // firewaller does nothing for the flag, so no rule from 0.0.0.0/0 is written for it: such a
      // rule would let in every pod of the cluster wherever the network plugin matches pod
      // addresses against ipBlocks. Its relations still reach it.
      expect(nothing(matrix, OUTSIDE_ID, `model-${m}/app-0`), `model-${m}`).toBe(true)
      expect(nothing(enforced, OUTSIDE_ID, `model-${m}/app-0`)).toBe(true)
      expect(reaches(matrix, `model-${m}/app-1`, `model-${m}/app-0`, 8080)).toBe(true)
      expect(reaches(enforced, `model-${m}/app-0`, `model-${m}/app-1`, 8080)).toBe(true)
    }
  })
})
