/** `hardenctl reconcile --dry-run --from DIR`: planning from a snapshot with no cluster at all. */
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {writeSyntheticEstate} from '../bench/synthetic-estate.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'

describe('reconcile --dry-run --from', () => {
  it('a large estate without charm metadata: the text plan prints the first 50 notes and counts the rest, JSON lists every one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-many-notes-'))
    try {
      await writeSyntheticEstate(dir, {models: 2, appsPerModel: 40, podsPerApp: 1})
      const json = await runCliInWorker(['reconcile', '--dry-run', '--from', dir, '--format', 'json'])
      expect(json.code, json.stderr).toBe(0)
      const notes = (JSON.parse(json.stdout) as {notes: string[]}).notes
      expect(notes.length).toBeGreaterThan(60)
      const text = await runCliInWorker(['reconcile', '--dry-run', '--from', dir])
      const section = /^Notes:\n((?:  .*\n)+)/m.exec(text.stdout)![1]!.split('\n').filter(Boolean)
      expect(section).toEqual([...notes.slice(0, 50).map((note) => `  - ${note}`), `  (${notes.length - 50} more notes: --format json lists every one)`])
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  }, 60_000)

  it('prints the plan for people, with each rule\'s reason, and changes nothing', async () => {
    const result = await runCliInWorker(['reconcile', '--dry-run', '--from', 'examples/livepatch-k8s'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain('Namespace livepatch')
    expect(result.stdout).toContain('+ create NetworkPolicy hardenctl-app-postgresql (allow)')
    expect(result.stdout).toContain('relation livepatch:database ↔ postgresql:database: livepatch connects to postgresql (charm metadata)')
    expect(result.stdout).toContain('+ create NetworkPolicy hardenctl-default-deny (default-deny)')
    expect(result.stdout).toMatch(/7 to create, 0 to update, 0 to delete, 0 unchanged: planned \(dry run\), nothing changed\./)
  })

  it('--format json prints the ReconcilePlan with full objects', async () => {
    const result = await runCliInWorker(['reconcile', '--dry-run', '--from', 'examples/livepatch-k8s', '--format', 'json'])
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
    const result = await runCliInWorker(['reconcile', '--from', 'examples/livepatch-k8s'])
    expect(result.code).toBe(2)
    expect(result.stderr.trim()).toBe('hardenctl: --from plans from a snapshot and cannot apply; add --dry-run')
  })
})
