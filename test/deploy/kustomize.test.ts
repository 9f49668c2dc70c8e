/**
 * manifests/ is a kustomize base that `kubectl kustomize` builds, and `hardenctl manifests`
 * prints exactly the objects kustomize builds, for the base and the pod-security overlay.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {REPO_ROOT, runCli} from '../helpers/cli.js'
import {canonicalSet, find, IMAGE, kubectlKustomize, kubectlVersion, parseManifests, SCHEDULE} from './render.js'

const EXPECTED_OBJECTS = [
  'ClusterRole/hardenctl',
  'ClusterRoleBinding/hardenctl',
  'ConfigMap/hardenctl-policy',
  'CronJob/hardenctl',
  'Namespace/hardenctl-system',
  'NetworkPolicy/default-deny',
  'NetworkPolicy/hardenctl',
  'ServiceAccount/hardenctl',
]

async function hardenctlManifests(...extra: string[]) {
  const result = await runCli(['manifests', '--image', IMAGE, '--schedule', SCHEDULE, ...extra])
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  return parseManifests(result.stdout)
}

describe('manifests/ with kubectl kustomize', () => {
  it('kubectl kustomize manifests/ builds the base: every object, in hardenctl-system, with the placeholder image', async () => {
    const objects = await kubectlKustomize('manifests')
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort(), await kubectlVersion()).toEqual(EXPECTED_OBJECTS)
    for (const object of objects) {
      const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(object.kind)
      expect(object.metadata.namespace, `${object.kind}/${object.metadata.name}`).toBe(clusterScoped ? undefined : 'hardenctl-system')
      expect(object.metadata.labels?.['app.kubernetes.io/name']).toBe('hardenctl')
    }
  })

  it('hardenctl manifests prints the objects kustomize builds from manifests/', async () => {
    const [kustomized, printed] = await Promise.all([kubectlKustomize('manifests'), hardenctlManifests()])
    expect(canonicalSet(printed)).toEqual(canonicalSet(kustomized))
  })

  it('hardenctl manifests --pod-security prints the objects kustomize builds from manifests/overlays/pod-security', async () => {
    const [kustomized, printed, base] = await Promise.all([
      kubectlKustomize('manifests/overlays/pod-security'),
      hardenctlManifests('--pod-security'),
      kubectlKustomize('manifests'),
    ])
    expect(canonicalSet(printed)).toEqual(canonicalSet(kustomized))
    // The overlay changes the ClusterRole and nothing else.
    const others = (objects: typeof base) => canonicalSet(objects.filter((o) => o.kind !== 'ClusterRole'))
    expect(others(kustomized)).toEqual(others(base))
    expect(canonicalSet([find(kustomized, 'ClusterRole', 'hardenctl')])).not.toEqual(canonicalSet([find(base, 'ClusterRole', 'hardenctl')]))
  })

  it('--image, --schedule and --namespace change exactly the image, the schedule and every namespace reference', async () => {
    const base = await hardenctlManifests()
    const result = await runCli(['manifests', '--image', 'registry.example.com:5000/sec/hardenctl:1.2.3', '--schedule', '0 */2 * * 1-5', '--namespace', 'security'])
    expect(result.code).toBe(0)
    const moved = parseManifests(result.stdout)
    expect(moved.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(EXPECTED_OBJECTS.map((o) => o.replace('hardenctl-system', 'security')).sort())
    for (const object of moved) {
      if (!['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(object.kind)) expect(object.metadata.namespace).toBe('security')
    }
    expect(find(moved, 'ClusterRoleBinding', 'hardenctl').subjects).toEqual([{kind: 'ServiceAccount', name: 'hardenctl', namespace: 'security'}])
    const cronJob = find(moved, 'CronJob', 'hardenctl') as unknown as {spec: {schedule: string; jobTemplate: {spec: {template: {spec: {containers: {image: string}[]}}}}}}
    expect(cronJob.spec.schedule).toBe('0 */2 * * 1-5')
    expect(cronJob.spec.jobTemplate.spec.template.spec.containers.map((c) => c.image)).toEqual(['registry.example.com:5000/sec/hardenctl:1.2.3'])
    // Nothing else differs: undo the three changes and the base comes back.
    const undone = JSON.parse(
      JSON.stringify(moved)
        .replaceAll('"security"', '"hardenctl-system"')
        .replaceAll('registry.example.com:5000/sec/hardenctl:1.2.3', IMAGE)
        .replaceAll('0 */2 * * 1-5', SCHEDULE),
    ) as typeof moved
    expect(canonicalSet(undone)).toEqual(canonicalSet(base))
  })

  it('prints YAML kubectl reads back unchanged, with a header naming the flags', async () => {
    const result = await runCli(['manifests', '--image', IMAGE, '--schedule', SCHEDULE, '--pod-security'])
    const {version} = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {version: string}
    expect(result.stdout.split('\n')[0]).toBe(`# hardenctl ${version} manifests --image ${IMAGE} --schedule '${SCHEDULE}' --namespace hardenctl-system --pod-security`)
    expect(result.stdout).toContain('schedule: "*/30 * * * *"')
    // The policy stays a readable block, not an escaped one-line string.
    expect(result.stdout).toContain('  hardenctl.yaml: |\n    apiVersion: hardenctl.io/v1\n')
  })
})
