/**
 * Landscape rules (000). They act only on models that run `landscape-server`, and on the
 * applications of those models: the reverse proxy (haproxy or apache2), PostgreSQL, RabbitMQ and
 * Landscape server itself.
 */
import {holdsRealValue, isPlaceholder, isSelfSignedOption} from '../inventory/charm-options.js'
import type {Application} from '../inventory/types.js'
import {cite} from './guides.js'
import {proxyCertificateFix, withCommands} from './helpers/certificate-providers.js'
import {appLabel, charmName, CHARMS, isCharmIn} from './helpers/charms.js'
import {externalPorts} from './helpers/app-ports.js'
import {fixLine} from './helpers/fix-line.js'
import {servicesIgnoreCertificate} from './helpers/haproxy-services.js'
import {modelsWith} from './helpers/products.js'
import {range, rangesOverlap, type PortRange} from './helpers/ports.js'
import {outsideReach, reachability} from './helpers/reachability.js'
import {isSelfSignedRelation, tlsRelations} from './helpers/relations.js'
import {ADMIN_CIDRS, appModelArg, appTarget, list, refField} from './helpers/targets.js'
import {modelHas} from './needs.js'
import type {Rule} from './rule.js'

const NETWORK = cite('landscape', 'Harden the network')
const EXTERNAL = cite('landscape', 'Secure external traffic')

function isProxy(app: Application): boolean {
  return isCharmIn(app, CHARMS.reverseProxies)
}

const EXPOSURE_INPUTS = ['juju-status', 'juju-bundle', 'juju-show-application', 'k8s-services'] as const

/** The frontends landscape-server asks its reverse proxy for: HTTP and HTTPS. */
const PROXY_DEFAULT_PORTS: PortRange[] = [
  {from: 80, to: 80, protocol: 'tcp', text: '80/tcp'},
  {from: 443, to: 443, protocol: 'tcp', text: '443/tcp'},
]

export const landscapeExposure: Rule = {
  id: 'LANDSCAPE-EXPOSURE',
  title: 'Landscape application other than the reverse proxy exposed',
  severity: 'critical',
  profile: 'landscape',
  guide: NETWORK,
  rationale:
    'The only application of a Landscape deployment that should receive external traffic is the reverse proxy (HAProxy or Apache) on 80/443; Landscape server, PostgreSQL and RabbitMQ need only internal traffic between the applications.',
  remediation: 'Unexpose it: `juju unexpose APP` (on Kubernetes, make its Service ClusterIP and restrict it with a NetworkPolicy). Reach Landscape through the reverse proxy only.',
  autoFixable: true,
  needs: [[...EXPOSURE_INPUTS]],
  evaluate({inventory, report, notEvaluated}) {
    for (const {model} of modelsWith(inventory, CHARMS.landscapeServer)) {
      for (const app of model.applications.values()) {
        if (isProxy(app)) continue
        const reach = reachability(inventory, model, app)
        if (reach.exposed === undefined) {
          notEvaluated(appTarget(app, model), [...EXPOSURE_INPUTS])
          continue
        }
        if (!reach.exposed) continue
        report({
          target: appTarget(app, model),
          message: `${appLabel(app)} in the Landscape model ${model.name} is ${outsideReach(reach)}; only the reverse proxy should be.`,
          evidence: {charm: charmName(app), exposed: app.exposed, exposedEndpoints: app.exposedEndpoints, paths: reach.paths},
          remediation: `juju unexpose -m ${appModelArg(app)} ${app.name}`,
          ...refField(app.refs['exposed-endpoints'] ?? app.refs.expose ?? reach.services[0]?.ref),
        })
      }
    }
  },
}

/** The hostagent's gRPC port: internal on a server, the proxy's WSL front (see landscapeInternalPorts). */
const LANDSCAPE_GRPC_PORT = 6554

/** Ports Landscape's applications listen on for each other (000 "Harden the network"). */
const INTERNAL_PORTS: {range: {from: number; to: number}; what: string}[] = [
  {range: range(LANDSCAPE_GRPC_PORT), what: 'Landscape server'},
  {range: range(8080, 9100), what: 'Landscape server'},
  {range: range(5432), what: 'PostgreSQL'},
  {range: range(5672), what: 'RabbitMQ'},
]

/** Where those ports live when the units' open ports are not known. */
function defaultInternalPorts(app: Application): PortRange[] {
  const n = charmName(app)
  if (CHARMS.landscapeServer.includes(n as never)) return [{from: 6554, to: 6554, protocol: 'tcp', text: '6554/tcp'}, {from: 8080, to: 9100, protocol: 'tcp', text: '8080-9100/tcp'}]
  if (CHARMS.postgresql.includes(n as never)) return [{from: 5432, to: 5432, protocol: 'tcp', text: '5432/tcp'}]
  if (CHARMS.rabbitmq.includes(n as never)) return [{from: 5672, to: 5672, protocol: 'tcp', text: '5672/tcp'}]
  return []
}

export const landscapeInternalPorts: Rule = {
  id: 'LANDSCAPE-INTERNAL-PORTS',
  title: 'Landscape internal port reachable from outside',
  severity: 'critical',
  profile: 'landscape',
  guide: NETWORK,
  rationale:
    'Landscape server listens on 6554 and 8080-9100, PostgreSQL on 5432 and RabbitMQ on 5672 for traffic between the applications. The guide: none of these ports should be exposed to external traffic.',
  remediation: 'Close the path: `juju unexpose APP` (or restrict it: `juju expose APP --to-cidrs ADMIN-CIDRS`); on Kubernetes keep these Services ClusterIP and admit only the Landscape applications with a NetworkPolicy.',
  autoFixable: true,
  needs: [[...EXPOSURE_INPUTS]],
  evaluate({inventory, report}) {
    for (const {model} of modelsWith(inventory, CHARMS.landscapeServer)) {
      for (const app of model.applications.values()) {
        const reach = reachability(inventory, model, app)
        if (reach.exposed !== true) continue
        const jujuExposed = (reach.juju ?? []).length > 0
        const ports = externalPorts(inventory, model, app, jujuExposed)
        const candidates = [...(ports.juju ?? (jujuExposed ? defaultInternalPorts(app) : [])), ...ports.kube]
        // On the reverse proxy, 6554 is the gRPC front landscape-server asks it for (its
        // `landscape-grpc` service; Ubuntu Pro for WSL reaches Landscape there), not an internal port.
        const internal = isProxy(app) ? INTERNAL_PORTS.filter((i) => i.range.from !== LANDSCAPE_GRPC_PORT) : INTERNAL_PORTS
        const hits = candidates.filter((p) => p.protocol === 'tcp' && internal.some((i) => rangesOverlap(p, i.range)))
        if (hits.length === 0) continue
        const what = [...new Set(hits.flatMap((p) => internal.filter((i) => rangesOverlap(p, i.range)).map((i) => i.what)))]
        report({
          target: appTarget(app, model),
          message: `${app.name} makes internal ${list(what)} port${hits.length === 1 ? '' : 's'} ${list(hits.map((h) => h.text))} ${outsideReach(reach)}.`,
          evidence: {ports: hits.map((h) => h.text), portsFrom: ports.juju ? 'open-ports' : ports.kube.length > 0 ? 'services' : 'charm defaults', paths: reach.paths},
          remediation: isProxy(app)
            ? `remove the internal ports from ${app.name}'s frontends (its services option, or the relation that asks for them), or restrict the sources: juju expose -m ${appModelArg(app)} ${app.name} --to-cidrs ${ADMIN_CIDRS}   # this narrows 80, 443 and 6554 for every Landscape client too`
            : `juju unexpose -m ${appModelArg(app)} ${app.name}`,
          ...refField(app.refs['exposed-endpoints'] ?? app.refs.expose ?? reach.services[0]?.ref),
        })
      }
    }
  },
}

export const landscapeHttpPort: Rule = {
  id: 'LANDSCAPE-HTTP-PORT',
  title: 'Port 80 exposed without repository mirroring',
  severity: 'medium',
  profile: 'landscape',
  guide: NETWORK,
  rationale:
    "Port 80 is only needed for Landscape's repository mirroring. Without it, clients can use HTTPS for all traffic and port 80 need not be exposed; plain HTTP leaks client traffic.",
  remediation:
    'Point clients at https (`url`, `package_hash_id_url`, `ping_url` in /etc/landscape/client.conf; `sudo systemctl restart landscape-client`), then `juju config landscape-server redirect_https=all`: port 80 then answers only with a redirect to HTTPS (/ping and /repository included). landscape-server always asks its proxy for a port-80 frontend, and the proxy charm opens the port again at its next hook, so closing the port does not stick. If you mirror repositories, set `landscape.mirroring: true` in hardenctl.yaml.',
  // Not auto-fixable: the fix starts on every client, and reconcile changes no charm option.
  autoFixable: false,
  needs: [[...EXPOSURE_INPUTS]],
  evaluate({inventory, policy, report}) {
    if (policy.landscape.mirroring) return
    for (const {model, anchors: servers} of modelsWith(inventory, CHARMS.landscapeServer)) {
      // With redirect_https=all the port-80 frontend answers nothing but a redirect to HTTPS.
      if (servers.every((server) => server.options.redirect_https === 'all')) continue
      for (const app of model.applications.values()) {
        if (!isProxy(app)) continue
        const reach = reachability(inventory, model, app)
        if (reach.exposed !== true) continue
        const jujuExposed = (reach.juju ?? []).length > 0
        const ports = externalPorts(inventory, model, app, jujuExposed)
        // Without unit open-ports (a bundle alone), assume what landscape-server asks its proxy
        // for over the website relation: HTTP on 80 and HTTPS on 443.
        const fromDefaults = jujuExposed && ports.juju === undefined
        const candidates = [...(ports.juju ?? (fromDefaults ? PROXY_DEFAULT_PORTS : [])), ...ports.kube]
        const http = candidates.filter((p) => p.protocol === 'tcp' && rangesOverlap(p, range(80)))
        if (http.length === 0) continue
        report({
          target: appTarget(app, model),
          message: `${app.name} serves port 80 to the outside (${list(reach.paths)}) although repository mirroring is not in use (landscape.mirroring: false)${fromDefaults ? '; its open ports are not known, so this assumes the default 80/443 frontends' : ''}.`,
          evidence: {ports: http.map((p) => p.text), portsFrom: fromDefaults ? 'charm defaults' : ports.juju ? 'open-ports' : 'services', mirroring: false, paths: reach.paths},
          remediation: fixLine([
            {
              commands: servers.filter((server) => server.options.redirect_https !== 'all').map((server) => `juju config -m ${appModelArg(server)} ${server.name} redirect_https=all`),
              notes: [
                'first switch every Landscape client to https (url, ping_url, package_hash_id_url in /etc/landscape/client.conf; ping_url defaults to http), since /ping then redirects too',
                `port 80 stays open on ${app.name} but answers only with a redirect to HTTPS (landscape-server always asks its proxy for the port-80 frontend, and the proxy charm reopens a closed port)`,
                'landscape-server revisions without the redirect_https option (the 24.04 PPA charm) cannot do this',
              ],
            },
          ]),
          ...refField(app.refs.definition),
        })
      }
    }
  },
}

export const landscapeProxyTls: Rule = {
  id: 'LANDSCAPE-PROXY-TLS',
  title: 'Landscape reverse proxy without a TLS certificate',
  severity: 'high',
  profile: 'landscape',
  guide: EXTERNAL,
  rationale:
    'The reverse proxy is the one component Landscape clients and users reach; the guide says to configure HAProxy or Apache with a TLS certificate (e.g. from LetsEncrypt). A self-signed certificate works but must be distributed by hand to every client that registers.',
  remediation:
    'Give the proxy a certificate: where the proxy charm has a certificates endpoint (haproxy 2.8), integrate it with a certificate provider the estate has (lego, deployed first when there is none); otherwise `juju config haproxy ssl_cert="$(base64 -w0 fullchain.pem)" ssl_key="$(base64 -w0 privkey.pem)"` (see the Landscape HA guide).',
  autoFixable: false,
  needs: [['juju-config', 'juju-bundle', 'juju-status']],
  evaluate({inventory, report, notEvaluated}) {
    for (const {model} of modelsWith(inventory, CHARMS.landscapeServer)) {
      for (const app of model.applications.values()) {
        if (!isProxy(app)) continue
        const relations = tlsRelations(model, app)
        const value = app.options.ssl_cert
        const optionsKnown = Object.hasOwn(app.options, 'ssl_cert') || modelHas(model, 'juju-config', 'juju-bundle')
        const selfSignedOption = isSelfSignedOption(value)
        const certOption = holdsRealValue(value)
        const selfSignedRelation = relations.length > 0 && relations.every(isSelfSignedRelation)
        // The legacy haproxy's services option, when set, decides what listens: a certificate no service binds serves nothing.
        const unbound = relations.length === 0 && isCharmIn(app, ['haproxy']) ? servicesIgnoreCertificate(app) : undefined
        const m = appModelArg(app)
        const certificateFix = proxyCertificateFix(inventory, model, app)
        const replaceSelfSigned = certificateFix.relation
          ? withCommands(certificateFix.relation, [`juju remove-relation -m ${m} ${app.name} ${relations[0]?.other?.application ?? 'self-signed-certificates'}`], [])
          : undefined
        if (!unbound && (certOption || (relations.length > 0 && !selfSignedRelation))) continue
        if (!unbound && (selfSignedOption || selfSignedRelation)) {
          report({
            target: appTarget(app, model),
            severity: 'low',
            message: `${app.name} serves Landscape with a self-signed certificate (${selfSignedOption ? 'ssl_cert: SELFSIGNED' : 'self-signed-certificates'}): every Landscape client must be given it by hand before it can register.`,
            evidence: {ssl_cert: selfSignedOption ? value : undefined, tlsRelations: relations.map((v) => v.other?.application)},
            remediation: (selfSignedRelation ? replaceSelfSigned : undefined) ?? certificateFix.text,
            ...refField(app.optionRefs.ssl_cert ?? app.refs.definition),
          })
          continue
        }
        if (relations.length === 0 && !optionsKnown) {
          notEvaluated(appTarget(app, model), ['juju-config', 'juju-bundle'], `needs juju config or a bundle to read ${app.name}'s ssl_cert`)
          continue
        }
        report({
          target: appTarget(app, model),
          message: unbound
            ? `${app.name} fronts Landscape without TLS: its services option (${list(unbound.names)}) binds no service with crts, so its ssl_cert is served nowhere.`
            : `${app.name} fronts Landscape without a TLS certificate (ssl_cert ${value === undefined || value === '' ? 'unset' : isPlaceholder(value) ? 'set to a placeholder' : `"${String(value)}"`}, no certificates relation).`,
          evidence: {ssl_cert: value === undefined ? null : isPlaceholder(value) ? 'placeholder' : value, tlsRelations: []},
          remediation: certificateFix.text,
          ...refField(app.optionRefs.ssl_cert ?? app.refs.definition),
        })
      }
    }
  },
}

export const LANDSCAPE_RULES: Rule[] = [landscapeExposure, landscapeInternalPorts, landscapeHttpPort, landscapeProxyTls]
