/**
 * Takes secrets out of live documents before anything reads or writes them: Secret data,
 * credential-looking charm options and environment values, passwords in controller config. A
 * live audit reads the redacted documents too, so no secret can reach a report, and the audit of
 * a snapshot finds exactly what the live audit found. A redacted value keeps being "set" (it
 * becomes `<redacted>`), so rules that flag plain-text credentials still fire on it.
 */
import {isMap, isPair, isScalar, parseAllDocuments, visit} from 'yaml'

import {holdsMaterial, isCredentialOption, isTlsMaterialOption} from '../inventory/charm-options.js'
import type {SourceDocument} from './source-document.js'

export const REDACTED = '<redacted>'

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration'

const isSecretName = (name: string): boolean => isCredentialOption(name) || isTlsMaterialOption(name)

export function redactDocuments(documents: SourceDocument[]): SourceDocument[] {
  return documents.map((document) => {
    if (document.text !== undefined) return {...document, text: redactBundleText(document.text)}
    if (document.path.startsWith('kubernetes/')) {
      redactKubernetesList(document.data)
      return document
    }
    if (document.path.endsWith('/controller-config.json')) return {...document, data: redactValues(document.data)}
    return document
  })
}

/** Bundle and overlay `options:` values; edits the YAML nodes so the rest of the text is kept. */
function redactBundleText(text: string): string {
  if (!text.includes('options:')) return text
  const documents = parseAllDocuments(text)
  if (!Array.isArray(documents)) return text
  let changed = false
  for (const document of documents) {
    visit(document, {
      Pair(_, pair, path) {
        const parent = path[path.length - 2]
        if (!isScalar(pair.key) || !isScalar(pair.value) || !isOptionsMap(parent)) return
        if (isSecretName(String(pair.key.value)) && holdsMaterial(pair.value.value)) {
          pair.value.value = REDACTED
          changed = true
        }
      },
    })
  }
  return changed ? documents.map((document) => document.toString()).join('') : text
}

/** True when `node` is the value of an `options:` key. */
function isOptionsMap(node: unknown): boolean {
  return isPair(node) && isScalar(node.key) && node.key.value === 'options' && isMap(node.value)
}

function redactKubernetesList(list: unknown): void {
  const items = (list as {items?: unknown[]} | undefined)?.items
  if (!Array.isArray(items)) return
  for (const item of items) redactKubernetesObject(item as Record<string, unknown>)
}

function redactKubernetesObject(object: Record<string, unknown>): void {
  if (object.kind === 'Secret') {
    for (const field of ['data', 'stringData'] as const) {
      const data = object[field]
      if (data && typeof data === 'object') for (const key of Object.keys(data)) (data as Record<string, unknown>)[key] = REDACTED
    }
    const annotations = (object.metadata as {annotations?: Record<string, string>} | undefined)?.annotations
    if (annotations?.[LAST_APPLIED] !== undefined) annotations[LAST_APPLIED] = REDACTED
  }
  for (const container of podContainers(object)) {
    for (const variable of container.env ?? []) {
      if (typeof variable.value === 'string' && isSecretName(variable.name ?? '') && holdsMaterial(variable.value)) variable.value = REDACTED
    }
  }
}

type Container = {env?: {name?: string; value?: unknown}[]}

type PodTemplate = {spec?: {containers?: Container[]; initContainers?: Container[]}}

/** Containers of a Pod, of a workload's pod template, or of a CronJob's job template. */
function podContainers(object: Record<string, unknown>): Container[] {
  const spec = (object.spec ?? {}) as {containers?: Container[]; initContainers?: Container[]; template?: PodTemplate; jobTemplate?: {spec?: {template?: PodTemplate}}}
  const podSpec = object.kind === 'Pod' ? spec : object.kind === 'CronJob' ? spec.jobTemplate?.spec?.template?.spec : spec.template?.spec
  return [...(podSpec?.containers ?? []), ...(podSpec?.initContainers ?? [])]
}

/** Any value under a secret-sounding key, at any depth. */
function redactValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactValues)
  if (!value || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(value)) out[key] = isSecretName(key) && holdsMaterial(inner) ? REDACTED : redactValues(inner)
  return out
}
