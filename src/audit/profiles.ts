import type {Profile} from '../findings/types.js'
import {normalizeCharmName} from '../inventory/charm.js'
import type {Inventory} from '../inventory/types.js'

/** Charms that switch on a product profile, by Charmhub name. */
const PRODUCT_CHARMS: Record<Exclude<Profile, 'juju' | 'k8s'>, string[]> = {
  landscape: ['landscape-server', 'landscape-client'],
  livepatch: ['canonical-livepatch-server', 'canonical-livepatch-server-k8s'],
  maas: ['maas-region', 'maas-agent', 'maas-rack'],
}

/**
 * The profiles to run for an inventory: `juju` whenever there is any Juju input, `k8s` whenever
 * there are Kubernetes objects or a Kubernetes model, and a product profile when its charms are
 * present (deployed, in a bundle, or given as charm metadata).
 */
export function detectProfiles(inventory: Inventory): Profile[] {
  const profiles = new Set<Profile>()
  const charmNames = new Set<string>(inventory.charms.keys())
  let anyJuju = inventory.controllers.size > 0 || inventory.charms.size > 0
  let anyCaasModel = false
  for (const model of inventory.models.values()) {
    anyJuju = true
    if (model.type === 'caas') anyCaasModel = true
    for (const application of model.applications.values()) charmNames.add(normalizeCharmName(application.charm))
  }
  if (anyJuju) profiles.add('juju')
  if (anyCaasModel || hasKubernetesInput(inventory)) profiles.add('k8s')
  for (const [profile, charms] of Object.entries(PRODUCT_CHARMS) as [Profile, string[]][]) {
    if (charms.some((charm) => charmNames.has(charm))) profiles.add(profile)
  }
  // Hosts (hardenctl host): MAAS installed (deb or snap), Landscape Client configured.
  for (const host of inventory.hosts ?? []) {
    if (host.maas) profiles.add('maas')
    if (host.landscapeClient || host.landscapeServer) profiles.add('landscape')
  }
  return [...profiles]
}

/**
 * Any Kubernetes kind the rules read was given, objects or an empty list: Ingresses alone, or
 * NetworkPolicies or RBAC alone, are as much a Kubernetes audit as pods are.
 */
function hasKubernetesInput(inventory: Inventory): boolean {
  return [...inventory.inputs].some((input) => input.startsWith('k8s-'))
}
