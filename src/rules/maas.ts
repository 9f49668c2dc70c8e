/**
 * MAAS rules (003 for MAAS 2.x, 004 for 3.x). They act only on `maas-region` and `maas-agent`
 * applications and the PostgreSQL related to them. The host checks (`hardenctl host`) are in
 * maas-host.ts.
 */
import {holdsRealValue, isPlaceholder} from '../inventory/charm-options.js'
import type {Application, Model} from '../inventory/types.js'
import {cite} from './guides.js'
import {certificatesFix, describeProvider, noCertificatesEndpointFix} from './helpers/certificate-providers.js'
import {certificateOptionsServeTls, maasCharmTlsFix} from './helpers/maas-charm-tls.js'
import {charmName, CHARMS, isCharmIn} from './helpers/charms.js'
import {policyPortRules, ufwAllows} from './helpers/host-firewall.js'
import {externalPorts} from './helpers/app-ports.js'
import {modelsWith} from './helpers/products.js'
import {range, rangeCovered, type PortRange} from './helpers/ports.js'
import {outsideReach, reachability} from './helpers/reachability.js'
import {relatedApps, relationsOf, tlsRelations} from './helpers/relations.js'
import {ADMIN_CIDRS, appModelArg, appTarget, list, refField} from './helpers/targets.js'
import {modelHas} from './needs.js'
import type {Rule} from './rule.js'

const FIREWALL = cite('maas2', 'Use a firewall')

/** The ports the guide's firewall rules allow, on both protocols. */
const MAAS_PORTS = [range(5240), range(5241, 5247), range(5248), range(5250, 5270)]
const MAAS_TLS_PORT = 5443

type Ports = Readonly<Record<'tcp' | 'udp', readonly {from: number; to: number}[]>>

/**
 * The ports the maas-region and maas-agent charms open on their units themselves, whatever their
 * configuration: the union over their versions (canonical/maas-charms: MAAS_REGION_PORTS in
 * maas-region/src/charm.py, the same from 3.4 to 3.8/edge, e.g. at 012bd3e0, a572ab26, a5e14d70,
 * plus 5248-5249 with `enable_rack_mode` and udp 3128 in early versions; maas-agent/src/charm.py at
 * a3dfdd6c and the older maas-agent-charm at 06c6ea79). DNS, DHCP, TFTP, NTP (chrony), the squid
 * proxy, metrics, HTTPS (5443, TLS on or not), the rack ports and Temporal: MAAS serves them to the
 * machines it provisions, so a firewall that drops them breaks PXE boot and deployment.
 */
const CHARM_PORTS: Readonly<Record<string, Ports>> = {
  'maas-region': {
    tcp: [range(53), range(3128), range(8000), range(MAAS_TLS_PORT), range(5239, 5249), range(5250, 5274), range(5280, 5284)],
    udp: [range(53), range(67), range(69), range(123), range(323), range(3128), range(5241, 5247)],
  },
  'maas-agent': {tcp: [range(53), range(3128), range(8000), range(5240, 5249)], udp: [range(53), range(67), range(69), range(123), range(323), range(3128)]},
}

/** What MAAS uses on this application's units: the guide's ports and the ones its charm opens. */
function maasPortsOf(app: Application, protocol: string): {from: number; to: number}[] {
  const opened = CHARM_PORTS[charmName(app)]
  return [...MAAS_PORTS, ...(protocol === 'tcp' || protocol === 'udp' ? (opened?.[protocol] ?? []) : [])]
}

type TlsVerdict = {tls: true; how: string} | {tls: false; known: boolean; why?: string}

/**
 * Does the region serve its API over TLS: its own certificate (as its charm's track reads the
 * options, helpers/maas-charm-tls.ts), a certificates relation, or a TLS proxy in front? Not an
 * open 5443: the charm opens it on every unit, TLS or not.
 */
export function maasTls(model: Model, app: Application): TlsVerdict {
  const certificatesSet = holdsRealValue(app.options.ssl_cert_content) && holdsRealValue(app.options.ssl_key_content)
  const own = certificateOptionsServeTls(app, certificatesSet)
  if (own.tls) return {tls: true, how: typeof app.options.tls_mode === 'string' && app.options.tls_mode !== '' ? `tls_mode is ${app.options.tls_mode}` : 'ssl_cert_content and ssl_key_content are set'}
  if (tlsRelations(model, app).length > 0) return {tls: true, how: 'it has a certificates relation'}
  const tlsIngress = relationsOf(model, app).find((v) => v.mine.endpoint === 'ingress-tcp-tls')
  if (tlsIngress) return {tls: true, how: `it is behind ${tlsIngress.other?.application ?? 'a proxy'} on ingress-tcp-tls`}
  const proxy = relatedApps(model, app).find((a) => isCharmIn(a, CHARMS.reverseProxies) && (holdsRealValue(a.options.ssl_cert) || tlsRelations(model, a).length > 0))
  if (proxy) return {tls: true, how: `it is behind ${proxy.name}, which has a certificate`}
  const known = Object.hasOwn(app.options, 'ssl_cert_content') || modelHas(model, 'juju-config', 'juju-bundle')
  return {tls: false, known, ...(own.why ? {why: own.why} : {})}
}

/** For evidence: whether an option is set, never its value. */
function optionState(value: unknown): 'set' | 'placeholder' | 'unset' {
  if (holdsRealValue(value)) return 'set'
  return typeof value === 'string' && value.trim() !== '' && isPlaceholder(value) ? 'placeholder' : 'unset'
}

export const maasPorts: Rule = {
  id: 'MAAS-PORTS',
  title: 'MAAS controller ports open beyond those MAAS uses',
  severity: 'high',
  profile: 'maas',
  guide: FIREWALL,
  rationale:
    'The guides have the firewall on region and rack controllers deny all incoming traffic except the ports MAAS uses: 5240, 5241-5247, 5248 and 5250-5270, and what the MAAS charms open themselves (DNS, DHCP, TFTP, NTP, the proxy, metrics, 5443, Temporal). Every other open port is attack surface.',
  remediation:
    'Find what opened the extra ports (the MAAS charms open only MAAS\'s), or firewall the hosts: allow SSH and every port MAAS has open first (`sudo ufw allow 22`, `sudo ufw allow 5240`, ...), then `sudo ufw default deny incoming`; restrict exposure with `juju expose APP --to-cidrs ADMIN-CIDRS`.',
  // Not auto-fixable: Juju has no call that closes a port a unit opened, and narrowing exposure
  // (exposure.enforce) leaves the ports open; reconcile only notes them (src/plan/juju/exposure.ts).
  autoFixable: false,
  needs: [['juju-status', 'k8s-services']],
  evaluate({inventory, policy, report, notEvaluated}) {
    for (const {model, anchors} of modelsWith(inventory, CHARMS.maas)) {
      for (const app of anchors) {
        if (app.units.length === 0 && !app.kubernetes) {
          notEvaluated(appTarget(app, model), ['juju-status'], 'needs juju status (unit open-ports)')
          continue
        }
        const reach = reachability(inventory, model, app)
        const ports: PortRange[] = [...externalPorts(inventory, model, app, true).juju ?? [], ...externalPorts(inventory, model, app, false).kube]
        // SSH (the policy's host.allowPorts) is every machine's, not an extra MAAS port.
        const policyPorts = policy.host.allowPorts.map((port) => range(port))
        const extra = ports.filter((p) => !rangeCovered(p, [...maasPortsOf(app, p.protocol), ...policyPorts]))
        if (extra.length === 0) continue
        // The firewall keeps SSH and every MAAS port the units have open, allowed before the deny.
        const keep = [
          ...policyPortRules(policy.host.allowPorts),
          ...ports.filter((p) => !extra.includes(p) && !rangeCovered(p, policyPorts) && (p.protocol === 'tcp' || p.protocol === 'udp')).map((p) => ({from: p.from, to: p.to, protocols: [p.protocol as 'tcp' | 'udp'], why: 'MAAS'})),
        ]
        const exposed = reach.exposed !== false
        report({
          target: appTarget(app, model),
          severity: exposed ? 'high' : 'medium',
          message: `${app.name} opens port${extra.length === 1 ? '' : 's'} ${list(extra.map((p) => p.text))} beyond those MAAS uses${exposed ? (reach.exposed ? ` and is ${outsideReach(reach)}` : '') : ' (not exposed by Juju; hosts without a firewall still serve them)'}.`,
          evidence: {extraPorts: extra.map((p) => p.text), openPorts: ports.map((p) => p.text), exposed: reach.exposed ?? null},
          remediation: `find what opened ${list(extra.map((p) => p.text))} on the ${app.name} machines (the ${charmName(app)} charm opens only MAAS's ports), or firewall them there, keeping SSH and the ports MAAS has open: ${[...new Set(ufwAllows(keep))].join(' && ')} && sudo ufw default deny incoming && sudo ufw enable; and restrict sources: juju expose -m ${appModelArg(app)} ${app.name} --to-cidrs ${ADMIN_CIDRS}`,
          ...refField(app.refs.definition),
        })
      }
    }
  },
}

export const maasTlsRule: Rule = {
  id: 'MAAS-TLS',
  title: 'MAAS region API served over HTTP only',
  severity: 'high',
  profile: 'maas',
  guide: cite('maas3', 'Use TLS termination (MAAS 3.3+)'),
  rationale:
    'Without TLS the MAAS UI and API (port 5240) carry passwords, API keys and machine secrets in clear text. MAAS 3.3+ serves TLS natively on 5443 (`maas config-tls enable`); older versions need a TLS-terminating HAProxy, Apache or nginx in front.',
  remediation:
    'Enable TLS: `juju config maas-region ssl_cert_content="$(cat cert.pem)" ssl_key_content="$(cat key.pem)"` (charmed MAAS 3.7 and later; the 3.6 charm also needs `tls_mode=passthrough`, the 3.4 and 3.5 charms terminate TLS only at a related HAProxy, `tls_mode=termination`), or `sudo maas config-tls enable key.pem cert.pem --port 5443` where no charm manages MAAS, or put a TLS-terminating HAProxy in front.',
  autoFixable: false,
  needs: [['juju-config', 'juju-bundle', 'juju-status']],
  evaluate({inventory, report, notEvaluated}) {
    for (const {model, anchors} of modelsWith(inventory, CHARMS.maasRegion)) {
      for (const app of anchors) {
        const verdict = maasTls(model, app)
        if (verdict.tls) continue
        if (!verdict.known) {
          notEvaluated(appTarget(app, model), ['juju-config', 'juju-bundle'], `needs juju config or a bundle to read ${app.name}'s TLS options`)
          continue
        }
        const m = appModelArg(app)
        report({
          target: appTarget(app, model),
          message: `${app.name} serves the MAAS API and UI over plain HTTP: ${verdict.why ?? 'no ssl_cert_content/ssl_key_content'}; no certificates relation and no TLS-terminating proxy.`,
          evidence: {ssl_cert_content: optionState(app.options.ssl_cert_content), ssl_key_content: optionState(app.options.ssl_key_content), tls_mode: app.options.tls_mode ?? null},
          remediation: maasCharmTlsFix(app, m, relationsOf(model, app).some((v) => v.mine.endpoint === 'ingress-tcp'), MAAS_TLS_PORT),
          ...refField(app.optionRefs.ssl_cert_content ?? app.refs.definition),
        })
      }
    }
  },
}

export const maasDbTls: Rule = {
  id: 'MAAS-DB-TLS',
  title: 'MAAS PostgreSQL without TLS',
  severity: 'medium',
  profile: 'maas',
  guide: cite('maas2', 'Implement PostgreSQL security'),
  rationale: 'PostgreSQL holds MAAS\'s secrets; the guide recommends TLS encryption between MAAS and PostgreSQL (and full disk encryption).',
  remediation: 'Integrate PostgreSQL\'s certificates endpoint (`certificates` in 14, `client-certificates` in 16) with a certificate provider the estate already has, or deploy one first: `juju deploy self-signed-certificates && juju integrate postgresql:certificates self-signed-certificates`.',
  autoFixable: false,
  needs: [['juju-status', 'juju-bundle']],
  evaluate({inventory, report}) {
    for (const {model, anchors} of modelsWith(inventory, CHARMS.maasRegion)) {
      const seen = new Set<string>()
      for (const region of anchors) {
        for (const pg of relatedApps(model, region).filter((a) => isCharmIn(a, CHARMS.postgresql))) {
          if (seen.has(pg.name) || tlsRelations(model, pg).length > 0) continue
          seen.add(pg.name)
          const fix = certificatesFix(inventory, model, pg, {publicFacing: false})
          report({
            target: appTarget(pg, model),
            message: `${pg.name}, the database of ${region.name}, has no certificates relation: MAAS talks to it without TLS.`,
            evidence: {maasRegion: region.name, postgresql: pg.name, tlsRelations: [], ...(fix ? {provider: describeProvider(fix.provider)} : {})},
            remediation: fix ? fix.text : noCertificatesEndpointFix(pg),
            ...refField(pg.refs.definition),
          })
        }
      }
    }
  },
}

export const maasVault: Rule = {
  id: 'MAAS-VAULT',
  title: 'MAAS secrets not stored in Vault',
  severity: 'low',
  profile: 'maas',
  guide: cite('maas3', 'Manage Vault'),
  rationale:
    'By default MAAS keeps its secrets in its database; MAAS 3.x can move them to HashiCorp Vault (`maas config-vault configure` then `migrate`), which separates secrets from the data and audits their use.',
  remediation:
    'Integrate Vault: obtain an AppRole id and a wrapped token, then `sudo maas config-vault configure URL APPROLE_ID WRAPPED_TOKEN SECRETS_PATH --mount SECRETS_MOUNT` and `sudo maas config-vault migrate`. If Vault is already configured outside Juju, waive this finding.',
  autoFixable: false,
  needs: [['juju-status', 'juju-bundle']],
  evaluate({inventory, report}) {
    for (const {model, anchors} of modelsWith(inventory, CHARMS.maasRegion)) {
      for (const app of anchors) {
        const vault = relatedApps(model, app).find((a) => isCharmIn(a, CHARMS.vault))
        const vaultOptions = Object.entries(app.options).filter(([name, value]) => /vault/i.test(name) && holdsRealValue(value))
        if (vault || vaultOptions.length > 0) continue
        report({
          target: appTarget(app, model),
          message: `${app.name} has no relation to Vault and no Vault options set: MAAS secrets stay in its database (a \`maas config-vault\` setup made outside Juju is not visible here).`,
          evidence: {vaultRelation: false, vaultOptions: []},
          ...refField(app.refs.definition),
        })
      }
    }
  },
}

export const MAAS_RULES: Rule[] = [maasPorts, maasTlsRule, maasDbTls, maasVault]
