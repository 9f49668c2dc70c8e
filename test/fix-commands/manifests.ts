/**
 * Kubernetes objects inside fix commands (`echo '{...}' | kubectl apply -f -`) and the results of
 * `kubectl patch -p '{...}'`, validated against the Kubernetes OpenAPI schema (kubernetes-models).
 */
import {DaemonSet} from 'kubernetes-models/apps/v1/DaemonSet'
import {Deployment} from 'kubernetes-models/apps/v1/Deployment'
import {StatefulSet} from 'kubernetes-models/apps/v1/StatefulSet'
import {Ingress} from 'kubernetes-models/networking.k8s.io/v1/Ingress'
import {NetworkPolicy} from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy'
import {ClusterRole} from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole'
import {ClusterRoleBinding} from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding'
import {Role} from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role'
import {RoleBinding} from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding'
import {ConfigMap} from 'kubernetes-models/v1/ConfigMap'
import {Namespace} from 'kubernetes-models/v1/Namespace'
import {Pod} from 'kubernetes-models/v1/Pod'
import {Secret} from 'kubernetes-models/v1/Secret'
import {Service} from 'kubernetes-models/v1/Service'
import {ServiceAccount} from 'kubernetes-models/v1/ServiceAccount'
import {parse as parseYaml} from 'yaml'

import {isDnsLabel, isDnsSubdomain} from './names.js'

type ModelClass = (new (data: never) => {validate(): void}) & {apiVersion: string; kind: string}

const MODELS: readonly ModelClass[] = [
  NetworkPolicy,
  Ingress,
  Service,
  Namespace,
  Secret,
  ConfigMap,
  Pod,
  ServiceAccount,
  Role,
  RoleBinding,
  ClusterRole,
  ClusterRoleBinding,
  StatefulSet,
  Deployment,
  DaemonSet,
] as unknown as ModelClass[]

export function modelForKind(kind: string): ModelClass | undefined {
  return MODELS.find((m) => m.kind === kind)
}

/** Problems of one object as `kubectl apply` would meet it; `namespace` is the `-n` given. */
export function manifestProblems(text: string, namespace: string | undefined): string[] {
  let data: unknown
  try {
    data = text.trim().startsWith('{') ? JSON.parse(text) : parseYaml(text)
  } catch (error) {
    return [`the manifest is not valid JSON or YAML: ${(error as Error).message}`]
  }
  if (!isObject(data)) return ['the manifest is not an object']
  const problems: string[] = []
  const {apiVersion, kind} = data
  const model = typeof kind === 'string' ? modelForKind(kind) : undefined
  if (!model) return [`kind ${JSON.stringify(kind)} is not a Kubernetes kind the checker knows`]
  if (apiVersion !== model.apiVersion) problems.push(`apiVersion ${JSON.stringify(apiVersion)} is wrong for ${kind}: ${model.apiVersion}`)
  const metadata = isObject(data.metadata) ? data.metadata : {}
  if (typeof metadata.name !== 'string' || !isDnsSubdomain(metadata.name)) problems.push(`metadata.name ${JSON.stringify(metadata.name)} is not a valid object name`)
  const ns = metadata.namespace
  if (ns !== undefined && (typeof ns !== 'string' || !isDnsLabel(ns))) problems.push(`metadata.namespace ${JSON.stringify(ns)} is not a valid namespace`)
  if (typeof ns === 'string' && namespace !== undefined && ns !== namespace) problems.push(`metadata.namespace ${ns} contradicts -n ${namespace} (kubectl refuses it)`)
  problems.push(...schemaProblems(model, data))
  return problems
}

export function schemaProblems(model: ModelClass, data: Record<string, unknown>): string[] {
  try {
    new model({...data, apiVersion: model.apiVersion, kind: model.kind} as never).validate()
    return []
  } catch (error) {
    return [`${model.kind} fails the Kubernetes schema: ${(error as Error).message.split('\n')[0]}`]
  }
}

/** The object after a JSON merge patch (RFC 7386); strategic merge patches merge maps the same way. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch
  const out: Record<string, unknown> = isObject(target) ? {...target} : {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key]
    else out[key] = mergePatch(out[key], value)
  }
  return out
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
