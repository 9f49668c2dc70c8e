/**
 * MAAS host checks (`hardenctl host`; 003 for MAAS 2.x, 004 for 3.x): what the guides ask of the
 * region and rack hosts themselves. They read HostInventory only, and act only on hosts where
 * MAAS is installed (deb or snap).
 */
import type {HostCertificate, HostFileStat, HostInventory, HostMaas, ListeningSocket} from '../inventory/host.js'
import {isLoopback} from '../sources/host/proc-net.js'
import {MAAS_LAYOUTS} from '../sources/host/read-host.js'
import {cite} from './guides.js'
import {describeBurst, findBursts, minuteText} from './helpers/bursts.js'
import {certificateExpiry, describeExpiry} from './helpers/certificate-expiry.js'
import {listenersFix, policyPortRules, type PortRule, socketText, ufwAllows, ufwOff} from './helpers/host-firewall.js'
import {lineRef, maasHosts} from './helpers/hosts.js'
import {list} from './helpers/targets.js'
import {maasDbTls, maasTlsRule} from './maas.js'
import type {Rule, RuleContext} from './rule.js'

const HOST = [['host' as const]]
const MAAS_HTTP = 5240
const MAAS_TLS = 5443

export const maasFilePerms: Rule = {
  id: 'MAAS-FILE-PERMS',
  title: 'MAAS configuration files readable beyond root:maas 640',
  severity: 'medium',
  profile: 'maas',
  guide: cite('maas2', 'File permissions'),
  rationale:
    '`regiond.conf` holds the credentials of the PostgreSQL database MAAS uses; the guide says MAAS configuration files should be mode 640, owned by root, readable by the maas group.',
  remediation: '`sudo chown root:maas /etc/maas/regiond.conf /etc/maas/rackd.conf && sudo chmod 640 /etc/maas/regiond.conf /etc/maas/rackd.conf` (snap: `sudo chown root:root` and `sudo chmod 640` on /var/snap/maas/current/regiond.conf and rackd.conf).',
  autoFixable: false,
  needs: HOST,
  scope: 'host',
  evaluate({inventory, report, notEvaluated}) {
    for (const host of maasHosts(inventory)) {
      if (host.maas.configFiles.length === 0) {
        notEvaluated(host.target, ['host'], `MAAS (${host.maas.layout}) is installed but neither regiond.conf nor rackd.conf was found`)
        continue
      }
      for (const file of host.maas.configFiles) {
        const access = configFileAccess(file, host.maas.layout)
        if (access.problems.length === 0) continue
        const asides = [
          ...(host.maas.layout === 'snap' ? ['on a snap, which has no maas group and runs MAAS as root: root:root'] : []),
          ...(file.hostPath.endsWith('/regiond.conf') ? ['it holds the database password'] : []),
        ]
        report({
          target: host.target,
          message: `${file.file} is ${access.problems.join(', ')}; the guide asks for 640 root:maas${asides.length > 0 ? ` (${asides.join('; ')})` : ''}.`,
          evidence: {file: file.file, mode: access.mode, owner: access.owner, group: access.group},
          remediation: access.fix.join(' && '),
          ...lineRef(file.file),
        })
      }
    }
  },
}

/**
 * Who besides MAAS can read or change a MAAS configuration file, and the commands that stop it
 * while MAAS can still read it. The deb's daemons run as the maas user (`User=maas`) and its
 * postinst makes the files maas:maas, which regiond needs to rewrite regiond.conf (moving the
 * database credentials to Vault): owner maas is MAAS itself, not a finding. The snap's daemons
 * run as root and the snap creates no maas group, so there the files belong to root:root.
 * A stricter mode than 640 (600) is not a finding.
 */
function configFileAccess(file: HostFileStat, layout: HostMaas['layout']): {problems: string[]; fix: string[]; mode: string; owner: string; group: string} {
  const owner = file.owner ?? `uid ${file.uid}`
  const group = file.group ?? `gid ${file.gid}`
  const mode = file.mode.toString(8).padStart(3, '0')
  const maasOwners = layout === 'deb' ? ['root', 'maas'] : ['root']
  const trustedGroups = ['root', 'maas']
  const problems: string[] = []
  const everyone = [...(file.mode & 0o004 ? ['readable'] : []), ...(file.mode & 0o002 ? ['writable'] : [])]
  if (everyone.length > 0 || file.mode & 0o020) {
    problems.push(`mode ${mode} (${everyone.length > 0 ? `${everyone.join(' and ')} by every local user` : `writable by group ${group}`})`)
  }
  const ownerWrong = !maasOwners.includes(owner)
  const groupReads = (file.mode & 0o040) !== 0 && !trustedGroups.includes(group)
  if (ownerWrong || groupReads) problems.push(`owned by ${owner}:${group}${!ownerWrong ? ` (group ${group} can read it)` : ''}`)

  // deb: the maas group must keep read access when the owner is root (`chmod 640` on a root:root
  // file would lock regiond out); snap: root alone.
  const wanted = layout === 'deb' ? {owner: ownerWrong ? 'root' : owner, group: 'maas'} : {owner: 'root', group: 'root'}
  // `chmod 640` gives the group read access: a group that may not read the file (0604 root:landscape) is changed with it.
  const modeAfterFix = (file.mode & 0o027) !== 0 ? 0o640 : file.mode
  const groupWillRead = (modeAfterFix & 0o040) !== 0 && !trustedGroups.includes(group)
  const chownNeeded = ownerWrong || groupWillRead || (layout === 'deb' && wanted.owner === 'root' && group !== 'maas')
  const fix = [
    ...(problems.length > 0 && chownNeeded ? [`sudo chown ${wanted.owner}:${wanted.group} ${file.hostPath}`] : []),
    ...((file.mode & 0o027) !== 0 ? [`sudo chmod 640 ${file.hostPath}`] : []),
  ]
  return {problems, fix, mode, owner, group}
}

export const maasLoginFailures: Rule = {
  id: 'MAAS-LOGIN-FAILURES',
  title: 'Bursts of failed MAAS logins',
  severity: 'medium',
  profile: 'maas',
  guide: cite('maas2', 'MAAS log files'),
  rationale:
    'Failed logins show up in regiond.log as `POST /MAAS/accounts/login/` answered 400 (bad credentials) or 204 (empty credentials); the guide says their frequency is what separates an attack from routine mistakes.',
  remediation: 'Investigate the source addresses in /var/log/maas/regiond.log (snap: /var/snap/maas/common/log/regiond.log) and block them ahead of the allow rules, e.g. `sudo ufw prepend deny from ADDRESS`.',
  autoFixable: false,
  needs: HOST,
  scope: 'host',
  evaluate(context) {
    const {threshold, windowMinutes} = context.policy.host.loginFailures
    for (const host of maasHosts(context.inventory)) {
      if (!host.maas.region) continue
      if (!host.maas.regiondLog) {
        // MAAS 3.5 and later write no regiond.log: the region logs to the systemd journal (Pebble in
        // the snap, the maas-regiond unit in the deb). Only the fleet collection exports it.
        const journal = MAAS_LAYOUTS[host.maas.layout].journalctl
        context.notEvaluated(
          host.target,
          ['host'],
          `the region runs here but ${host.maas.regiondLogPath} was not found or could not be read; MAAS 3.5 and later log to the systemd journal instead, which hardenctl reads only across a fleet (--juju-model): look for failed logins with \`${journal} | grep 'POST /MAAS/accounts/login/'\``,
        )
        continue
      }
      const fromJournal = host.maas.regiondLogFromJournal ? ` in the region's journal (\`${host.maas.regiondLogFromJournal}\`)` : ''
      reportBursts(context, host, host.maas.regiondLog, {threshold, windowMinutes, what: `failed MAAS logins (POST /MAAS/accounts/login/ answered 400 or 204)${fromJournal}`})
    }
  },
}

export const maasSshFailures: Rule = {
  id: 'MAAS-SSH-FAILURES',
  title: 'Bursts of failed SSH logins on a MAAS host',
  severity: 'medium',
  profile: 'maas',
  guide: cite('maas2', 'System log files'),
  rationale:
    'The guide uses `Failed password` lines of sshd to detect and source an SSH brute-force attack on the MAAS server; a burst of them (or of `Invalid user`) from one address is an attack in progress.',
  remediation: 'Block the source addresses ahead of the allow rules (`sudo ufw prepend deny from ADDRESS`), allow SSH only from administration networks, and prefer key authentication (`PasswordAuthentication no` in /etc/ssh/sshd_config).',
  autoFixable: false,
  needs: HOST,
  scope: 'host',
  evaluate(context) {
    const {threshold, windowMinutes} = context.policy.host.sshFailures
    for (const host of maasHosts(context.inventory)) {
      if (!host.authLog) {
        context.notEvaluated(host.target, ['host'], `${host.authLogPath} was not found or could not be read`)
        continue
      }
      reportBursts(context, host, host.authLog, {threshold, windowMinutes, what: 'failed SSH logins (Failed password / Invalid user)'})
    }
  },
}

function reportBursts(
  {report}: RuleContext,
  host: HostInventory,
  log: NonNullable<HostInventory['authLog']>,
  {threshold, windowMinutes, what}: {threshold: number; windowMinutes: number; what: string},
): void {
  const bursts = findBursts(log.buckets, threshold, windowMinutes).sort((a, b) => b.count - a.count || b.start - a.start)
  if (bursts.length === 0) return
  const worst = bursts[0]!
  const addresses = [...new Set(bursts.flatMap((b) => b.sources.map(([address]) => address)))]
  const since = log.readBackTo === undefined ? '' : ` since ${minuteText(log.readBackTo)}`
  report({
    target: host.target,
    message: `${log.file}: ${bursts.length} burst${bursts.length === 1 ? '' : 's'} of ${what}${since} (${threshold} or more within ${windowMinutes} min); the largest: ${describeBurst(worst)}.`,
    evidence: {
      file: log.file,
      threshold,
      windowMinutes,
      bursts: bursts.slice(0, 20).map((b) => ({from: minuteText(b.start), to: minuteText(b.end), count: b.count, sources: Object.fromEntries(b.sources.slice(0, 20))})),
      sourceAddresses: addresses.slice(0, 50),
    },
    // `prepend`: ufw matches rules in order, so a deny appended after an `allow 22` or `allow 5240`
    // would never match. Not `insert 1`: ufw refuses it while it has no rules yet, and for an IPv6
    // address whenever rule 1 is an IPv4 one ("Invalid position '1'"; test/host/ufw-fixes.test.ts).
    remediation: `investigate, then block the sources: ${addresses.slice(0, 5).map((a) => `sudo ufw prepend deny from ${a}`).join('; ')}${ufwOff(host) ? '   # ufw is disabled on this host: its rules take effect once it is enabled (MAAS-FIREWALL)' : ''}`,
    ...lineRef(log.file),
  })
}

/** The MAAS port reference (003 "Use a firewall", 004 "Manage network ports"). */
const MAAS_PORTS: PortRule[] = [
  {from: MAAS_HTTP, to: MAAS_HTTP, protocols: ['tcp'], why: 'MAAS HTTP'},
  {from: 5241, to: 5247, protocols: ['tcp', 'udp'], why: 'internal MAAS services'},
  {from: 5248, to: 5248, protocols: ['tcp'], why: 'rack HTTP'},
  {from: 5250, to: 5270, protocols: ['tcp', 'udp'], why: 'region workers (RPC)'},
]
/**
 * What every MAAS controller serves besides the guide's list, region or rack (MAAS's port table,
 * canonical/maas docs/usr/markdown/configuration-reference-8035.md at a0990d96): DNS (bind9, which a
 * region runs as the MAAS zones' authority and a rack runs forwarding to it), NTP (chrony) and the
 * proxy (squid). The machines MAAS deploys use them, and racks forward to the regions.
 */
const CONTROLLER_PORTS: PortRule[] = [
  {from: 53, to: 53, protocols: ['tcp', 'udp'], why: 'DNS'},
  {from: 123, to: 123, protocols: ['udp'], why: 'NTP'},
  {from: 3128, to: 3128, protocols: ['tcp'], why: 'MAAS proxy'},
  {from: 8000, to: 8000, protocols: ['tcp'], why: 'MAAS proxy'},
]
/** A rack controller also boots machines: DHCP (v4 and v6), TFTP, and DHCP failover between racks. */
const RACK_PORTS: PortRule[] = [
  {from: 67, to: 67, protocols: ['udp'], why: 'DHCP'},
  {from: 69, to: 69, protocols: ['udp'], why: 'TFTP'},
  {from: 547, to: 547, protocols: ['udp'], why: 'DHCPv6'},
  {from: 647, to: 647, protocols: ['tcp'], why: 'DHCP failover'},
]
/**
 * A region of MAAS 3.5 and later runs Temporal, bound on every address: its frontend (5271), which
 * racks reach, and its cluster ports, which the other regions reach (the port table; the maas-region
 * charm opens 5270-5274 and 5280-5284).
 */
const REGION_PORTS: PortRule[] = [
  {from: 5271, to: 5274, protocols: ['tcp'], why: 'Temporal'},
  {from: 5280, to: 5284, protocols: ['tcp'], why: 'Temporal'},
]
const POSTGRES = 5432
/** MAAS's Prometheus endpoints (region 5239, rack 5249): bound on every address, with no setting to move them. */
const METRICS_PORTS = new Set([5239, 5249])
const METRICS_NOTE = "5239 and 5249 are MAAS's own metrics endpoints, which no MAAS setting binds to loopback: firewall them, or allow only your Prometheus host"

/**
 * What a MAAS host may listen on: the policy's `host.allowPorts`, the guide's ports, every
 * controller's, a region's and a rack's own, TLS, and a proxy in front of the region.
 */
function allowedPorts(host: HostInventory & {maas: {rack: boolean; region: boolean}}, policyPorts: readonly number[]): PortRule[] {
  const tls = regionTls(host)
  return [
    ...policyPortRules(policyPorts),
    ...MAAS_PORTS,
    ...CONTROLLER_PORTS,
    ...(host.maas.region ? REGION_PORTS : []),
    ...(host.maas.rack ? RACK_PORTS : []),
    ...(tls?.port ? [{from: tls.port, to: tls.port, protocols: ['tcp'] as const, why: 'TLS'}] : []),
    ...frontPorts(host).filter((port) => port !== tls?.port).map((port) => ({from: port, to: port, protocols: ['tcp'] as const, why: 'a proxy in front of MAAS'})),
  ]
}

/**
 * A proxy in front of the region is how clients reach MAAS, and firewalling it would cut every
 * client off: an HAProxy's frontends to MAAS (MAAS's HA page puts one on *:80) and 443, where the
 * guide's HAProxy terminates TLS and MAAS-TLS's fix adds a bind; an nginx or Apache site that
 * proxies to 5240 (its listen ports are not read), 80 and 443.
 */
function frontPorts(host: HostInventory): number[] {
  const haproxy = fronting(host)
  const bound = haproxy ? haproxy.frontends.filter((f) => f.toMaas).flatMap((f) => f.binds.map((b) => b.port).filter((port): port is number => port !== undefined)) : []
  const web = host.webProxies.length > 0 ? [80, 443] : []
  if (!haproxy && web.length === 0) return []
  return [...new Set([...bound, ...web, 443])].sort((a, b) => a - b)
}

/** The host's HAProxy when it fronts the MAAS region (a frontend that sends to a server on 5240). */
function fronting(host: HostInventory): HostInventory['haproxy'] {
  return host.haproxy?.frontends.some((f) => f.toMaas) ? host.haproxy : undefined
}

/** The region is served over TLS: natively (5443), or by a TLS-terminating proxy in front of 5240. */
function regionTls(host: HostInventory): {how: string; file: string; line?: number; port?: number} | undefined {
  const native = host.maas?.nativeTls
  if (native) return {how: `MAAS serves TLS itself (${native.value})`, file: native.file, line: native.line, port: MAAS_TLS}
  const haproxy = fronting(host)
  if (haproxy) {
    const frontend = haproxy.frontends.find((f) => f.toMaas && f.binds.some((b) => b.ssl && b.crt))
    const bind = frontend?.binds.find((b) => b.ssl && b.crt)
    if (frontend && bind) return {how: `HAProxy frontend ${frontend.name} terminates TLS`, file: haproxy.file, line: bind.line, ...(bind.port ? {port: bind.port} : {})}
  }
  const proxy = host.webProxies.find((p) => p.tlsToMaas)
  if (proxy) return {how: `${proxy.kind} terminates TLS in front of port ${MAAS_HTTP}`, file: proxy.file, line: proxy.line, port: 443}
  return undefined
}

/** PostgreSQL requires TLS: ssl on, and no non-TLS `host`/`hostnossl` line for a non-local address. */
function postgresRequiresTls(host: HostInventory, database: string): {required: boolean; why: string; file?: string; line?: number} {
  const pg = host.postgres
  if (!pg) return {required: false, why: 'no postgresql.conf was found'}
  if (pg.ssl?.value.toLowerCase() !== 'on' && pg.ssl?.value.toLowerCase() !== 'true') {
    return {required: false, why: pg.ssl ? `ssl = ${pg.ssl.value}` : 'ssl is not set (PostgreSQL defaults to off)', file: pg.ssl?.file ?? pg.confFile, ...(pg.ssl ? {line: pg.ssl.line} : {})}
  }
  const plain = plainHbaLines(host, database)
  if (plain.length > 0) return {required: false, why: `pg_hba.conf accepts non-TLS connections (${plain.map((e) => `line ${e.line}: ${e.type} ${e.database} ${e.address}`).join('; ')})`, file: plain[0]!.file, line: plain[0]!.line}
  return {required: true, why: 'ssl = on and pg_hba.conf has only hostssl lines for remote addresses'}
}

const LOCAL_ADDRESSES = new Set(['127.0.0.1/32', '::1/128', 'localhost', 'samehost', '127.0.0.1', '::1'])

function plainHbaLines(host: HostInventory, database: string) {
  return (host.postgres?.hba ?? []).filter(
    (e) => (e.type === 'host' || e.type === 'hostnossl') && e.address !== undefined && !LOCAL_ADDRESSES.has(e.address) && e.database.split(',').some((d) => d === database || d === 'all' || d === 'sameuser'),
  )
}

export const maasHostPorts: Rule = {
  id: 'MAAS-HOST-PORTS',
  title: 'MAAS host listening beyond the MAAS port reference',
  severity: 'high',
  profile: 'maas',
  guide: cite('maas3', 'Manage network ports'),
  rationale:
    'The guides allow a MAAS controller only the ports MAAS uses: 5240, 5241-5247, 5248, 5250-5270 (5443 with native TLS), and MAAS\'s port table adds DNS, NTP and the proxy on every controller, Temporal on a 3.5+ region, DHCP and TFTP on a rack. Anything else listening on a non-loopback address is attack surface; PostgreSQL reachable from the network must at least require TLS.',
  remediation:
    'Stop or rebind the extra services to 127.0.0.1, or firewall them: allow SSH and the MAAS ports first (`sudo ufw allow 22`, `5240`, `5248/tcp`, `5241:5247/tcp`, `5241:5247/udp`, `5250:5270/tcp`, `5250:5270/udp`, DNS, NTP and the proxy, a region\'s Temporal, a rack\'s DHCP and TFTP), then `sudo ufw default deny incoming`.',
  autoFixable: false,
  needs: HOST,
  scope: 'host',
  evaluate({inventory, policy, report, notEvaluated}) {
    for (const host of maasHosts(inventory)) {
      if (!host.sockets) {
        notEvaluated(host.target, ['host'], 'proc/net/tcp, tcp6, udp and udp6 were not found')
        continue
      }
      const tls = regionTls(host)
      const allowed = allowedPorts(host, policy.host.allowPorts)
      const db = postgresRequiresTls(host, host.maas.databaseName)
      const extra: ListeningSocket[] = []
      let plaintextPostgres: ListeningSocket | undefined
      for (const socket of host.sockets) {
        if (isLoopback(socket.address)) continue
        const protocol = socket.protocol.startsWith('tcp') ? 'tcp' : 'udp'
        if (allowed.some((r) => socket.port >= r.from && socket.port <= r.to && r.protocols.includes(protocol))) continue
        if (socket.port === POSTGRES && protocol === 'tcp') {
          if (!db.required) plaintextPostgres ??= socket
          continue
        }
        extra.push(socket)
      }
      if (extra.length > 0) {
        const shown = extra.slice(0, 20).map(socketText)
        report({
          target: host.target,
          message: `listening on non-loopback addresses beyond the MAAS port reference: ${list(shown)}${extra.length > 20 ? ` and ${extra.length - 20} more` : ''}${host.maas.rack ? '' : ' (no rack controller here, so DHCP and TFTP are not expected)'}${extra.some((socket) => METRICS_PORTS.has(socket.port)) ? `; ${METRICS_NOTE}` : ''}.`,
          evidence: {extra: extra.map(socketText), rack: host.maas.rack, region: host.maas.region, tls: tls?.how ?? null},
          remediation: listenersFix(host, 'Stop the extra services or bind them to 127.0.0.1', allowed, extra),
          ...lineRef(extra[0]!.file, extra[0]!.line),
        })
      }
      if (plaintextPostgres) {
        report({
          target: host.target,
          message: `PostgreSQL listens on ${socketText(plaintextPostgres)} without requiring TLS: ${db.why}.`,
          evidence: {socket: socketText(plaintextPostgres), postgres: db.why},
          remediation: 'Bind PostgreSQL to 127.0.0.1 (`listen_addresses = \'localhost\'` in postgresql.conf) when MAAS runs on this host, or require TLS: `ssl = on` and `hostssl` instead of `host` lines in pg_hba.conf.',
          ...lineRef(db.file ?? plaintextPostgres.file, db.file ? db.line : plaintextPostgres.line),
        })
      }
    }
  },
}

export const maasFirewall: Rule = {
  id: 'MAAS-FIREWALL',
  title: 'MAAS host firewall off or not denying incoming traffic',
  severity: 'high',
  profile: 'maas',
  guide: cite('maas3', 'Manage network ports'),
  rationale: 'The guides have ufw enabled on region and rack controllers with `default deny incoming`, then allow only the ports MAAS uses; without that every listening service is reachable.',
  remediation: 'Allow SSH and the MAAS ports first (`sudo ufw allow 22`, `5240`, `5248/tcp`, `5241:5247/tcp`, `5241:5247/udp`, `5250:5270/tcp`, `5250:5270/udp`, DNS, NTP and the proxy, a region\'s Temporal ports, a rack controller\'s DHCP and TFTP), then `sudo ufw default deny incoming` and `sudo ufw enable`.',
  autoFixable: false,
  needs: HOST,
  scope: 'host',
  evaluate({inventory, policy, report, notEvaluated}) {
    for (const host of maasHosts(inventory)) {
      const ufw = host.ufw
      if (!ufw) {
        notEvaluated(host.target, ['host'], 'ufw is not installed (no /etc/ufw/ufw.conf or /etc/default/ufw); other firewalls are not read')
        continue
      }
      const disabled = ufwOff(host)
      const input = ufw.defaultInput?.value.toUpperCase()
      const accepting = input !== undefined && input !== 'DROP' && input !== 'REJECT'
      if (!disabled && !accepting) continue
      const problems = [...(disabled ? [`ufw is disabled (ENABLED=${ufw.enabled!.value})`] : []), ...(accepting ? [`the default incoming policy is ${input}, not deny`] : [])]
      const at = disabled ? ufw.enabled! : ufw.defaultInput!
      report({
        target: host.target,
        message: `${problems.join(' and ')}.`,
        evidence: {enabled: ufw.enabled?.value ?? null, defaultInputPolicy: ufw.defaultInput?.value ?? null},
        // Allow first: ufw's rules cannot be read from here, and deny-by-default with none would cut
        // off SSH and every MAAS client (rules added while ufw is off take effect when it is enabled).
        remediation: [
          ...ufwAllows(allowedPorts(host, policy.host.allowPorts)),
          ...(accepting ? ['sudo ufw default deny incoming'] : []),
          ...(disabled ? ['sudo ufw enable'] : []),
        ].join(' && '),
        ...lineRef(at.file, at.line),
      })
    }
  },
}

export const maasHostTls: Rule = {
  ...maasTlsRule,
  needs: HOST,
  scope: 'host',
  evaluate({inventory, report}) {
    for (const host of maasHosts(inventory)) {
      if (!host.maas.region || regionTls(host)) continue
      const haproxy = fronting(host)
      const frontend = haproxy?.frontends.find((f) => f.toMaas && f.binds.some((b) => !b.ssl)) ?? haproxy?.frontends.find((f) => f.toMaas)
      report({
        target: host.target,
        message: `the MAAS region here serves its API and UI over plain HTTP:${haproxy ? ' HAProxy fronts it without `ssl crt`;' : ''} no \`listen ... ssl\` in the region's nginx config (maas config-tls), no TLS-terminating HAProxy, nginx or Apache in front of port ${MAAS_HTTP}.`,
        evidence: {nativeTls: false, haproxy: host.haproxy?.file ?? null, webProxies: host.webProxies.map((p) => p.file)},
        // Clients come in through the HAProxy: TLS on the region alone would leave its plain frontend.
        remediation: haproxy
          ? `In ${haproxy.hostPath}: terminate TLS in ${frontend ? `frontend ${frontend.name}` : 'the frontend'} (\`bind *:443 ssl crt /etc/ssl/private/maas.pem\`, and \`http-request redirect scheme https unless { ssl_fc }\` for port 80), then \`sudo systemctl reload haproxy\``
          : host.maas.layout === 'snap'
            ? // The confined snap reads the key and certificate only where it may: under its common directory.
              `sudo maas config-tls enable /var/snap/maas/common/maas.key /var/snap/maas/common/maas.crt --port ${MAAS_TLS}   # MAAS 3.3+, with the key and certificate copied there first (the snap cannot read them elsewhere); older: a TLS-terminating HAProxy (bind *:443 ssl crt ...)`
            : `sudo maas config-tls enable key.pem cert.pem --port ${MAAS_TLS}   # MAAS 3.3+; older: a TLS-terminating HAProxy (bind *:443 ssl crt ...)`,
        ...(haproxy ? lineRef(haproxy.file, frontend?.binds[0]?.line ?? frontend?.line) : {}),
      })
    }
  },
}

export const maasHaproxyTls: Rule = {
  id: 'MAAS-HAPROXY-TLS',
  title: 'HAProxy in front of MAAS without the guide\'s TLS settings',
  severity: 'medium',
  profile: 'maas',
  guide: cite('maas3', 'Deploy HAProxy'),
  rationale:
    'The guides\' HAProxy for MAAS binds 443 with `ssl crt` (TLS terminated at the proxy), sets `tune.ssl.default-dh-param 2048` (no weak DHE keys) and `option forwardfor` (MAAS sees the client address in X-Forwarded-For, so logs name the real source of failed logins).',
  remediation: 'In /etc/haproxy/haproxy.cfg: `bind *:443 ssl crt /etc/ssl/private/PEM` in the frontend, `tune.ssl.default-dh-param 2048` in global, `option forwardfor` in defaults; then `sudo systemctl restart haproxy`.',
  autoFixable: false,
  needs: HOST,
  scope: 'host',
  evaluate({inventory, report}) {
    for (const host of maasHosts(inventory)) {
      // Only an HAProxy in front of MAAS: one serving another site (or a PostgreSQL pool) is not the guide's.
      const haproxy = fronting(host)
      if (!haproxy) continue
      const problems: {text: string; line?: number}[] = []
      const toMaas = haproxy.frontends.filter((f) => f.toMaas)
      for (const frontend of toMaas) {
        for (const bind of frontend.binds) {
          if (bind.port === 443 && !(bind.ssl && bind.crt)) problems.push({text: `frontend ${frontend.name} binds 443 without \`ssl crt\``, line: bind.line})
        }
      }
      const dh = haproxy.dhParam ? Number(haproxy.dhParam.value) : undefined
      if (dh === undefined) problems.push({text: 'no `tune.ssl.default-dh-param 2048` in global'})
      else if (!(dh >= 2048)) problems.push({text: `tune.ssl.default-dh-param is ${haproxy.dhParam!.value}, below 2048`, line: haproxy.dhParam!.line})
      if (!haproxy.forwardFor && !toMaas.every((f) => f.forwardFor)) problems.push({text: 'no `option forwardfor` (in defaults or every frontend to MAAS)'})
      if (problems.length === 0) continue
      const first = problems.find((p) => p.line !== undefined)
      report({
        target: host.target,
        message: `${haproxy.file}: ${problems.map((p) => p.text).join('; ')}.`,
        evidence: {file: haproxy.file, problems: problems.map((p) => p.text)},
        ...lineRef(haproxy.file, first?.line),
      })
    }
  },
}

export const maasHostDbTls: Rule = {
  ...maasDbTls,
  needs: HOST,
  scope: 'host',
  evaluate({inventory, report}) {
    for (const host of maasHosts(inventory)) {
      const pg = host.postgres
      if (!pg) continue // the database runs elsewhere
      const database = host.maas.databaseName
      const ssl = pg.ssl?.value.toLowerCase()
      if (ssl !== 'on' && ssl !== 'true') {
        report({
          target: host.target,
          message: `${pg.ssl?.file ?? pg.confFile}: ${pg.ssl ? `ssl = ${pg.ssl.value}` : 'ssl is not set (PostgreSQL defaults to off)'}: MAAS talks to PostgreSQL without TLS.`,
          evidence: {file: pg.confFile, ssl: pg.ssl?.value ?? null},
          remediation: `set \`ssl = on\` (with ssl_cert_file and ssl_key_file) in ${pg.confHostPath} and restart PostgreSQL`,
          ...lineRef(pg.ssl?.file ?? pg.confFile, pg.ssl?.line),
        })
      }
      const plain = plainHbaLines(host, database)
      if (plain.length > 0) {
        // A hostssl line matches only with ssl on: made first, the change would lock MAAS out of its database.
        const sslFirst = ssl === 'on' || ssl === 'true' ? '' : 'once ssl is on (the finding above), '
        const types = [...new Set(plain.map((e) => `\`${e.type}\``))].join(' and ')
        report({
          target: host.target,
          message: `${pg.hbaFile}: ${plain.length} line${plain.length === 1 ? '' : 's'} accept${plain.length === 1 ? 's' : ''} the MAAS database (${database}) from non-local addresses without TLS: ${plain.map((e) => `line ${e.line} (${e.type} ${e.database} ${e.address})`).join(', ')}.`,
          evidence: {file: pg.hbaFile, database, lines: plain.map((e) => ({line: e.line, type: e.type, database: e.database, address: e.address}))},
          remediation: `${sslFirst}change ${types} to \`hostssl\` on those lines of ${pg.hbaHostPath ?? pg.hbaFile} and reload PostgreSQL`,
          ...lineRef(plain[0]!.file, plain[0]!.line),
        })
      }
    }
  },
}

export const maasTlsCertExpiry: Rule = {
  id: 'MAAS-TLS-CERT-EXPIRY',
  title: 'MAAS TLS certificate expired or about to expire',
  severity: 'medium',
  profile: 'maas',
  guide: cite('maas3', 'Renew certificates'),
  rationale:
    'MAAS does not renew the certificate it serves TLS with (`maas config-tls enable`); the guide renews it the same way it was enabled, by hand or from a certbot or acme.sh hook. Once it expires the MAAS CLI, the UI and other controllers refuse the region, and the usual way out, skipping certificate checks, is what TLS was there to prevent.',
  remediation: 'Renew it as the guide enables it: `sudo maas config-tls enable new-server-key.pem new-server.pem --port 5443` (snap: with the files in /var/snap/maas/common), and automate renewal with a certbot post-renewal hook; behind HAProxy, renew the PEM its `crt` names and reload HAProxy.',
  autoFixable: false,
  needs: HOST,
  scope: 'host',
  evaluate({inventory, policy, now, report, notEvaluated}) {
    for (const host of maasHosts(inventory)) {
      if (!host.maas.region) continue
      for (const served of servedCertificates(host, notEvaluated)) {
        const expiry = certificateExpiry(served.certificate, now, policy.host.certificateWarningDays)
        if (expiry.state === 'valid') continue
        report({
          target: host.target,
          severity: expiry.state === 'expired' ? 'high' : 'medium',
          message: `${served.what} ${describeExpiry(expiry)}${expiry.state === 'expired' ? ': clients that check it refuse the region' : ''}.`,
          evidence: {file: served.certificate.file, subject: served.certificate.subject, notAfter: expiry.date, selfSigned: served.certificate.selfSigned},
          remediation: served.renew,
          ...lineRef(served.at.file, served.at.line),
        })
      }
    }
  },
}

/** A certificate the MAAS region's clients are served: which (for the message), where it is set, how it is renewed. */
interface ServedCertificate {
  certificate: HostCertificate
  what: string
  at: {file: string; line?: number}
  renew: string
}

/**
 * The certificates clients of the MAAS region are served: MAAS's own (native TLS), and those of the
 * HAProxy frontends in front of it (`bind ... ssl crt PEM`), each with how the guide renews it.
 */
function servedCertificates(host: HostInventory & {maas: HostMaas}, notEvaluated: RuleContext['notEvaluated']): ServedCertificate[] {
  const served: ServedCertificate[] = []
  const native = host.maas.nativeTls
  if (native) {
    const certificate = host.maas.tlsCertificate
    if (!certificate) notEvaluated(host.target, ['host'], `MAAS serves TLS (${native.value}) but ${MAAS_LAYOUTS[host.maas.layout].tlsCertificate} was not found or could not be read`)
    else {
      const port = /\b(\d+)\s+ssl\b/.exec(native.value)?.[1] ?? String(MAAS_TLS)
      const files = host.maas.layout === 'snap' ? '/var/snap/maas/common/new-server-key.pem /var/snap/maas/common/new-server.pem' : 'new-server-key.pem new-server.pem'
      served.push({
        certificate,
        what: `the certificate MAAS serves TLS with (CN ${certificate.subject})`,
        at: {file: certificate.file},
        renew: `sudo maas config-tls enable ${files} --port ${port}   # with the renewed key and certificate${host.maas.layout === 'snap' ? ' copied there first (the snap reads them only there)' : ''}; automate it with a certbot post-renewal hook (the guide's "Renew certificates")`,
      })
    }
  }
  const haproxy = fronting(host)
  for (const frontend of haproxy?.frontends.filter((f) => f.toMaas) ?? []) {
    for (const bind of frontend.binds) {
      const certificate = bind.crtPath ? haproxy!.certificates?.get(bind.crtPath) : undefined
      if (!certificate || served.some((s) => s.certificate.hostPath === certificate.hostPath)) continue
      served.push({
        certificate,
        what: `the certificate HAProxy frontend ${frontend.name} serves MAAS with (${certificate.hostPath}, CN ${certificate.subject})`,
        at: {file: haproxy!.file, line: bind.line},
        renew: `Renew ${certificate.hostPath}: HAProxy reads certificate and key from that one PEM (\`cat new-server.pem new-server-key.pem | sudo tee ${certificate.hostPath} >/dev/null\`), then \`sudo systemctl reload haproxy\``,
      })
    }
  }
  return served
}

/** Host-only rules, in the catalog (RULES.md "Host checks"). */
export const MAAS_HOST_RULES: Rule[] = [maasFilePerms, maasLoginFailures, maasSshFailures, maasHostPorts, maasFirewall, maasHaproxyTls, maasTlsCertExpiry]

/** Host forms of estate rules (same id and guide; they read hosts, not the Juju model). */
export const MAAS_HOST_FORMS: Rule[] = [maasHostTls, maasHostDbTls]
