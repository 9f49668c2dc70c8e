/** `hardenctl reconcile --dry-run --from DIR`: planning from a snapshot with no cluster at all. */
import {describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'

describe('reconcile --dry-run --from', () => {
  it('prints the plan for people, with each rule\'s reason, and changes nothing', async () => {
    const result = await runCli(['reconcile', '--dry-run', '--from', 'examples/livepatch-k8s'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain('Namespace livepatch')
    expect(result.stdout).toContain('+ create NetworkPolicy hardenctl-app-postgresql (allow)')
    expect(result.stdout).toContain('relation livepatch:database ↔ postgresql:database: livepatch connects to postgresql (charm metadata)')
    expect(result.stdout).toContain('+ create NetworkPolicy hardenctl-default-deny (default-deny)')
    expect(result.stdout).toMatch(/7 to create, 0 to update, 0 to delete, 0 unchanged: planned \(dry run\), nothing changed\./)
  })

  it('--format json prints the ReconcilePlan with full objects', async () => {
    const result = await runCli(['reconcile', '--dry-run', '--from', 'examples/livepatch-k8s', '--format', 'json'])
    expect(result.code, result.stderr).toBe(0)
    const plan = JSON.parse(result.stdout) as {kind: string; actions: {op: string; object: {apiVersion: string; kind: string; metadata: {name: string; namespace: string}; spec: unknown}}[]}
    expect(plan.kind).toBe('ReconcilePlan')
    const policies = plan.actions.filter((action) => action.op !== 'juju')
    expect(policies).toHaveLength(7)
    for (const action of policies) {
      expect(action.op).toBe('create')
      expect(action.object.apiVersion).toBe('networking.k8s.io/v1')
      expect(action.object.kind).toBe('NetworkPolicy')
    }
    const order = policies.filter((a) => a.object.metadata.namespace === 'livepatch').map((a) => a.object.metadata.name)
    expect(order.at(-1)).toBe('hardenctl-default-deny')
  })

  it('--from without --dry-run is a usage error (exit 2, one line)', async () => {
    const result = await runCli(['reconcile', '--from', 'examples/livepatch-k8s'])
    expect(result.code).toBe(2)
    expect(result.stderr.trim()).toBe('hardenctl: --from plans from a snapshot and cannot apply; add --dry-run')
  })
})
