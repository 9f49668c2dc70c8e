/**
 * Parts of the estate hardenctl could not read (`status-error` entries, a Kubernetes kind the
 * service account may not list). An audit that silently skips them would pass what it never saw.
 */
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
        message: `could not inspect ${gap.target.kind} ${gap.target.name}: ${gap.message}`,
        evidence: {error: gap.message},
        ...(gap.ref ? {ref: gap.ref} : {}),
      })
    }
  },
}
