/**
 * Checks one `kubectl ...` command: subcommand and flags (kubectl-syntax.ts), resource types,
 * object and namespace names, that the object exists when its kind was read, label keys, patch
 * and manifest bodies (Kubernetes schema), and that it does not delete what Juju manages.
 */
import {parse as parseYaml} from 'yaml'

import {type CommandContext, placeholder} from './context.js'
import {findKubeObject, type KubeKind, kubeKind, namespaceKnown} from './estate.js'
import {kubeBool, kubeFlag, type ParsedKubectl, parseKubectl} from './kubectl-syntax.js'
import {isObject, manifestProblems, mergePatch, modelForKind, schemaProblems} from './manifests.js'
import {isDnsLabel, isDnsSubdomain, isLabelValue, isQualifiedName} from './names.js'
import type {Word} from './shell.js'

const JUJU_MANAGED = 'app.kubernetes.io/managed-by'

/** `piped`: the words of the command piped into this one (`echo '{...}' | kubectl apply -f -`). */
export function checkKubectl(words: readonly Word[], ctx: CommandContext, piped: readonly Word[] | undefined): void {
  const parsed = parseKubectl(words)
  if ('unknown' in parsed) {
    ctx.report('unknown-subcommand', `"kubectl ${parsed.unknown}" is not a kubectl subcommand in the checker's table`)
    return
  }
  for (const p of parsed.problems) ctx.report(p.check, p.problem)
  const namespace = kubeFlag(parsed, 'n', 'namespace')
  const nsUsable = namespace !== undefined && namespaceArg(ctx, namespace)
  const ns = nsUsable ? namespace : undefined
  const k = {ctx, parsed, namespace: ns, namespacePlaceholder: namespace !== undefined && !nsUsable}
  switch (parsed.command.name) {
    case 'apply':
      return apply(k, piped)
    case 'label':
    case 'annotate':
      return labelOrAnnotate(k)
    case 'patch':
      return patch(k)
    case 'create secret tls':
      return secretTls(k)
    default:
      return resources(k)
  }
}

interface KubeContext {
  ctx: CommandContext
  parsed: ParsedKubectl
  /** `-n`, when it is a real, valid namespace. */
  namespace: string | undefined
  /** `-n` is a placeholder (or invalid): objects in it cannot be looked up. */
  namespacePlaceholder: boolean
}

/** True when the namespace is a real name (not a placeholder) and valid. */
export function namespaceArg(ctx: CommandContext, namespace: string): boolean {
  const p = placeholder(ctx, namespace, 'namespace')
  if (p !== undefined) return false
  if (!isDnsLabel(namespace)) {
    ctx.report('kube-namespace', `-n "${namespace}" is not a valid namespace name (a DNS-1123 label: lower case letters, digits and "-", at most 63 characters)`)
    return false
  }
  if (namespaceKnown(ctx.estate, namespace) === false) ctx.report('kube-object-missing', `namespace ${namespace} is not among the namespaces read`)
  return true
}

interface ResourceRef {
  kind: KubeKind
  name: string
}

/** `TYPE NAME...` or `TYPE/NAME...` at the start of the positionals; returns the rest. */
function resourceArgs(k: KubeContext, positionals: readonly Word[], many: boolean): {refs: ResourceRef[]; rest: Word[]} {
  const refs: ResourceRef[] = []
  const first = positionals[0]?.value
  if (first === undefined) {
    if (!kubeFlag(k.parsed, 'f', 'filename', 'k', 'kustomize')) k.ctx.report('positional-count', `kubectl ${k.parsed.command.name} needs TYPE NAME (${k.parsed.command.usage})`)
    return {refs, rest: []}
  }
  let i = 0
  if (first.includes('/')) {
    for (; i < positionals.length && positionals[i]!.value.includes('/') && !positionals[i]!.value.includes('='); i++) {
      const [type = '', name = ''] = positionals[i]!.value.split('/')
      const kind = resourceType(k, type)
      if (kind) refs.push({kind, name})
      if (!many) {
        i++
        break
      }
    }
  } else {
    const kind = resourceType(k, first)
    i = 1
    for (; i < positionals.length && (many || i === 1); i++) {
      const value = positionals[i]!.value
      if (value.includes('=') || value.endsWith('-')) break
      if (kind) refs.push({kind, name: value})
    }
    if (i === 1 && !kubeBool(k.parsed, 'all', 'l', 'selector')) k.ctx.report('positional-count', `kubectl ${k.parsed.command.name} ${first} needs a NAME (${k.parsed.command.usage})`)
  }
  for (const ref of refs) objectName(k, ref)
  return {refs, rest: positionals.slice(i)}
}

function resourceType(k: KubeContext, type: string): KubeKind | undefined {
  const kind = kubeKind(type)
  if (!kind) k.ctx.report('kube-type', `"${type}" is not a Kubernetes resource type the checker knows`)
  return kind
}

/** The object's name is valid, it is where the command looks for it, and it exists if its kind was read. */
function objectName(k: KubeContext, ref: ResourceRef): ReturnType<typeof findKubeObject> {
  const {ctx} = k
  if (placeholder(ctx, ref.name, ref.kind.kind === 'Namespace' ? 'namespace' : 'kube-name') !== undefined) return undefined
  const valid = ref.kind.kind === 'Namespace' ? isDnsLabel(ref.name) : isDnsSubdomain(ref.name)
  if (!valid) {
    ctx.report('kube-name', `"${ref.name}" is not a valid ${ref.kind.kind} name`)
    return undefined
  }
  if (k.namespacePlaceholder) return undefined
  if (ref.kind.namespaced && k.namespace === undefined) {
    const inDefault = findKubeObject(ctx.estate, ref.kind, ref.name, 'default')
    if (!inDefault) ctx.report('kube-namespace', `${ref.kind.kind} ${ref.name} is namespaced but the command has no -n: kubectl acts in the current namespace`)
    return inDefault
  }
  const found = findKubeObject(ctx.estate, ref.kind, ref.name, k.namespace)
  if (found === null) ctx.report('kube-object-missing', `${ref.kind.kind} ${k.namespace && ref.kind.namespaced ? `${k.namespace}/` : ''}${ref.name} is not among the ${ref.kind.plural} read`)
  return found
}

function apply(k: KubeContext, piped: readonly Word[] | undefined): void {
  const {ctx, parsed} = k
  const files = parsed.flags.filter((f) => ['f', 'filename', 'k', 'kustomize'].includes(f.name))
  if (files.length === 0) ctx.report('flag-value', 'kubectl apply needs -f FILENAME or -k DIRECTORY')
  if (parsed.positionals.length > 0) ctx.report('positional-count', `kubectl apply takes no arguments, got ${parsed.positionals.map((w) => w.value).join(' ')}`)
  if (!files.some((f) => f.value === '-')) return
  if (!piped || piped[0]?.value !== 'echo' || piped.length !== 2) {
    ctx.report('kube-manifest', 'kubectl apply -f - reads the manifest from stdin, but nothing is piped into it')
    return
  }
  const manifest = piped[1]!.value
  for (const problem of manifestProblems(manifest, k.namespace)) ctx.report('kube-manifest', problem)
  let data: unknown
  try {
    data = manifest.trim().startsWith('{') ? JSON.parse(manifest) : parseYaml(manifest)
  } catch {
    return
  }
  if (!isObject(data) || !isObject(data.metadata)) return
  const ns = data.metadata.namespace
  const kind = typeof data.kind === 'string' ? kubeKind(data.kind) : undefined
  if (kind?.namespaced && ns === undefined && k.namespace === undefined && !k.namespacePlaceholder) {
    ctx.report('kube-namespace', `the ${kind.kind} has no metadata.namespace and the command no -n: it lands in the current namespace`)
  }
  if (typeof ns === 'string' && isDnsLabel(ns) && namespaceKnown(ctx.estate, ns) === false) ctx.report('kube-object-missing', `namespace ${ns} is not among the namespaces read`)
}

function labelOrAnnotate(k: KubeContext): void {
  const {ctx, parsed} = k
  const {refs, rest} = resourceArgs(k, parsed.positionals, false)
  const label = parsed.command.name === 'label'
  if (rest.length === 0) ctx.report('positional-count', `kubectl ${parsed.command.name} needs KEY=VALUE arguments`)
  const keys: string[] = []
  for (const word of rest) {
    const spec = word.value
    if (spec.endsWith('-') && !spec.includes('=')) continue
    const eq = spec.indexOf('=')
    if (eq < 1) {
      ctx.report('kube-label', `"${spec}" is not KEY=VALUE or KEY-`)
      continue
    }
    const key = spec.slice(0, eq)
    const value = spec.slice(eq + 1)
    keys.push(key)
    if (!isQualifiedName(key)) ctx.report('kube-label', `"${key}" is not a valid ${parsed.command.name} key ([prefix/]name)`)
    if (label && !isLabelValue(value)) ctx.report('kube-label', `"${value}" is not a valid label value`)
  }
  const ref = refs[0]
  if (!ref || kubeBool(parsed, 'overwrite') || k.namespacePlaceholder) return
  const object = findKubeObject(ctx.estate, ref.kind, ref.name, k.namespace)
  const existing = object ? (label ? object.metadata.labels : (object.metadata as {annotations?: Record<string, string>}).annotations) : undefined
  for (const key of keys) {
    if (existing && key in existing) {
      ctx.report('kube-label-overwrite', `${ref.kind.kind} ${ref.name} already has ${key}=${existing[key]}: without --overwrite kubectl fails ("'${key}' already has a value (${existing[key]}), and --overwrite is false")`)
    }
  }
}

function patch(k: KubeContext): void {
  const {ctx, parsed} = k
  const {refs} = resourceArgs(k, parsed.positionals, false)
  const body = kubeFlag(parsed, 'p', 'patch')
  const file = kubeFlag(parsed, 'patch-file')
  if (body === undefined && file === undefined) ctx.report('flag-value', 'kubectl patch needs --patch (-p) or --patch-file')
  if (body === undefined) return
  const type = kubeFlag(parsed, 'type') ?? 'strategic'
  let data: unknown
  try {
    data = parseYaml(body)
  } catch (error) {
    ctx.report('kube-patch', `the patch is not valid JSON or YAML: ${(error as Error).message.split('\n')[0]}`)
    return
  }
  if (type === 'json') {
    if (!Array.isArray(data)) ctx.report('kube-patch', '--type=json takes a JSON patch (a list of operations)')
    return
  }
  if (!isObject(data)) {
    ctx.report('kube-patch', `a ${type} merge patch is an object, got ${JSON.stringify(data)}`)
    return
  }
  const ref = refs[0]
  const model = ref ? modelForKind(ref.kind.kind) : undefined
  if (!ref || !model) return
  const skeleton = {apiVersion: model.apiVersion, kind: model.kind, metadata: {name: ref.name}}
  // The patch merges into the live object, which has the required fields the skeleton lacks.
  for (const problem of schemaProblems(model, mergePatch(skeleton, data) as Record<string, unknown>)) {
    if (!/must have required property/.test(problem)) ctx.report('kube-patch', `after the patch, ${problem}`)
  }
}

function secretTls(k: KubeContext): void {
  const {ctx, parsed} = k
  if (parsed.positionals.length !== 1) ctx.report('positional-count', `kubectl create secret tls takes one NAME, got ${parsed.positionals.length}`)
  const name = parsed.positionals[0]?.value
  if (name !== undefined && placeholder(ctx, name, 'kube-name') === undefined && !isDnsSubdomain(name)) ctx.report('kube-name', `"${name}" is not a valid Secret name`)
  if (!kubeFlag(parsed, 'cert') || !kubeFlag(parsed, 'key')) ctx.report('flag-value', 'kubectl create secret tls needs both --cert and --key ("key and cert must be specified")')
}

/** delete, get, edit, rollout restart: the objects they name. */
function resources(k: KubeContext): void {
  const {ctx, parsed} = k
  const name = parsed.command.name
  const {refs, rest} = resourceArgs(k, parsed.positionals, name === 'delete' || name === 'get')
  if (rest.length > 0) ctx.report('positional-count', `unexpected arguments to kubectl ${name}: ${rest.map((w) => w.value).join(' ')}`)
  if (name === 'rollout restart') {
    for (const ref of refs) if (!['Deployment', 'DaemonSet', 'StatefulSet'].includes(ref.kind.kind)) ctx.report('kube-type', `rollout restart works on deployments, daemonsets and statefulsets, not ${ref.kind.plural}`)
  }
  if (name !== 'delete' || k.namespacePlaceholder) return
  for (const ref of refs) {
    const object = findKubeObject(ctx.estate, ref.kind, ref.name, k.namespace)
    const manager = object?.metadata.labels?.[JUJU_MANAGED]
    if (manager === 'juju') {
      const app = object!.metadata.labels?.['app.kubernetes.io/name']
      ctx.report(
        'juju-managed',
        `${ref.kind.kind} ${ref.name} is managed by Juju${app ? ` for application ${app}` : ''} (${JUJU_MANAGED}: juju): Juju recreates it or the charm depends on it; change it through Juju (e.g. juju trust ${app ?? 'APP'} --remove)`,
      )
    }
  }
}
