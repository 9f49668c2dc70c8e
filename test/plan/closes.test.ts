/**
 * The "Closes:" classification catches what a plan would break: a plan with a relation's allow
 * rule taken out closes that relation's path (not asked for), on the server's ports only.
 */
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {loadInventory} from '../../src/audit/run-audit.js'
import {closedPaths} from '../../src/plan/closes.js'
import {planForInventory} from '../../src/plan/plan.js'
import {type NetworkPolicyAction, networkPolicyActions} from '../../src/plan/types.js'
import {policySchema} from '../../src/policy/schema.js'
import {COS_NAMESPACE, writeCosEstate} from '../helpers/cos-estate.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hardenctl-closes-plan-'))
  await writeCosEstate(dir)
})
afterAll(async () => {
  await rm(dir, {recursive: true, force: true})
})

describe('closedPaths', () => {
  it('a correct plan closes nothing in use; one without a relation rule closes that relation, not asked for', async () => {
    const {inventory} = await loadInventory({from: [dir]})
    const policy = policySchema.parse({apiVersion: 'hardenctl.io/v1'})
    const plan = planForInventory(inventory, policy)
    expect(closedPaths(inventory, policy, plan)).toEqual([])

    const grafana = networkPolicyActions(plan).find((action) => action.object.metadata.name === 'hardenctl-app-grafana') as NetworkPolicyAction
    const rules = grafana.object.spec.ingress ?? []
    const reasons = grafana.object.metadata.annotations!['hardenctl.io/reason']!.split('\n')
    const traefik = reasons.findIndex((reason) => reason.includes('traefik connects to grafana'))
    expect(traefik).toBeGreaterThan(0)
    grafana.object.spec.ingress = rules.filter((_, index) => index !== traefik)

    const closes = closedPaths(inventory, policy, plan)
    expect(closes).toEqual([
      {
        from: `${COS_NAMESPACE}/traefik`,
        to: `${COS_NAMESPACE}/grafana`,
        ports: '3000/TCP',
        usedBy: expect.stringMatching(/^relation .*grafana.*traefik|^relation .*traefik.*grafana/),
        why: `no planned rule admits it: ${COS_NAMESPACE}/grafana's ingress is isolated by ${COS_NAMESPACE}/hardenctl-app-grafana, ${COS_NAMESPACE}/hardenctl-default-deny`,
        asked: false,
      },
    ])
  }, 30_000)
})
