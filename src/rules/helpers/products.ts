/** Which models hold a product deployment, by the charms in them. */
import type {Application, Inventory, Model} from '../../inventory/types.js'
import {charmName, isCharmIn} from './charms.js'

/**
 * Charms only Sunbeam (Canonical OpenStack) deploys: its Kubernetes control plane's keystone and its
 * machines' hypervisor and sunbeam-machine. A model holding one is managed by Sunbeam's Terraform
 * plans and manifest, so fixes go through Sunbeam.
 */
const SUNBEAM_ANCHORS = new Set(['keystone-k8s', 'openstack-hypervisor', 'sunbeam-machine'])

export function isSunbeamModel(model: Model): boolean {
  return [...model.applications.values()].some((app) => SUNBEAM_ANCHORS.has(charmName(app)))
}

export function* modelsWith(inventory: Inventory, family: readonly string[]): Generator<{model: Model; anchors: Application[]}> {
  for (const model of inventory.models.values()) {
    const anchors = [...model.applications.values()].filter((app) => isCharmIn(app, family))
    if (anchors.length > 0) yield {model, anchors}
  }
}
