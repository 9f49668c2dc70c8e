/**
 * The name syntaxes Juju and Kubernetes accept, as their sources spell them.
 *
 * Juju (github.com/juju/names, read with the search tool):
 * - model names: model.go@d4e84727e96581607f0f97397ade1e11d54305ec `validModelName`
 * - controller names: controller.go `validControllerName` (same pattern)
 * - application names: application.go@7b949de12d6987e95d9d9559afb448ecfe38e3fb `ApplicationSnippet`
 * - endpoint (relation) names: relation.go `RelationSnippet`
 * - user names: user.go@212a25095fa89140e61d8b70721e02a76c0709d3 `validName` (name[@provider])
 * Juju (github.com/juju/juju):
 * - secret keys: core/secrets (secret value) `keyRegExp`, checked by `juju add-secret` (CreateSecretData)
 * - offer URLs: `[<controller>:][<qualifier>/]<model>.<application>[:<endpoint>]`
 *   (cmd/juju/application/integrate.go@02f123643b0e1f8cdfd8c90de70151ef0acb3f85, consume docs)
 * - channels `[track/]risk[/branch]`, risks stable|candidate|beta|edge (charm.ParseChannel)
 * - bases `os@version` (`juju set-application-base ubuntu ubuntu@20.04`, add-machine `--base ubuntu@22.04`)
 * Kubernetes (k8s.io/apimachinery validation): DNS-1123 labels and subdomains, qualified names.
 */
import ipaddr from 'ipaddr.js'

export const MODEL_NAME = /^[a-z0-9]+[a-z0-9-]*$/
export const CONTROLLER_NAME = /^[a-z0-9]+[a-z0-9-]*$/
export const APPLICATION_NAME = /^(?:[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*)$/
export const ENDPOINT_NAME = /^[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*$/
const USER_PART = '[a-zA-Z][a-zA-Z0-9.-]*[a-zA-Z0-9]'
export const USER_NAME = new RegExp(`^${USER_PART}(?:@${USER_PART})?$`)
export const SECRET_KEY = /^([a-z](?:-?[a-z0-9]){2,})$/
export const RISKS = ['stable', 'candidate', 'beta', 'edge'] as const
const TRACK = '[a-z0-9][a-z0-9._-]*'
export const CHANNEL = new RegExp(`^(?:(?:${TRACK})/)?(?:${RISKS.join('|')})(?:/[a-z0-9][a-z0-9._-]*)?$|^${TRACK}$`)
export const BASE = /^[a-z]+@\d+(?:\.\d+)?(?:\/[a-z]+)?$/
export const UUID = /^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$/

export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/

/** `-m`: `[<controller>:][<qualifier>/]<model>` or a model UUID. */
export function parseModelArg(value: string): {controller?: string; qualifier?: string; model: string} | undefined {
  if (UUID.test(value)) return {model: value}
  const match = /^(?:([^:/]+):)?(?:([^:/]+)\/)?([^:/]+)$/.exec(value)
  if (!match) return undefined
  const [, controller, qualifier, model = ''] = match
  return {...(controller !== undefined ? {controller} : {}), ...(qualifier !== undefined ? {qualifier} : {}), model}
}

export interface OfferUrl {
  controller?: string
  qualifier?: string
  model: string
  application: string
  endpoint?: string
}

/** Juju's offer URL: `[<controller>:][<qualifier>/]<model>.<application>[:<endpoint>]`. */
export function parseOfferUrl(value: string): OfferUrl | undefined {
  const match = /^(?:([^:/.]+):)?(?:([^:/.]+)\/)?([^:/.]+)\.([^:/.]+)(?::([^:/.]+))?$/.exec(value)
  if (!match) return undefined
  const [, controller, qualifier, model = '', application = '', endpoint] = match
  return {
    ...(controller !== undefined ? {controller} : {}),
    ...(qualifier !== undefined ? {qualifier} : {}),
    model,
    application,
    ...(endpoint !== undefined ? {endpoint} : {}),
  }
}

export function isCidr(value: string): boolean {
  try {
    ipaddr.parseCIDR(value)
    return true
  } catch {
    return false
  }
}

/** A Kubernetes qualified name (label and annotation keys): `[prefix/]name`. */
export function isQualifiedName(key: string): boolean {
  const slash = key.lastIndexOf('/')
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined
  const name = slash >= 0 ? key.slice(slash + 1) : key
  if (prefix !== undefined && !(prefix.length <= 253 && DNS1123_SUBDOMAIN.test(prefix))) return false
  return name.length <= 63 && QUALIFIED_NAME_PART.test(name)
}

export function isLabelValue(value: string): boolean {
  return value === '' || (value.length <= 63 && QUALIFIED_NAME_PART.test(value))
}

export function isDnsLabel(value: string): boolean {
  return value.length <= 63 && DNS1123_LABEL.test(value)
}

export function isDnsSubdomain(value: string): boolean {
  return value.length <= 253 && DNS1123_SUBDOMAIN.test(value)
}
