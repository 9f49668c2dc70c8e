/**
 * hardenctl's ClusterRole is least privilege: no `*`, read verbs on exactly the kinds the live
 * inventory lists (so a kind added to KUBERNETES_LISTS without the manifest fails here), and
 * write verbs only where reconcile writes.
 */
import {describe, expect, it} from 'vitest'

import {renderManifests} from '../../src/deploy/manifests.js'
import {KUBERNETES_LISTS} from '../../src/sources/kubernetes-api/list.js'
import {REPO_ROOT} from '../helpers/cli.js'
import {find, IMAGE, type Manifest, SCHEDULE} from './render.js'

interface Rule {
  apiGroups?: string[]
  resources?: string[]
  verbs: string[]
  resourceNames?: string[]
  nonResourceURLs?: string[]
}

async function clusterRole(podSecurity: boolean): Promise<{rules: Rule[]; objects: Manifest[]}> {
  const objects = (await renderManifests({root: REPO_ROOT, image: IMAGE, schedule: SCHEDULE, podSecurity})) as Manifest[]
  return {rules: (find(objects, 'ClusterRole', 'hardenctl') as unknown as {rules: Rule[]}).rules, objects}
}

/** `group/resource` → verbs, over every rule. */
function grants(rules: Rule[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>()
  for (const rule of rules) {
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        const key = `${group}/${resource}`
        const verbs = out.get(key) ?? new Set<string>()
        for (const verb of rule.verbs) verbs.add(verb)
        out.set(key, verbs)
      }
    }
  }
  return out
}

const asObject = (map: Map<string, Set<string>>) => Object.fromEntries([...map].map(([key, verbs]) => [key, [...verbs].sort()]).sort())

/** What the live inventory lists, from the code: `group/plural` (core group is ''). */
const LISTED = KUBERNETES_LISTS.map((spec) => `${spec.apiVersion.includes('/') ? spec.apiVersion.split('/')[0]! : ''}/${spec.plural}`)

function expectedGrants(podSecurity: boolean): Record<string, string[]> {
  const expected = new Map<string, Set<string>>(LISTED.map((key) => [key, new Set(['get', 'list', 'watch'])]))
  for (const verb of ['create', 'patch', 'delete']) expected.get('networking.k8s.io/networkpolicies')!.add(verb)
  // --report-to-cluster (src/apply/policy-reports.ts): one cluster-wide LIST, server-side apply, prune.
  expected.set('wgpolicyk8s.io/policyreports', new Set(['create', 'delete', 'get', 'list', 'patch']))
  if (podSecurity) expected.get('/namespaces')!.add('patch')
  return asObject(expected)
}

describe('the hardenctl ClusterRole', () => {
  it('lists cronjobs among the kinds the live inventory reads', () => {
    expect(LISTED).toContain('batch/cronjobs')
  })

  for (const podSecurity of [false, true]) {
    const which = podSecurity ? 'with --pod-security (overlays/pod-security)' : 'in the base'
    it(`${which}: no wildcard anywhere, no resourceNames or non-resource URLs`, async () => {
      const {rules} = await clusterRole(podSecurity)
      expect(JSON.stringify(rules)).not.toContain('*')
      for (const rule of rules) {
        expect(rule.resourceNames).toBeUndefined()
        expect(rule.nonResourceURLs).toBeUndefined()
        expect(rule.apiGroups?.length).toBeGreaterThan(0)
        expect(rule.resources?.length).toBeGreaterThan(0)
      }
    })

    it(`${which}: get/list/watch on exactly the KUBERNETES_LISTS kinds, writes only on networkpolicies and policyreports${podSecurity ? ', patch on namespaces' : ''}`, async () => {
      const {rules} = await clusterRole(podSecurity)
      const granted = grants(rules)
      // What the inventory reads is what may be watched: exactly KUBERNETES_LISTS.
      const watched = [...granted].filter(([, verbs]) => verbs.has('watch')).map(([key]) => key)
      expect(watched.sort()).toEqual([...LISTED].sort())
      for (const key of LISTED) expect([...granted.get(key)!].filter((verb) => ['get', 'list', 'watch'].includes(verb)).sort(), key).toEqual(['get', 'list', 'watch'])
      expect(asObject(granted)).toEqual(expectedGrants(podSecurity))
    })

    it(`${which}: is bound to the hardenctl ServiceAccount the CronJob runs as, and to nothing else`, async () => {
      const {objects} = await clusterRole(podSecurity)
      const bindings = objects.filter((object) => object.kind === 'ClusterRoleBinding' || object.kind === 'RoleBinding')
      expect(bindings).toHaveLength(1)
      expect(bindings[0]).toMatchObject({
        roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'hardenctl'},
        subjects: [{kind: 'ServiceAccount', name: 'hardenctl', namespace: 'hardenctl-system'}],
      })
      const cronJob = find(objects, 'CronJob', 'hardenctl') as unknown as {spec: {jobTemplate: {spec: {template: {spec: {serviceAccountName: string}}}}}}
      expect(cronJob.spec.jobTemplate.spec.template.spec.serviceAccountName).toBe('hardenctl')
      expect(find(objects, 'ServiceAccount', 'hardenctl').metadata.namespace).toBe('hardenctl-system')
    })
  }

  it('the pod-security overlay adds patch on namespaces and nothing else', async () => {
    const base = grants((await clusterRole(false)).rules)
    const overlay = grants((await clusterRole(true)).rules)
    const added = [...overlay].flatMap(([key, verbs]) => [...verbs].filter((verb) => !base.get(key)?.has(verb)).map((verb) => `${verb} ${key}`))
    expect(added).toEqual(['patch /namespaces'])
    expect([...base].flatMap(([key, verbs]) => [...verbs].filter((verb) => !overlay.get(key)?.has(verb)))).toEqual([])
  })
})
