/** Which models hold a product deployment, by the charms in them. */
import type {Application, Inventory, Model} from '../../inventory/types.js'
import {isCharmIn} from './charms.js'

export function* modelsWith(inventory: Inventory, family: readonly string[]): Generator<{model: Model; anchors: Application[]}> {
  for (const model of inventory.models.values()) {
    const anchors = [...model.applications.values()].filter((app) => isCharmIn(app, family))
    if (anchors.length > 0) yield {model, anchors}
  }
}
