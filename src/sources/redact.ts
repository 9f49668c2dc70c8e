/**
 * Takes secrets out of live documents before anything reads or writes them: Secret data,
 * credential-looking charm options and environment values, passwords in controller config, and,
 * whatever the key, credentials inside values (redact-text.ts: URL passwords, `--password=` flags,
 * `PGPASSWORD=` assignments) in env values, container commands and args, charm options and
 * kubectl's last-applied annotation. A live audit reads the redacted documents too, so no secret
 * can reach a report, and the audit of a snapshot finds exactly what the live audit found. A
 * redacted value keeps being "set" (it becomes `<redacted>`), so rules that flag plain-text
 * credentials still fire on it.
 */
import {isMap, isPair, isScalar, parseAllDocuments, visit} from 'yaml'

import {holdsMaterial, isCredentialOption, isTlsMaterialOption} from '../inventory/charm-options.js'
import {REDACTED, redactArguments, redactCredentialsInText} from './redact-text.js'
import type {SourceDocument} from './source-document.js'

export {REDACTED} from './redact-text.js'

/** A number is material too: `root-password: 987654321987` is a password YAML reads as a number. */
function isMaterial(value: unknown): boolean {
  return holdsMaterial(value) || (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint'
}

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
    if (/\/config\/[^/]+\.json$/.test(document.path)) return {...document, data: redactApplicationConfig(document.data)}
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
        if (isSecretName(String(pair.key.value)) && isMaterial(pair.value.value)) {
          pair.value.value = REDACTED
          changed = true
        } else if (typeof pair.value.value === 'string') {
          const redacted = redactCredentialsInText(pair.value.value)
          if (redacted !== pair.value.value) {
            pair.value.value = redacted
            changed = true
          }
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
  for (const item of items) if (item && typeof item === 'object') redactKubernetesObject(item as Record<string, unknown>)
}

function redactKubernetesObject(object: Record<string, unknown>): void {
  if (object.kind === 'Secret') {
    for (const field of ['data', 'stringData'] as const) {
      const data = object[field]
      if (data && typeof data === 'object') for (const key of Object.keys(data)) (data as Record<string, unknown>)[key] = REDACTED
    }
  }
  redactLastApplied(object)
  for (const container of podContainers(object)) {
    for (const variable of Array.isArray(container.env) ? container.env : []) {
      if (typeof variable?.value !== 'string') continue
      if (isSecretName(variable.name ?? '') && holdsMaterial(variable.value)) variable.value = REDACTED
      else variable.value = redactCredentialsInText(variable.value)
    }
    if (container.command !== undefined) container.command = redactArguments(container.command)
    if (container.args !== undefined) container.args = redactArguments(container.args)
  }
}

/**
 * kubectl's copy of the object as last applied: a Secret's is dropped whole; any other object's is
 * redacted like the object (it holds the same env and args), or dropped if it is not JSON.
 */
function redactLastApplied(object: Record<string, unknown>): void {
  const annotations = (object.metadata as {annotations?: Record<string, unknown>} | undefined)?.annotations
  const applied = annotations?.[LAST_APPLIED]
  if (!annotations || typeof applied !== 'string') return
  if (object.kind === 'Secret') {
    annotations[LAST_APPLIED] = REDACTED
    return
  }
  try {
    const copy = JSON.parse(applied) as unknown
    if (!copy || typeof copy !== 'object' || Array.isArray(copy)) throw new Error('not an object')
    redactKubernetesObject(copy as Record<string, unknown>)
    annotations[LAST_APPLIED] = `${JSON.stringify(copy)}${applied.endsWith('\n') ? '\n' : ''}`
  } catch {
    annotations[LAST_APPLIED] = REDACTED
  }
}

type Container = {env?: {name?: string; value?: unknown}[]; command?: unknown; args?: unknown}

type PodTemplate = {spec?: PodSpec}
type PodSpec = {containers?: unknown; initContainers?: unknown; ephemeralContainers?: unknown}

/** Containers of a Pod, of a workload's pod template, or of a CronJob's job template. */
function podContainers(object: Record<string, unknown>): Container[] {
  const spec = (object.spec ?? {}) as PodSpec & {template?: PodTemplate; jobTemplate?: {spec?: {template?: PodTemplate}}}
  const podSpec = object.kind === 'Pod' ? spec : object.kind === 'CronJob' ? spec.jobTemplate?.spec?.template?.spec : spec.template?.spec
  const list = (value: unknown): Container[] => (Array.isArray(value) ? value.filter((c): c is Container => Boolean(c) && typeof c === 'object') : [])
  return [...list(podSpec?.containers), ...list(podSpec?.initContainers), ...list(podSpec?.ephemeralContainers)]
}

/** Any value under a secret-sounding key, at any depth; credentials inside any other string. */
function redactValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactValues)
  if (typeof value === 'string') return redactCredentialsInText(value)
  if (!value || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(value)) out[key] = isSecretName(key) && isMaterial(inner) ? REDACTED : redactValues(inner)
  return out
}

/** `juju config APP --format json` (Application.Get): `settings.NAME.value`, by name and by content. */
function redactApplicationConfig(data: unknown): unknown {
  const settings = (data as {settings?: unknown} | undefined)?.settings
  if (!settings || typeof settings !== 'object') return data
  for (const [name, setting] of Object.entries(settings as Record<string, unknown>)) {
    if (!setting || typeof setting !== 'object') continue
    const entry = setting as {value?: unknown}
    if (isSecretName(name) && isMaterial(entry.value)) entry.value = REDACTED
    else if (typeof entry.value === 'string') entry.value = redactCredentialsInText(entry.value)
  }
  return data
}
