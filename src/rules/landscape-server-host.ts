/**
 * Host forms of the Landscape server rules (000 "Harden the network", "Secure external traffic")
 * for a Landscape server installed on the host itself (quickstart or the manual install): the
 * same ids and guide as the estate rules, judged from the host's listening sockets and its Apache
 * sites instead of the Juju model. A unit of the landscape-server charm is judged on its model.
 */
import type {HostInventory, HostLandscapeServer, ListeningSocket} from '../inventory/host.js'
import {isLoopback} from '../sources/host/proc-net.js'
import {cite} from './guides.js'
import {certificateExpiry, describeExpiry} from './helpers/certificate-expiry.js'
import {listenersFix, policyPortRules, type PortRule, socketText} from './helpers/host-firewall.js'
import {lineRef} from './helpers/hosts.js'
import {list} from './helpers/targets.js'
import {landscapeHttpPort, landscapeInternalPorts, landscapeProxyTls} from './landscape.js'
import type {Rule, RuleContext} from './rule.js'

const HOST = [['host' as const]]

type Service = 'landscape' | 'hostagent-front' | 'postgresql' | 'rabbitmq' | 'rabbitmq-tls' | 'rabbitmq-distribution' | 'epmd'

/**
 * What listens on Landscape's internal ports. The guide names 6554 and 8080-9100, PostgreSQL 5432
 * and RabbitMQ 5672; Landscape's Apache template adds the pingserver on 8070 and the
 * hostagent-messenger on 50052 (behind the proxy's 6554), and RabbitMQ brings 5671 (AMQPS), epmd
 * on 4369 and its distribution port 25672, which its own docs bind to loopback too.
 */
const INTERNAL: {from: number; to: number; what: string; service: Service}[] = [
  {from: 6554, to: 6554, what: 'Landscape hostagent', service: 'hostagent-front'},
  {from: 8070, to: 9100, what: 'Landscape server', service: 'landscape'},
  {from: 26155, to: 26155, what: 'Landscape secrets service', service: 'landscape'},
  {from: 50052, to: 50052, what: 'Landscape hostagent-messenger', service: 'landscape'},
  {from: 5432, to: 5432, what: 'PostgreSQL', service: 'postgresql'},
  {from: 5671, to: 5671, what: 'RabbitMQ', service: 'rabbitmq-tls'},
  {from: 5672, to: 5672, what: 'RabbitMQ', service: 'rabbitmq'},
  {from: 25672, to: 25672, what: 'RabbitMQ distribution', service: 'rabbitmq-distribution'},
  {from: 4369, to: 4369, what: 'epmd (RabbitMQ)', service: 'epmd'},
]

/**
 * How each listener is bound to loopback, from Landscape's service.conf reference and manual-install
 * guide (`allowed_interfaces`, space-separated; `NODE_IP_ADDRESS`, which sets RabbitMQ's AMQP
 * listener only) and RabbitMQ's networking guide (`listeners.ssl.default`,
 * `distribution.listener.interface`). The distribution port and epmd are where `rabbitmqctl` finds
 * the node by its name, `rabbit@HOSTNAME`, and Ubuntu's /etc/hosts usually maps the host name to
 * 127.0.1.1, not 127.0.0.1: rebinding those two cuts the CLI off unless the node name resolves to a
 * bound address (Landscape's DISA-STIG guide renames the node `rabbit@localhost`, which moves RabbitMQ to a new,
 * empty data directory: the `landscape` user and vhost would be gone). So the firewall comes first
 * for them. epmd runs socket-activated (`epmd -systemd` takes its sockets from epmd.socket), so the
 * socket is restarted with the service and RabbitMQ stopped.
 */
const BIND_TO_LOOPBACK: Record<Service, string> = {
  landscape: '`allowed_interfaces = localhost 127.0.0.1 ::1` in each service\'s section of /etc/landscape/service.conf, then `sudo lsctl restart`',
  'hostagent-front':
    "6554 is the hostagent's gRPC port for Ubuntu Pro for WSL: serve it only from Apache's TLS `<VirtualHost *:6554>` (Landscape's site proxies it to localhost:50052), or stop what listens there if no WSL host is managed",
  postgresql: '`listen_addresses = \'localhost\'` in postgresql.conf (when the database serves this host only), then `sudo systemctl restart postgresql`',
  rabbitmq: '`NODE_IP_ADDRESS=127.0.0.1` in /etc/rabbitmq/rabbitmq-env.conf, then `sudo systemctl restart rabbitmq-server`',
  'rabbitmq-tls': '`listeners.ssl.default = 127.0.0.1:5671` in /etc/rabbitmq/rabbitmq.conf, then `sudo systemctl restart rabbitmq-server`',
  'rabbitmq-distribution':
    '25672: firewall it rather than rebind it, since `distribution.listener.interface = 127.0.0.1` in /etc/rabbitmq/rabbitmq.conf cuts `rabbitmqctl` off unless RabbitMQ\'s node name resolves to 127.0.0.1 (Ubuntu\'s /etc/hosts usually maps the host name to 127.0.1.1)',
  epmd:
    '4369: firewall it rather than rebind it, as 25672 (`rabbitmqctl` finds the node through epmd at the node name\'s address); where the node name resolves to loopback: `ListenStream=`, `ListenStream=127.0.0.1:4369` and `ListenStream=[::1]:4369` in a drop-in (`sudo systemctl edit epmd.socket`), then `sudo systemctl stop rabbitmq-server epmd.service && sudo systemctl restart epmd.socket && sudo systemctl start rabbitmq-server`',
}

/** Landscape server hosts this judges: installed here, not by the landscape-server charm. */
function landscapeServers(inventory: {hosts?: HostInventory[]}, notEvaluated: RuleContext['notEvaluated']): (HostInventory & {landscapeServer: HostLandscapeServer})[] {
  const hosts: (HostInventory & {landscapeServer: HostLandscapeServer})[] = []
  for (const host of inventory.hosts ?? []) {
    const server = host.landscapeServer
    if (!server) continue
    if (server.deployedFrom?.value === 'charm') {
      notEvaluated(host.target, ['host'], `a unit of the landscape-server charm (${server.deployedFrom.file}: DEPLOYED_FROM=charm): its exposure and TLS are judged on its Juju model`)
      continue
    }
    hosts.push({...host, landscapeServer: server})
  }
  return hosts
}

/** The Landscape servers whose listening sockets were read; the others are not evaluated, saying why. */
function listeningLandscapeServers(inventory: {hosts?: HostInventory[]}, notEvaluated: RuleContext['notEvaluated']) {
  return landscapeServers(inventory, notEvaluated).flatMap((host) => {
    if (host.sockets) return [{...host, sockets: host.sockets}]
    notEvaluated(host.target, ['host'], 'proc/net/tcp and tcp6 were not found')
    return []
  })
}

/** Apache's own gRPC front on 6554 (the guide's current version: the reverse proxy exposes it), with TLS. */
function proxyServes6554(server: HostLandscapeServer): boolean {
  return server.sites.some((site) => site.vhosts.some((vhost) => vhost.port === 6554 && vhost.tls))
}

export const landscapeHostInternalPorts: Rule = {
  ...landscapeInternalPorts,
  needs: HOST,
  scope: 'host',
  autoFixable: false,
  evaluate({inventory, policy, report, notEvaluated}) {
    for (const host of listeningLandscapeServers(inventory, notEvaluated)) {
      const grpcFront = proxyServes6554(host.landscapeServer)
      const exposed: {socket: ListeningSocket; what: string; service: Service}[] = []
      for (const socket of host.sockets) {
        if (!socket.protocol.startsWith('tcp') || isLoopback(socket.address)) continue
        const internal = INTERNAL.find((range) => socket.port >= range.from && socket.port <= range.to)
        if (!internal || (socket.port === 6554 && grpcFront)) continue
        exposed.push({socket, ...internal})
      }
      if (exposed.length === 0) continue
      // In INTERNAL's order, so epmd's fix (which refers to 25672's) comes after it.
      const order = INTERNAL.map((range) => range.service)
      const services = [...new Set(exposed.map((e) => e.service))].sort((a, b) => order.indexOf(a) - order.indexOf(b))
      const what = [...new Set(exposed.map((e) => e.what))]
      // What the Landscape host must still serve: the policy's ports (SSH), the proxy's 80 and 443, and its gRPC front.
      const allowed: PortRule[] = [
        ...policyPortRules(policy.host.allowPorts),
        {from: 80, to: 80, protocols: ['tcp'], why: 'Landscape (HTTP)'},
        {from: 443, to: 443, protocols: ['tcp'], why: 'Landscape (HTTPS)'},
        ...(grpcFront ? [{from: 6554, to: 6554, protocols: ['tcp'] as const, why: 'Landscape hostagent (gRPC, through the proxy)'}] : []),
      ]
      const stop = `Bind them to loopback: ${services.map((service) => BIND_TO_LOOPBACK[service]).join('; ')}`
      report({
        target: host.target,
        message: `the Landscape server host listens on internal ${list(what)} port${exposed.length === 1 ? '' : 's'} beyond loopback: ${list(exposed.slice(0, 20).map((e) => socketText(e.socket)))}${exposed.length > 20 ? ` and ${exposed.length - 20} more` : ''}; only the reverse proxy (80, 443) should be reachable from outside.`,
        evidence: {sockets: exposed.map((e) => socketText(e.socket)), services},
        remediation: listenersFix(host, stop, allowed, exposed.map((e) => e.socket)),
        ...lineRef(exposed[0]!.socket.file, exposed[0]!.socket.line),
      })
    }
  },
}

export const landscapeHostProxyTls: Rule = {
  ...landscapeProxyTls,
  needs: HOST,
  scope: 'host',
  evaluate({inventory, report, notEvaluated}) {
    for (const host of landscapeServers(inventory, notEvaluated)) {
      const {sites, certificates} = host.landscapeServer
      if (sites.length === 0) {
        notEvaluated(host.target, ['host'], 'no Apache site in /etc/apache2/sites-enabled serves Landscape (an HAProxy in front is not read)')
        continue
      }
      const tlsVhosts = sites.flatMap((site) => site.vhosts.filter((vhost) => vhost.tls).map((vhost) => ({site, vhost})))
      if (tlsVhosts.length === 0) {
        const site = sites[0]!
        report({
          target: host.target,
          message: `Apache serves Landscape without TLS: no <VirtualHost> of ${list(sites.map((s) => s.file))} has \`SSLEngine on\`.`,
          evidence: {sites: sites.map((s) => s.file), tls: false},
          remediation: `Add a <VirtualHost *:443> with \`SSLEngine On\`, \`SSLCertificateFile\` and \`SSLCertificateKeyFile\` to ${site.hostPath} (Landscape's manual-install template; a certificate from Let's Encrypt: \`sudo certbot --apache\`), redirect port 80 to it, then \`sudo systemctl reload apache2\``,
          ...lineRef(site.file, site.vhosts[0]?.line ?? site.line),
        })
        continue
      }
      const selfSigned = tlsVhosts.filter(({vhost}) => vhost.certificateFile && certificates.get(vhost.certificateFile.value)?.selfSigned)
      if (selfSigned.length === 0 || selfSigned.length < tlsVhosts.filter(({vhost}) => vhost.certificateFile && certificates.has(vhost.certificateFile.value)).length) continue
      const {vhost} = selfSigned[0]!
      const certificate = certificates.get(vhost.certificateFile!.value)!
      report({
        target: host.target,
        severity: 'low',
        message: `Apache serves Landscape with a self-signed certificate (${vhost.certificateFile!.value}, CN ${certificate.subject}): every Landscape client must be given it by hand before it can register.`,
        evidence: {certificateFile: vhost.certificateFile!.value, subject: certificate.subject, selfSigned: true},
        remediation: `Replace it with a certificate from a CA the clients trust (Let's Encrypt: \`sudo certbot --apache\`), or distribute ${vhost.certificateFile!.value} to every client (\`ssl_public_key\` in client.conf)`,
        ...lineRef(vhost.certificateFile!.file, vhost.certificateFile!.line),
      })
    }
  },
}

export const landscapeHostHttpPort: Rule = {
  ...landscapeHttpPort,
  needs: HOST,
  scope: 'host',
  autoFixable: false,
  evaluate({inventory, policy, report, notEvaluated}) {
    if (policy.landscape.mirroring) return
    for (const host of listeningLandscapeServers(inventory, notEvaluated)) {
      const http = host.sockets.filter((socket) => socket.protocol.startsWith('tcp') && socket.port === 80 && !isLoopback(socket.address))
      if (http.length === 0) continue
      const vhost = host.landscapeServer.sites.flatMap((site) => site.vhosts.filter((v) => v.port === 80).map((v) => ({site, vhost: v})))[0]
      const where = vhost ? `the <VirtualHost *:80> block of ${vhost.site.hostPath} (line ${vhost.vhost.line})` : 'the port-80 virtual host'
      report({
        target: host.target,
        message: `the Landscape server host serves port 80 (${list(http.map(socketText))}) although repository mirroring is not in use (landscape.mirroring: false).`,
        evidence: {sockets: http.map(socketText), mirroring: false, ...(vhost ? {vhost: `${vhost.site.file}:${vhost.vhost.line}`} : {})},
        remediation: `Switch Landscape clients to https first (\`url\`, \`ping_url\`, \`package_hash_id_url\` in /etc/landscape/client.conf, then \`sudo systemctl restart landscape-client\`: the ping URL defaults to http), then remove ${where} and \`Listen 80\` from /etc/apache2/ports.conf, and \`sudo systemctl reload apache2\`. If you mirror repositories, set \`landscape.mirroring: true\` in hardenctl.yaml.`,
        ...(vhost ? lineRef(vhost.site.file, vhost.vhost.line) : lineRef(http[0]!.file, http[0]!.line)),
      })
    }
  },
}

export const landscapeTlsCertExpiry: Rule = {
  id: 'LANDSCAPE-TLS-CERT-EXPIRY',
  title: 'Landscape server TLS certificate expired or about to expire',
  severity: 'medium',
  profile: 'landscape',
  guide: cite('landscape', 'Secure external traffic'),
  rationale:
    'The guide puts a certificate (from Let\'s Encrypt, or self-signed) on the reverse proxy Landscape clients and users reach. Once it expires, clients stop talking to the server (their https checks fail) and users are taught to click through certificate warnings.',
  remediation: 'Renew the certificate of the Landscape site (`sudo certbot renew` for a Let\'s Encrypt one, or replace the file its `SSLCertificateFile` names), then `sudo systemctl reload apache2`.',
  autoFixable: false,
  needs: HOST,
  scope: 'host',
  evaluate({inventory, policy, now, report, notEvaluated}) {
    for (const host of landscapeServers(inventory, notEvaluated)) {
      const {sites, certificates} = host.landscapeServer
      const seen = new Set<string>()
      for (const site of sites) {
        for (const vhost of site.vhosts) {
          const named = vhost.tls ? vhost.certificateFile : undefined
          const certificate = named ? certificates.get(named.value) : undefined
          if (!named || !certificate || seen.has(named.value)) continue
          seen.add(named.value)
          const expiry = certificateExpiry(certificate, now, policy.host.certificateWarningDays)
          if (expiry.state === 'valid') continue
          report({
            target: host.target,
            severity: expiry.state === 'expired' ? 'high' : 'medium',
            message: `the certificate Apache serves Landscape with (${named.value}, CN ${certificate.subject}) ${describeExpiry(expiry)}${expiry.state === 'expired' ? ': Landscape clients refuse the server' : ''}.`,
            evidence: {certificateFile: named.value, subject: certificate.subject, notAfter: expiry.date, selfSigned: certificate.selfSigned},
            remediation: `Renew ${named.value} (\`sudo certbot renew\` for a Let's Encrypt certificate; a self-signed one must then be given to every client again), then \`sudo systemctl reload apache2\``,
            ...lineRef(named.file, named.line),
          })
        }
      }
    }
  },
}

/** Host-only Landscape server rules (not in RULES.md). */
export const LANDSCAPE_SERVER_HOST_RULES: Rule[] = [landscapeTlsCertExpiry]

/** Host forms of the Landscape server rules (same ids and guide; they read hosts, not the Juju model). */
export const LANDSCAPE_SERVER_HOST_FORMS: Rule[] = [landscapeHostInternalPorts, landscapeHostHttpPort, landscapeHostProxyTls]
