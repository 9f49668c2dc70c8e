/**
 * `hardenctl manifests`: the objects of manifests/ (shipped in the package) rendered with the
 * image, schedule and namespace asked for, for users without kustomize. The same kustomizations
 * `kubectl kustomize manifests/` and `manifests/overlays/pod-security/` build are read at run
 * time, so the two never drift (test/deploy checks they print the same objects).
 */
import {join} from 'node:path'

import {stringify} from 'yaml'

import {buildKustomization, CLUSTER_SCOPED_KINDS, containersIn, type KubeManifest, ManifestError, splitImage} from './kustomize.js'
import {validateImage, validateNamespace, validateSchedule} from './validate.js'

/** The image name the manifests carry as a placeholder (kustomization `images:`). */
export const PLACEHOLDER_IMAGE = 'ghcr.io/hardenctl/hardenctl'
/** The namespace manifests/base puts everything in. */
export const DEFAULT_NAMESPACE = 'hardenctl-system'
export const DEFAULT_SCHEDULE = '*/30 * * * *'
/** The CronJob whose schedule `--schedule` sets. */
const CRONJOB = 'hardenctl'

/** Where the kustomizations are, relative to the package root. */
export const MANIFEST_DIRS = {
  base: 'manifests',
  podSecurity: join('manifests', 'overlays', 'pod-security'),
} as const

export interface ManifestOptions {
  /** The package root (oclif's `config.root`), where manifests/ ships. */
  root: string
  image: string
  schedule: string
  namespace?: string
  /** Render manifests/overlays/pod-security (adds `patch` on namespaces) instead of the base. */
  podSecurity?: boolean
}

export async function renderManifests(options: ManifestOptions): Promise<KubeManifest[]> {
  const image = validateImage(options.image)
  const schedule = validateSchedule(options.schedule)
  const namespace = validateNamespace(options.namespace ?? DEFAULT_NAMESPACE)

  const dir = join(options.root, options.podSecurity ? MANIFEST_DIRS.podSecurity : MANIFEST_DIRS.base)
  const objects = await buildKustomization(dir, options.root)

  setHardenctlImage(objects, image)
  setSchedule(objects, schedule)
  if (namespace !== DEFAULT_NAMESPACE) moveNamespace(objects, DEFAULT_NAMESPACE, namespace)
  return objects
}

/** Multi-document YAML for `kubectl apply -f -`, with a header saying how it was made. */
export function manifestsYaml(objects: KubeManifest[], header: string[] = []): string {
  const comments = header.map((line) => `# ${line}\n`).join('')
  // YAML 1.1 output quotes the strings kubectl (YAML 1.1) would otherwise read as booleans or numbers.
  const documents = objects.map((object) => stringify(object, {version: '1.1', blockQuote: 'literal', lineWidth: 0, aliasDuplicateObjects: false}))
  return comments + documents.map((document) => `---\n${document}`).join('')
}

function setHardenctlImage(objects: KubeManifest[], image: string): void {
  let found = 0
  for (const container of containersIn(objects)) {
    if (typeof container.image === 'string' && splitImage(container.image).name === PLACEHOLDER_IMAGE) {
      container.image = image
      found++
    }
  }
  if (found === 0) throw new ManifestError(MANIFEST_DIRS.base, `no container uses the image ${PLACEHOLDER_IMAGE} that --image replaces`)
}

function setSchedule(objects: KubeManifest[], schedule: string): void {
  const cronJob = objects.find((object) => object.kind === 'CronJob' && object.metadata.name === CRONJOB)
  const spec = cronJob?.spec
  if (!cronJob || typeof spec !== 'object' || spec === null) throw new ManifestError(MANIFEST_DIRS.base, `no CronJob ${CRONJOB} whose schedule --schedule sets`)
  ;(spec as Record<string, unknown>).schedule = schedule
}

/**
 * Moves everything from one namespace to another: namespaced objects, the Namespace object itself
 * and the ServiceAccount subjects of (Cluster)RoleBindings, which kustomize's `namespace:` does
 * not all do (v2 leaves the Namespace's name, v5 the binding's subject).
 */
function moveNamespace(objects: KubeManifest[], from: string, to: string): void {
  for (const object of objects) {
    if (object.kind === 'Namespace') {
      if (object.metadata.name === from) object.metadata.name = to
    } else if (!CLUSTER_SCOPED_KINDS.has(object.kind)) {
      if (object.metadata.namespace === from || object.metadata.namespace === undefined) object.metadata.namespace = to
    }
    if ((object.kind === 'ClusterRoleBinding' || object.kind === 'RoleBinding') && Array.isArray(object.subjects)) {
      for (const subject of object.subjects as Record<string, unknown>[]) {
        if (subject.kind === 'ServiceAccount' && subject.namespace === from) subject.namespace = to
      }
    }
  }
}
