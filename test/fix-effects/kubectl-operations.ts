/**
 * The kubectl steps of a fix's command line, and what each does to a copy of the inputs: `patch`
 * and `label` by the real kubectl (`--local`: the API server's merge, no cluster), a manifest piped
 * to `kubectl apply -f -` added, `delete` removing the object, and `hardenctl reconcile -n NS`
 * writing its plan for the namespace (reconcile-operation.ts). A patch of a workload reaches its
 * pods as the rollout would replace them.
 */
import {extractCommands} from '../fix-commands/extract.js'
import {kubectlLabelLocal, kubectlPatchLocal, patchOf, type PrintedPatch} from '../helpers/kubectl-patch.js'
import type {InputCopy, KubeObject} from './input-copy.js'
import {ADMIN_CIDRS} from './placeholders.js'
import {applyReconcile, type ReconcileOperation, reconcileOperation} from './reconcile-operation.js'

export type KubectlOperation =
  | {verb: 'patch'; patch: PrintedPatch}
  | {verb: 'label'; kind: string; name: string; labels: string[]}
  | {verb: 'apply'; objects: KubeObject[]}
  | {verb: 'delete'; kind: string; namespace: string | undefined; name: string}
  | ReconcileOperation

const KINDS: Record<string, string> = {
  namespace: 'Namespace',
  ns: 'Namespace',
  networkpolicy: 'NetworkPolicy',
  clusterrolebinding: 'ClusterRoleBinding',
  rolebinding: 'RoleBinding',
}

/** The fix's command line as kubectl operations (and `hardenctl reconcile -n NS`), or undefined when it holds anything else (a juju command, `kubectl edit`). */
export function kubectlOperations(remediation: string): KubectlOperation[] | undefined {
  const line = extractCommands(remediation).runs.find((run) => run.origin === 'line')
  if (!line) return undefined
  const operations: KubectlOperation[] = []
  for (let i = 0; i < line.segments.length; i++) {
    const segment = line.segments[i]!
    const words = segment.words.map((word) => word.value)
    if (words[0] === 'echo' && segment.separator === '|') {
      const next = line.segments[++i]?.words.map((word) => word.value).join(' ')
      if (next !== 'kubectl apply -f -') return undefined
      const manifest = JSON.parse(words.slice(1).join(' ').replaceAll('ADMIN-CIDRS', ADMIN_CIDRS)) as KubeObject | {items: KubeObject[]}
      operations.push({verb: 'apply', objects: 'items' in manifest ? manifest.items : [manifest]})
      continue
    }
    const operation = kubectlOperation(words) ?? reconcileOperation(words)
    if (!operation) return undefined
    operations.push(operation)
  }
  return operations.length > 0 ? operations : undefined
}

function kubectlOperation(words: readonly string[]): KubectlOperation | undefined {
  if (words[0] !== 'kubectl') return undefined
  const patch = patchOf(words)
  if (patch) return {verb: 'patch', patch: {...patch, body: patch.body.replaceAll('ADMIN-CIDRS', ADMIN_CIDRS)}}
  const args = words.slice(1)
  const namespaceAt = args.findIndex((word) => word === '-n' || word === '--namespace')
  const namespace = namespaceAt >= 0 ? args[namespaceAt + 1] : undefined
  const positionals = args.filter((word, i) => !(namespaceAt >= 0 && (i === namespaceAt || i === namespaceAt + 1)) && !word.startsWith('-'))
  const [verb, resource = '', name, ...rest] = positionals
  const kind = KINDS[resource]
  if (!kind || name === undefined) return undefined
  if (verb === 'label' && rest.every((label) => label.includes('='))) return {verb: 'label', kind, name, labels: rest}
  if (verb === 'delete' && rest.length === 0) return {verb: 'delete', kind, namespace, name}
  return undefined
}

/** Applies one operation to the copy; a problem when the object it names is not in the input. */
export async function applyOperation(copy: InputCopy, operation: KubectlOperation, context: {policyFile?: string | undefined; now: Date}): Promise<string | undefined> {
  switch (operation.verb) {
    case 'reconcile':
      return applyReconcile(copy, operation, context)
    case 'apply':
      await copy.add(operation.objects)
      return undefined
    case 'delete': {
      const targets = copy.objects.filter(({object}) => object.kind === operation.kind && object.metadata.name === operation.name && (operation.kind.startsWith('Cluster') || (object.metadata.namespace ?? 'default') === (operation.namespace ?? 'default')))
      if (targets.length === 0) return `the input holds no ${operation.kind} ${operation.name} to delete`
      for (const target of targets) target.remove()
      return undefined
    }
    case 'label': {
      const targets = copy.objects.filter(({object}) => object.kind === operation.kind && object.metadata.name === operation.name)
      if (targets.length === 0) return `the input holds no ${operation.kind} ${operation.name} to label`
      for (const target of targets) target.replace(kubectlLabelLocal(target.object, operation.labels))
      return undefined
    }
    case 'patch':
      return applyPatch(copy, operation.patch)
  }
}

/** Every copy of the object the patch names (a file may hold one twice), and its pods; only the pods when the input holds them and not their workload. */
function applyPatch(copy: InputCopy, patch: PrintedPatch): string | undefined {
  const namespace = patch.namespace ?? 'default'
  const targets = copy.objects.filter(({object}) => object.kind === patch.kind && object.metadata.name === patch.name && (object.metadata.namespace ?? 'default') === namespace)
  const podBody = podPatchBody(patch)
  const pods = podBody === undefined ? [] : copy.objects.filter(({object}) => ownedBy(object, patch.kind, patch.name, namespace))
  if (targets.length === 0 && pods.length === 0) return `the input holds no ${patch.kind} ${namespace}/${patch.name} (nor pods of it) to patch`
  for (const target of targets) target.replace(kubectlPatchLocal(target.object, patch.type, patch.body))
  for (const pod of pods) pod.replace(kubectlPatchLocal(pod.object, 'strategic', podBody!))
  return undefined
}

/** The pod spec part of a workload patch (`spec.template.spec`, a CronJob's under `jobTemplate`), as a patch of its pods. */
function podPatchBody(patch: PrintedPatch): string | undefined {
  if (patch.type !== 'strategic') return undefined
  const body = JSON.parse(patch.body) as {spec?: {template?: {spec?: unknown}; jobTemplate?: {spec?: {template?: {spec?: unknown}}}}}
  const podSpec = body.spec?.template?.spec ?? body.spec?.jobTemplate?.spec?.template?.spec
  return podSpec === undefined ? undefined : JSON.stringify({spec: podSpec})
}

/** Pods the workload runs: owned by it, or (a Deployment's) by one of its ReplicaSets. */
function ownedBy(pod: KubeObject, kind: string, name: string, namespace: string): boolean {
  if (pod.kind !== 'Pod' || (pod.metadata.namespace ?? 'default') !== namespace) return false
  return (pod.metadata.ownerReferences ?? []).some((owner) => (owner.kind === kind && owner.name === name) || (kind === 'Deployment' && owner.kind === 'ReplicaSet' && owner.name.startsWith(`${name}-`)))
}
