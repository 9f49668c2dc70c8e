/**
 * Reads what `kubectl get ... -o json` (or `-o yaml`) prints: a `kind: List` whose items carry
 * their own kind, a typed API list (`PodList`) whose items carry neither kind nor apiVersion, or a
 * single object. Every object is validated once with its kind's schema and becomes a
 * `kube-object` contribution; the kinds seen become `input` contributions, also for an empty
 * list, since "there are none" is itself a fact (no NetworkPolicies → no default deny).
 */
import type {Contribution, DocumentReader, ReadContext} from '../../inventory/contributions.js'
import type {KubeObject} from '../../inventory/kubernetes.js'
import type {InputKind} from '../../inventory/types.js'
import {InputError} from '../../errors.js'
import type {DataPath, SourceRef} from '../document.js'
import {deepFreeze} from '../freeze.js'
import {onceIfFrozen, validate} from '../validate.js'
import {GENERIC_SPEC, inputsFromFileName, specFor} from '../../inventory/kubernetes-kinds.js'

type Json = Record<string, unknown>

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * An object `kubectl` or the API server printed: a plain object with string apiVersion and kind
 * (but not a hardenctl policy, which looks the same and is read with --policy).
 */
export function isKubernetesDocument(data: unknown): data is Json & {apiVersion: string; kind: string} {
  return (
    isRecord(data) &&
    typeof data.apiVersion === 'string' &&
    typeof data.kind === 'string' &&
    !data.apiVersion.startsWith('hardenctl.io/')
  )
}

function isList(doc: Json & {kind: string}): boolean {
  return doc.kind === 'List' || (doc.kind.endsWith('List') && 'items' in doc)
}

export const kubernetesReader: DocumentReader = {
  kind: 'kubernetes objects',
  recognises(data) {
    return isKubernetesDocument(data)
  },
  read(data, context) {
    if (!isKubernetesDocument(data)) {
      throw new InputError(context.file, 'expected a Kubernetes object or list (an object with string apiVersion and kind)')
    }
    const out = new Output(context)
    if (isList(data)) readList(data, out)
    else readObject(data, data.apiVersion, data.kind, [], out)
    return out.finish()
  },
}

function readList(list: Json & {apiVersion: string; kind: string}, out: Output): void {
  // kubectl and the API always write `items` (`[]` when nothing was found): a list without them
  // was cut or edited, and must not read as proof that there is nothing of its kind.
  if (list.items === undefined || list.items === null) {
    throw new InputError(out.context.file, `a ${list.kind} without items (${list.items === null ? 'null' : 'missing'}) does not show that there are none; expected items: [] for an empty list`, {path: ['items']})
  }
  const items = list.items
  if (!Array.isArray(items)) {
    throw new InputError(out.context.file, `expected items (an array) in a ${list.kind}`, {path: ['items']})
  }
  const generic = list.kind === 'List'
  // A typed list (`PodList`) names its items' kind; its items carry neither kind nor apiVersion.
  const itemKind = generic ? undefined : list.kind.slice(0, -'List'.length)
  if (itemKind !== undefined) {
    const spec = specFor(list.apiVersion, itemKind)
    if (spec) out.inputs.add(spec.input)
  } else if (items.length === 0) {
    // `kubectl get networkpolicies -A -o json` with nothing found prints an empty `kind: List`:
    // only the file name says what was listed.
    for (const input of inputsFromFileName(out.context.file)) out.inputs.add(input)
  }
  for (let i = 0; i < items.length; i++) {
    const item: unknown = items[i]
    const path = ['items', i] as const
    if (!isRecord(item)) {
      throw new InputError(out.context.file, `expected a Kubernetes object in ${list.kind} items`, {path})
    }
    const apiVersion = typeof item.apiVersion === 'string' ? item.apiVersion : generic ? undefined : list.apiVersion
    const kind = typeof item.kind === 'string' ? item.kind : itemKind
    if (apiVersion === undefined || kind === undefined) {
      const missing = kind === undefined ? 'kind' : 'apiVersion'
      throw new InputError(out.context.file, `expected ${missing} (a string): items of a \`kind: List\` carry their own`, {
        path: [...path, missing],
      })
    }
    readObject(item, apiVersion, kind, path, out)
  }
}

function readObject(object: Json, apiVersion: string, kind: string, path: DataPath, out: Output): void {
  if (kind === 'Status' && apiGroupless(apiVersion)) {
    out.status(object, path)
    return
  }
  // Not needed by the command reading: skipped, not validated (FileSourceOptions.kubernetesKindsOnly).
  if (out.context.kubernetesKindsOnly && !out.context.kubernetesKindsOnly.has(kind)) return
  const frozen = Object.isFrozen(object)
  const kept = frozen ? keptObjects.get(object) : undefined
  if (kept && kept.contribution.object.apiVersion === apiVersion && kept.contribution.object.kind === kind && sameRef(kept.contribution.object.ref, out.context, path)) {
    if (kept.input) out.inputs.add(kept.input)
    out.objects.push(kept.contribution)
    return
  }
  const spec = specFor(apiVersion, kind)
  const schema = spec?.schema ?? GENERIC_SPEC.schema
  const check = (): void => {
    validate(schema, object, {
      file: out.context.file,
      document: out.context.document,
      locator: out.context.locator,
      basePath: path,
      what: `Kubernetes ${kind}`,
    })
  }
  // The watch stores (src/sources/kubernetes-api/watch.ts) hand every pass the same deeply
  // frozen objects: each is checked once per schema. Only that it passed is kept, not zod's copy.
  onceIfFrozen(schema, object, () => {
    try {
      check()
    } catch (error) {
      // Kubernetes decodes `null` (YAML's empty `metadata:`) as an absent field; so do we, but
      // only for objects that need it, so the common case pays no extra walk.
      if (!(error instanceof InputError) || !dropNullFields(object)) throw error
      check()
    }
    return true
  })
  // Keep the object JSON.parse made, not zod's copy: the schemas only check (no defaults, no
  // transforms), so both are the same data, and the copy dies young instead of doubling the heap.
  // A frozen one is copied at the top, where the fields below are set.
  const parsed = frozen ? {...object} : object
  // The API server decodes a NetworkPolicy without podSelector (or with it null, dropped above) as
  // the empty selector, every pod of the namespace; so do we, for hand-written manifests.
  if (kind === 'NetworkPolicy' && isRecord(parsed.spec) && parsed.spec.podSelector === undefined) parsed.spec = {...parsed.spec, podSelector: {}}
  // A manifest's namespaced object without a namespace lands where `kubectl apply` puts it: the
  // context's namespace, `default` unless set. Read it there, and say so once per file.
  if (spec?.served?.scope === 'namespaced' && isRecord(parsed.metadata) && parsed.metadata.namespace === undefined) {
    parsed.metadata = {...parsed.metadata, namespace: 'default'}
    out.withoutNamespace++
  }
  if (spec) out.inputs.add(spec.input)
  const ref: SourceRef = {file: out.context.file, document: out.context.document, path}
  parsed.apiVersion = apiVersion
  parsed.kind = kind
  parsed.ref = ref
  const contribution: KubeObjectContribution = {type: 'kube-object', object: parsed as KubeObject}
  if (frozen) {
    deepFreeze(contribution)
    keptObjects.set(object, {contribution, ...(spec ? {input: spec.input} : {})})
  }
  out.objects.push(contribution)
}

type KubeObjectContribution = Extract<Contribution, {type: 'kube-object'}>

/**
 * What `readObject` made of each deeply frozen object, for the place it was read at: the watch
 * stores (src/sources/kubernetes-api/watch.ts) hand every pass the same frozen objects, and each
 * is read once, not once per pass. What was made is frozen too, so no pass can change it for the next.
 */
const keptObjects = new WeakMap<object, {contribution: KubeObjectContribution; input?: InputKind}>()

/** Whether `ref` is the place `path` of the document being read. */
function sameRef(ref: SourceRef, context: ReadContext, path: DataPath): boolean {
  if (ref.file !== context.file || ref.document !== context.document || ref.path.length !== path.length) return false
  for (let i = 0; i < path.length; i++) if (ref.path[i] !== path[i]) return false
  return true
}

function apiGroupless(apiVersion: string): boolean {
  return !apiVersion.includes('/')
}

class Output {
  readonly inputs = new Set<InputKind>()
  readonly objects: Contribution[] = []
  /** How many namespaced objects were read without `metadata.namespace` (put in `default`). */
  withoutNamespace = 0
  private readonly gaps: Contribution[] = []

  constructor(readonly context: ReadContext) {}

  /**
   * A `kind: Status` failure is what the API server returns instead of a list it refused
   * (`Forbidden`): keep it as a gap, so rules needing that kind say "not evaluated".
   */
  status(object: Json, path: DataPath): void {
    if (object.status !== 'Failure') return
    const details = isRecord(object.details) ? object.details : {}
    const hinted = inputsFromFileName(this.context.file)[0]
    const kind = typeof details.kind === 'string' ? details.kind : (hinted ?? 'kubernetes')
    const message = [object.reason, object.message].filter((part) => typeof part === 'string' && part !== '').join(': ')
    this.gaps.push({
      type: 'gap',
      scope: this.scope(),
      gap: {
        target: {kind, name: typeof details.name === 'string' ? details.name : '*'},
        message: message || 'the API server returned a failure Status instead of objects',
        ref: {file: this.context.file, document: this.context.document, path},
      },
    })
  }

  finish(): Contribution[] {
    if (this.withoutNamespace > 0) {
      this.context.warn?.('namespaced objects without metadata.namespace are read as in namespace default, where kubectl apply puts them unless the context or -n names another')
    }
    const result: Contribution[] = [...this.gaps]
    for (const input of this.inputs) result.push({type: 'input', scope: this.scope(), input})
    // Avoid a spread of a possibly very long array into another call's arguments.
    for (const object of this.objects) result.push(object)
    return result
  }

  private scope() {
    return {...this.context.scope, file: this.context.file}
  }
}

/** Deletes every field whose value is null, in place, at any depth; true when one was deleted. */
function dropNullFields(value: unknown): boolean {
  let dropped = false
  if (Array.isArray(value)) {
    for (const item of value) dropped = dropNullFields(item) || dropped
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>
    for (const key of Object.keys(record)) {
      if (record[key] === null) {
        delete record[key]
        dropped = true
      } else dropped = dropNullFields(record[key]) || dropped
    }
  }
  return dropped
}
