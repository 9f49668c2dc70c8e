/**
 * The kustomize subset `hardenctl manifests` implements (src/deploy/kustomize.ts): what it does
 * and that it refuses what it does not implement instead of rendering something else.
 */
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {applyJsonPatch, buildKustomization, ManifestError, splitImage} from '../../src/deploy/kustomize.js'

let dir: string

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hardenctl-kustomize-'))
})
afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      initContainers: [{name: init, image: example.org/tools:1}]
      containers: [{name: web, image: example.org/web:1.0}, {name: side, image: "example.org/web@sha256:${'b'.repeat(64)}"}]
`

describe('buildKustomization', () => {
  it('bases, resources, namespace (not on cluster-scoped kinds), images and JSON patches', async () => {
    await mkdir(join(dir, 'base'))
    await writeFile(join(dir, 'base', 'kustomization.yaml'), 'resources: [deployment.yaml, role.yaml]\nnamespace: apps\n')
    await writeFile(join(dir, 'base', 'deployment.yaml'), DEPLOYMENT)
    await writeFile(join(dir, 'base', 'role.yaml'), 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules: [{apiGroups: [""], resources: [pods], verbs: [get]}]\n')
    await writeFile(
      join(dir, 'kustomization.yaml'),
      [
        'bases: [base]',
        'images:',
        '  - {name: example.org/web, newName: registry.local/web, newTag: "2.0"}',
        `  - {name: example.org/tools, digest: "sha256:${'c'.repeat(64)}"}`,
        'patchesJson6902:',
        '  - {target: {group: rbac.authorization.k8s.io, version: v1, kind: ClusterRole, name: r}, path: patch.yaml}',
      ].join('\n'),
    )
    await writeFile(
      join(dir, 'patch.yaml'),
      '- {op: add, path: /rules/-, value: {apiGroups: [""], resources: [services], verbs: [list]}}\n- {op: replace, path: /rules/0/verbs, value: [get, watch]}\n- {op: add, path: /metadata/labels, value: {a~1b: c}}\n- {op: remove, path: /metadata/labels}\n',
    )
    const [deployment, role] = await buildKustomization(dir)
    expect(deployment!.metadata.namespace).toBe('apps')
    expect(role!.metadata.namespace).toBeUndefined()
    const spec = (deployment as unknown as {spec: {template: {spec: {containers: {image: string}[]; initContainers: {image: string}[]}}}}).spec.template.spec
    // As kustomize v5 does (v2.0.3 leaves an image given by digest alone; manifests/ has none).
    expect(spec.containers.map((c) => c.image)).toEqual(['registry.local/web:2.0', 'registry.local/web:2.0'])
    expect(spec.initContainers[0]!.image).toBe(`example.org/tools@sha256:${'c'.repeat(64)}`)
    expect(role!.rules).toEqual([
      {apiGroups: [''], resources: ['pods'], verbs: ['get', 'watch']},
      {apiGroups: [''], resources: ['services'], verbs: ['list']},
    ])
    expect(role!.metadata.labels).toBeUndefined()
  })

  it('refuses kustomization fields it does not implement, naming the file', async () => {
    await writeFile(join(dir, 'kustomization.yaml'), 'resources: [d.yaml]\ncommonLabels: {a: b}\n')
    await expect(buildKustomization(dir)).rejects.toThrow(ManifestError)
    await expect(buildKustomization(dir)).rejects.toThrow(/kustomization.yaml: unsupported kustomization field commonLabels/)
  })

  it('refuses a patch whose target is missing, a path that does not exist and unsupported ops', async () => {
    await writeFile(join(dir, 'd.yaml'), DEPLOYMENT)
    await writeFile(join(dir, 'kustomization.yaml'), 'resources: [d.yaml]\npatchesJson6902: [{target: {kind: Deployment, name: other}, path: p.yaml}]\n')
    await writeFile(join(dir, 'p.yaml'), '[]\n')
    await expect(buildKustomization(dir)).rejects.toThrow(/target Deployment other is not among the resources/)
    const object = {spec: {list: [1]}}
    expect(() => applyJsonPatch(object, [{op: 'replace', path: '/spec/nothing', value: 1}], 'p.yaml')).toThrow(/does not exist/)
    expect(() => applyJsonPatch(object, [{op: 'remove', path: '/spec/list/1'}], 'p.yaml')).toThrow(/no such index/)
    expect(() => applyJsonPatch(object, [{op: 'move', from: '/spec/list', path: '/spec/other'}], 'p.yaml')).toThrow(/unsupported JSON patch op move/)
  })

  it('a missing file is a one-line error saying the installation lacks manifests/', async () => {
    await expect(buildKustomization(join(dir, 'nowhere'), dir)).rejects.toThrow(/^nowhere\/kustomization.yaml: cannot read \(ENOENT\): this hardenctl installation lacks/)
  })
})

describe('splitImage', () => {
  it.each([
    ['web', {name: 'web'}],
    ['web:1', {name: 'web', tag: '1'}],
    ['localhost:5000/web', {name: 'localhost:5000/web'}],
    ['localhost:5000/web:2', {name: 'localhost:5000/web', tag: '2'}],
    ['ghcr.io/a/b:1@sha256:abc', {name: 'ghcr.io/a/b', tag: '1', digest: 'sha256:abc'}],
  ])('%s', (image, expected) => {
    expect(splitImage(image)).toEqual(expected)
  })
})
