/** The whole rule catalog, in the order of RULES.md. Ids are stable once released. */
import {ACCESS_RULES} from './juju-access.js'
import {JUJU_APPLICATION_RULES} from './juju-applications.js'
import {JUJU_CHARM_RULES} from './juju-charms.js'
import {JUJU_CONTROLLER_RULES} from './juju-controller.js'
import {JUJU_MODEL_RULES} from './juju-models.js'
import {inventoryIncomplete} from './inventory-gaps.js'
import {KUBERNETES_WORKLOAD_RULES} from './kubernetes-workloads.js'
import {LANDSCAPE_HOST_RULES} from './landscape-host.js'
import {LANDSCAPE_SERVER_HOST_FORMS, LANDSCAPE_SERVER_HOST_RULES} from './landscape-server-host.js'
import {LANDSCAPE_RULES} from './landscape.js'
import {LIVEPATCH_RULES} from './livepatch.js'
import {MAAS_HOST_FORMS, MAAS_HOST_RULES} from './maas-host.js'
import {MAAS_RULES} from './maas.js'
import {NETWORK_RULES} from './network.js'
import type {Rule} from './rule.js'
import {TLS_RULES} from './tls.js'

const ORDER = [
  'JUJU-TRUST', 'JUJU-ROOT-CONTAINER', 'JUJU-CHARM-USER', 'JUJU-NO-SECRETS', 'JUJU-EXPOSED', 'JUJU-CHARM-SOURCE',
  'JUJU-CHARM-OUTDATED', 'ACCESS-SUPERUSER', 'ACCESS-MODEL-ADMIN', 'ACCESS-STALE-USER', 'ACCESS-OFFER',
  'JUJU-DISABLED-COMMANDS', 'JUJU-OBSERVABILITY', 'JUJU-CONTROLLER-PORTS', 'JUJU-CONTROLLER-API-PORT',
  'JUJU-CLOUD-CREDENTIAL', 'JUJU-BASE-NOT-LTS',
  'K8S-PRIVILEGED', 'K8S-HOST-ACCESS', 'K8S-SA-OVERPRIVILEGED', 'K8S-LOADBALANCER', 'K8S-INGRESS-NO-TLS',
  'NET-NO-DEFAULT-DENY', 'NET-UNRESTRICTED-POD', 'NET-NAMESPACE-PSA',
  'TLS-MISSING-RELATION', 'TLS-DB-PLAINTEXT', 'TLS-SELF-SIGNED', 'TLS-CONFIG-KEY',
  'LANDSCAPE-EXPOSURE', 'LANDSCAPE-INTERNAL-PORTS', 'LANDSCAPE-HTTP-PORT', 'LANDSCAPE-PROXY-TLS',
  'LIVEPATCH-ADMIN-API', 'LIVEPATCH-TLS', 'LIVEPATCH-DB-EXPOSED', 'LIVEPATCH-DB-TLS',
  'MAAS-PORTS', 'MAAS-TLS', 'MAAS-DB-TLS', 'MAAS-VAULT', 'MAAS-FILE-PERMS', 'MAAS-LOGIN-FAILURES',
  'MAAS-SSH-FAILURES', 'MAAS-HOST-PORTS', 'MAAS-FIREWALL', 'MAAS-HAPROXY-TLS',
  'LANDSCAPE-CLIENT-HTTPS', 'LANDSCAPE-CLIENT-SCRIPT-USERS', 'LANDSCAPE-CLIENT-MONITOR-ONLY',
  'INVENTORY-INCOMPLETE', 'JUJU-EXPOSE-EXTERNAL', 'K8S-RUN-AS-ROOT',
]

const rules = [
  ...JUJU_APPLICATION_RULES,
  ...JUJU_CHARM_RULES,
  ...ACCESS_RULES,
  ...JUJU_MODEL_RULES,
  ...JUJU_CONTROLLER_RULES,
  ...KUBERNETES_WORKLOAD_RULES,
  ...NETWORK_RULES,
  ...TLS_RULES,
  ...LANDSCAPE_RULES,
  ...LIVEPATCH_RULES,
  ...MAAS_RULES,
  ...MAAS_HOST_RULES,
  ...LANDSCAPE_HOST_RULES,
  ...LANDSCAPE_SERVER_HOST_RULES,
  inventoryIncomplete,
]

const rank = (id: string) => {
  const i = ORDER.indexOf(id)
  return i < 0 ? ORDER.length : i
}

export const ALL_RULES: Rule[] = [...rules].sort((a, b) => rank(a.id) - rank(b.id))

/**
 * What `hardenctl host` (and an audit of a snapshot with hosts/) runs on hosts: the host-only
 * rules plus the host forms of MAAS-TLS, MAAS-DB-TLS and the Landscape server rules
 * (LANDSCAPE-INTERNAL-PORTS, LANDSCAPE-HTTP-PORT, LANDSCAPE-PROXY-TLS; same ids as the estate rules).
 */
export const HOST_RULES: Rule[] = [...MAAS_HOST_RULES, ...MAAS_HOST_FORMS, ...LANDSCAPE_HOST_RULES, ...LANDSCAPE_SERVER_HOST_RULES, ...LANDSCAPE_SERVER_HOST_FORMS].sort((a, b) => rank(a.id) - rank(b.id))

export function findRule(id: string): Rule | undefined {
  return ALL_RULES.find((rule) => rule.id === id)
}
