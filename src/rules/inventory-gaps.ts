/**
 * Parts of the estate hardenctl could not read (`status-error` entries, a Kubernetes kind the
 * service account may not list). An audit that silently skips them would pass what it never saw.
 */
import type {Inventory, InventoryGap} from '../inventory/types.js'
import {cite} from './guides.js'
import type {Rule} from './rule.js'

export const inventoryIncomplete: Rule = {
  id: 'INVENTORY-INCOMPLETE',
  title: 'Part of the estate could not be inspected',
  severity: 'medium',
  profile: 'juju',
  runsInEveryProfile: true,
  guide: cite('juju', 'Audit and observe'),
  rationale:
    'What could not be read was not audited: an application whose status errored or a Kubernetes kind the audit may not list can hide any of the problems the other rules look for. The guide asks administrators to audit and observe the whole deployment.',
  remediation:
    'Fix what stopped the read (the message says what Juju or Kubernetes answered), for example grant the auditing user `read` on the model or the service account `list` on the kind, then audit again.',
  autoFixable: false,
  needs: [],
  evaluate({inventory, report}) {
    for (const gap of inventory.gaps) {
      report({
        target: gap.target,
        message: `could not inspect ${describeGapTarget(gap, inventory)}: ${gap.message}`,
        evidence: {error: gap.message},
        ...(gap.ref ? {ref: gap.ref} : {}),
      })
    }
  },
}

/** `model prod`; a model no input named is described by where it was read (`the model of status.json`). */
function describeGapTarget(gap: InventoryGap, inventory: Inventory): string {
  if (gap.target.name !== '') return `${gap.target.kind} ${gap.target.name}`
  const file = inventory.locate(gap.ref)?.file
  return file ? `the ${gap.target.kind} of ${file}` : `an unnamed ${gap.target.kind}`
}
