import {cp, mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {readFileSources, scopeFromLayout} from '../../src/sources/files.js'

describe('the snapshot layout', () => {
  it('names controller and model from where a file sits, at any depth', () => {
    expect(scopeFromLayout('/snap/juju/prod/users.json')).toEqual({file: '/snap/juju/prod/users.json', controller: 'prod'})
    expect(scopeFromLayout('/snap/juju/prod/models/controller/status.json')).toMatchObject({controller: 'prod', model: 'controller'})
    expect(scopeFromLayout('/snap/juju/prod/models/cos/config/grafana.json')).toMatchObject({controller: 'prod', model: 'cos'})
    expect(scopeFromLayout('/snap/juju/prod/models/cos/applications/grafana.json')).toMatchObject({controller: 'prod', model: 'cos'})
    // A checkout under a directory called juju is not a controller.
    expect(scopeFromLayout('/home/me/juju/hardenctl/examples/status.json')).toEqual({file: '/home/me/juju/hardenctl/examples/status.json'})
  })
})

describe('readFileSources', () => {
  it('reads a whole example snapshot and says what each file was', async () => {
    const result = await readFileSources(['examples/livepatch-k8s'])
    const kinds = new Map(result.files.map((entry) => [entry.file.replace(/^.*livepatch-k8s\//, ''), entry.kind]))
    expect(kinds.get('juju/microk8s-prod/models/livepatch/status.json')).toBe('juju status')
    expect(kinds.get('kubernetes/pods.json')).toBe('kubernetes objects')
    expect(kinds.get('charms/postgresql-k8s')).toBe('charm directory')
    expect(result.warnings).toEqual([])
  })

  it('ignores a policy file among the inputs, with a warning, so evidence cannot waive itself', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-files-'))
    await cp('test/corpus/bundles/landscape-charm__bundle-examples__bundle.yaml', join(dir, 'bundle.yaml'))
    await writeFile(join(dir, 'hardenctl.yaml'), 'apiVersion: hardenctl.io/v1\nwaivers: []\n')
    const result = await readFileSources([dir])
    expect(result.warnings).toEqual([`${join(dir, 'hardenctl.yaml')}: a hardenctl policy inside the inputs is ignored (the rules run with the default policy); to use this one, pass it with --policy`])
  })
})

describe('files read at once', () => {
  it('fail in the order they were named: a file the readers refuse before a later one that does not parse', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-order-'))
    const refused = join(dir, 'pods.json')
    await writeFile(refused, JSON.stringify({apiVersion: 'v1', kind: 'List', items: [{apiVersion: 'v1', kind: 'Pod', metadata: {namespace: 'n'}, spec: {}}]}))
    const malformed = join(dir, 'later.json')
    await writeFile(malformed, '{"apiVersion": ')
    await expect(readFileSources([refused, malformed])).rejects.toThrow(`${refused}:1:75 at items[0].metadata.name: expected metadata.name`)
    await expect(readFileSources([malformed, refused])).rejects.toThrow(`${malformed}:`)
  })
})

describe('a directory with files that are not inputs', () => {
  it('warns for each file it skips, naming it and what it looked like, and reads the rest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-skip-'))
    await cp('test/corpus/status/jhack__jhack__tests__utils__test_show_relation__mocks__machine__full_status_None.json', join(dir, 'status.json'))
    await cp('test/fixtures/juju/show-unit-zookeeper.json', join(dir, 'zookeeper-0.json'))
    await writeFile(join(dir, 'package.json'), '{"name": "x", "version": "1.0.0", "private": true}')
    await writeFile(join(dir, 'broken.yaml'), 'applications:\n  a: [1,\n')
    await writeFile(join(dir, 'bundle.yaml.j2'), 'applications:\n  pg:\n    charm: {{ charm }}\n')
    await writeFile(join(dir, '.hidden.json'), 'not even JSON')
    const result = await readFileSources([dir])
    expect(result.warnings).toEqual([
      `${join(dir, 'broken.yaml')}:3:1: malformed YAML: Flow sequence in block collection must be sufficiently indented and end with a ]; skipped`,
      `${join(dir, 'bundle.yaml.j2')}:3:12: this is a Jinja template ({{ }} / {% %}); render it first and give hardenctl the rendered file; skipped`,
      `${join(dir, 'package.json')}: not a recognised input (a map with keys name, version, private); expected juju status/show-model/users/offers/disabled-commands/config/show-application/dump-model output, a bundle, charm metadata, or Kubernetes objects (kubectl get -o json); skipped`,
      `${join(dir, 'zookeeper-0.json')}: juju show-unit output: no rule reads it (use juju status for units, juju show-application for exposure); skipped`,
    ])
    expect(result.files.map((f) => `${f.file.replace(`${dir}/`, '')}: ${f.kind}`)).toEqual([
      'package.json: not recognised (skipped)',
      'status.json: juju status',
      'zookeeper-0.json: juju show-unit',
    ])
    expect(result.contributions.some((c) => c.type === 'application')).toBe(true)
    // The unit's relation data holds passwords: none of it is read.
    expect(JSON.stringify(result)).not.toContain('z0vAlPc7cg5la5Fzl1IVOF4c1B0vu4qv')
  })

  it('a file named on its own that is not an input is an error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-named-'))
    await writeFile(join(dir, 'package.json'), '{"name": "x"}')
    await expect(readFileSources([join(dir, 'package.json')])).rejects.toThrow(`${join(dir, 'package.json')}: not a recognised input (a map with keys name)`)
    await writeFile(join(dir, 'overlay.yaml'), '{% if prod %}\napplications: {}\n{% endif %}\n')
    await expect(readFileSources([join(dir, 'overlay.yaml')])).rejects.toThrow(`${join(dir, 'overlay.yaml')}:1:1: this is a Jinja template`)
  })

  it('a shell template (MicroK8s add-ons) names its placeholder, where it breaks the YAML and where it stands for a value of another type', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-shell-template-'))
    // As canonical/microk8s-core-addons addons/ingress/ingress.yaml: a placeholder line the enable script turns into list items.
    const args = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: web}\nspec:\n  containers:\n  - name: c\n    args:\n    - --ingress-class=public\n    $DEFAULT_CERT\n'
    await writeFile(join(dir, 'ingress.yaml'), args)
    await expect(readFileSources([join(dir, 'ingress.yaml')])).rejects.toThrow(`${join(dir, 'ingress.yaml')}:9:5: malformed YAML where $DEFAULT_CERT is a shell template placeholder: fill the template in`)
    // As addons/dns/coredns.yaml: a string where Kubernetes takes a boolean.
    const escalation = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: web}\nspec:\n  containers:\n  - name: c\n    securityContext:\n      allowPrivilegeEscalation: $ALLOWESCALATION\n'
    await writeFile(join(dir, 'pod.yaml'), escalation)
    await expect(readFileSources([join(dir, 'pod.yaml')])).rejects.toThrow(
      /pod\.yaml:8:7 at spec\.containers\[0\]\.securityContext\.allowPrivilegeEscalation: Invalid input: expected boolean, received string: \$ALLOWESCALATION is a shell template placeholder/,
    )
    // No placeholder where it breaks: the file is only malformed, and says where and why.
    await writeFile(join(dir, 'broken.yaml'), 'apiVersion: v1\nkind: Pod\n  metadata: x\n')
    await expect(readFileSources([join(dir, 'broken.yaml')])).rejects.toThrow(/broken\.yaml:2:7: malformed YAML: Nested mappings are not allowed in compact mappings$/)
  })
})
