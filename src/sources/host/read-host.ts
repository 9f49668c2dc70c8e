/**
 * One host's files → HostInventory: the source half of `hardenctl host`. Reads a root directory
 * (`/`, `--root DIR`, or a machine's collection unpacked by the fleet path) with the same code;
 * executes nothing and writes nothing.
 */
import {join, posix} from 'node:path'

import type {Target} from '../../findings/types.js'
import type {ConfigLine, HostCertificate, HostFileStat, HostInventory, HostMaas} from '../../inventory/host.js'
import {readFirstCertificate} from './certificates.js'
import {LANDSCAPE_CLIENT_UNITS, pickSettings, readHaproxy, readLandscapeClient, readPostgres, readUfw, readWebProxies} from './configs.js'
import {type HostIdentities, readIdentities} from './identity.js'
import {authLogParser, parseRegiondLine, scanLog} from './logs.js'
import {readListeningSockets} from './proc-net.js'
import {APACHE_SITES, LANDSCAPE_SERVER_DEFAULTS, LANDSCAPE_SERVICE_CONF, readLandscapeServer} from './landscape-server.js'
import {HOST_OVERLAY_FILE, readOverlay} from './overlay.js'
import {HostRoot} from './root.js'

/** Where each package layout keeps what the MAAS rules read (003 "File permissions", "MAAS log files"). */
export const MAAS_LAYOUTS = {
  deb: {
    dir: '/etc/maas',
    regiond: '/etc/maas/regiond.conf',
    rackd: '/etc/maas/rackd.conf',
    log: '/var/log/maas/regiond.log',
    // MAAS 3.5 and later write no regiond.log: the region logs to the journal. The fleet collection
    // exports it here (journalctl -o cat: the services' own lines, all of MAAS's units: the login
    // lines are picked out by their form wherever they come from); a copy of a host may hold it too.
    journal: '/var/log/maas/regiond.journal',
    journalctl: 'journalctl -u maas-regiond -u maas-apiserver',
    nginx: '/var/lib/maas/http/regiond.nginx.conf',
    tlsCertificate: '/var/lib/maas/http/certs/regiond-proxy.pem',
  },
  snap: {
    dir: '/var/snap/maas/current',
    regiond: '/var/snap/maas/current/regiond.conf',
    rackd: '/var/snap/maas/current/rackd.conf',
    log: '/var/snap/maas/common/log/regiond.log',
    journal: '/var/snap/maas/common/log/regiond.journal',
    journalctl: 'journalctl -u snap.maas.pebble',
    nginx: '/var/snap/maas/current/http/regiond.nginx.conf',
    tlsCertificate: '/var/snap/maas/current/http/certs/regiond-proxy.pem',
  },
} as const

/** Every file and directory the host rules read: what the fleet collection gathers. */
export const HOST_PATHS = {
  stat: [MAAS_LAYOUTS.deb.regiond, MAAS_LAYOUTS.deb.rackd, MAAS_LAYOUTS.snap.regiond, MAAS_LAYOUTS.snap.rackd, LANDSCAPE_SERVICE_CONF, ...LANDSCAPE_CLIENT_UNITS],
  text: [
    '/etc/passwd',
    '/etc/group',
    '/var/snap/maas/common/snap_mode',
    MAAS_LAYOUTS.deb.nginx,
    MAAS_LAYOUTS.snap.nginx,
    MAAS_LAYOUTS.deb.tlsCertificate,
    MAAS_LAYOUTS.snap.tlsCertificate,
    '/etc/ufw/ufw.conf',
    '/etc/default/ufw',
    '/etc/haproxy/haproxy.cfg',
    '/etc/landscape/client.conf',
    '/etc/default/landscape-client',
    LANDSCAPE_SERVER_DEFAULTS,
    '/proc/net/tcp',
    '/proc/net/tcp6',
    '/proc/net/udp',
    '/proc/net/udp6',
  ],
  dirs: ['/etc/nginx/sites-enabled', '/etc/nginx/conf.d', APACHE_SITES, '/etc/postgresql'],
  logs: [MAAS_LAYOUTS.deb.log, MAAS_LAYOUTS.snap.log, '/var/log/auth.log'],
} as const

export interface ReadHostOptions {
  /** The directory holding the host's `/` on this machine. */
  dir: string
  /** How file paths are shown: `''` for the real `/`, else the root's name. */
  display: string
  target: Target
  source: string
  /** How far back logs are read, from their newest line. */
  logLookbackMs: number
}

export async function readHost(options: ReadHostOptions): Promise<{host: HostInventory; warnings: string[]}> {
  const overlayWarnings: string[] = []
  // A collected root (fleet, snapshot hosts/) records modes and owners; named by its real path.
  const overlayFile = options.display === '' ? join(options.dir, HOST_OVERLAY_FILE) : posix.join(options.display, HOST_OVERLAY_FILE)
  const overlay = options.dir === '/' ? undefined : await readOverlay(options.dir, overlayFile, overlayWarnings)
  const root = new HostRoot(options.dir, options.display, overlay?.stats)
  root.warnings.push(...overlayWarnings)
  const ids = await readIdentities(root)
  const maas = await readMaas(root, ids, options.logLookbackMs)
  const landscapeClient = await readLandscapeClient(root)
  const landscapeServer = await readLandscapeServer(root)
  const sockets = await readListeningSockets(root)
  const ufw = await readUfw(root)
  const haproxy = await readHaproxy(root)
  if (haproxy) {
    // The PEMs its TLS binds serve (a `crt` directory or an unreadable file: none).
    const certificates = new Map<string, HostCertificate>()
    for (const path of new Set(haproxy.frontends.flatMap((f) => f.binds.flatMap((b) => (b.crtPath ? [b.crtPath] : []))))) {
      if (path.endsWith('/') || (await root.list(path)).length > 0) continue
      const certificate = await readFirstCertificate(root, path)
      if (certificate) certificates.set(path, certificate)
    }
    if (certificates.size > 0) haproxy.certificates = certificates
  }
  const postgres = await readPostgres(root)
  const authLogPath = '/var/log/auth.log'
  const authLog = await scanLog(root, authLogPath, authLogParser(), {lookbackMs: options.logLookbackMs, everyLineTimestamped: true})
  const host: HostInventory = {
    target: options.target,
    source: options.source,
    webProxies: await readWebProxies(root),
    authLogPath: root.shown(authLogPath),
    ...(maas ? {maas} : {}),
    ...(landscapeClient ? {landscapeClient} : {}),
    ...(landscapeServer ? {landscapeServer} : {}),
    ...(sockets ? {sockets} : {}),
    ...(ufw ? {ufw} : {}),
    ...(haproxy ? {haproxy} : {}),
    ...(postgres ? {postgres} : {}),
    ...(authLog ? {authLog} : {}),
  }
  return {host, warnings: root.warnings}
}

async function readMaas(root: HostRoot, ids: HostIdentities, lookbackMs: number): Promise<HostMaas | undefined> {
  // The layout whose configuration files are there; else the one whose directory is.
  const hasConfig = async (l: 'deb' | 'snap') => (await root.exists(MAAS_LAYOUTS[l].regiond)) || (await root.exists(MAAS_LAYOUTS[l].rackd))
  const layout = (await hasConfig('snap'))
    ? 'snap'
    : (await hasConfig('deb'))
      ? 'deb'
      : (await root.exists(MAAS_LAYOUTS.snap.dir))
        ? 'snap'
        : (await root.exists(MAAS_LAYOUTS.deb.dir))
          ? 'deb'
          : undefined
  if (!layout) return undefined
  const paths = MAAS_LAYOUTS[layout]
  const configFiles: HostFileStat[] = []
  for (const hostPath of [paths.regiond, paths.rackd]) {
    const stat = await root.stat(hostPath)
    if (!stat) continue
    const owner = ids.users.get(stat.uid)
    const group = ids.groups.get(stat.gid)
    configFiles.push({file: root.shown(hostPath), hostPath, mode: stat.mode, uid: stat.uid, gid: stat.gid, ...(owner ? {owner} : {}), ...(group ? {group} : {})})
  }
  const region = configFiles.some((f) => f.hostPath === paths.regiond)
  let rack = configFiles.some((f) => f.hostPath === paths.rackd)
  if (layout === 'snap') {
    // The snap keeps both files whatever its mode; snap_mode says which daemons run.
    const mode = (await root.readText('/var/snap/maas/common/snap_mode'))?.trim()
    if (mode) rack = mode === 'all' || mode.includes('rack')
  }
  const regiond = region ? await root.readText(paths.regiond) : undefined
  // Only database_name is taken from regiond.conf: it also holds database_pass, never read here.
  const databaseName = (regiond === undefined ? undefined : pickSettings(regiond, root.shown(paths.regiond), ['database_name'], /:\s*/).get('database_name')?.value) || 'maasdb'
  const scanRegiond = (path: string) => scanLog(root, path, parseRegiondLine, {lookbackMs, everyLineTimestamped: false})
  const regiondLog = region ? await scanRegiond(paths.log) : undefined
  const regiondJournal = region && !regiondLog ? await scanRegiond(paths.journal) : undefined
  const nativeTls = await readNativeTls(root, paths.nginx)
  // What MAAS writes from its secret store for nginx: the full chain, mode 644 (its key is a separate file, never read).
  const tlsCertificate = nativeTls ? await readFirstCertificate(root, paths.tlsCertificate) : undefined
  return {
    layout,
    region,
    rack,
    configFiles,
    databaseName,
    regiondLogPath: root.shown(paths.log),
    ...(regiondLog ? {regiondLog} : regiondJournal ? {regiondLog: regiondJournal, regiondLogFromJournal: paths.journalctl} : {}),
    ...(nativeTls ? {nativeTls} : {}),
    ...(tlsCertificate ? {tlsCertificate} : {}),
  }
}

/** MAAS 3.3+ writes its region nginx config with `listen PORT ssl` once `maas config-tls enable` ran. */
async function readNativeTls(root: HostRoot, hostPath: string): Promise<ConfigLine | undefined> {
  const text = await root.readText(hostPath)
  if (text === undefined) return undefined
  const lines = text.split('\n')
  const index = lines.findIndex((line) => /^\s*listen\s+[^;]*\bssl\b/.test(line))
  if (index < 0) return undefined
  return {value: lines[index]!.trim().replace(/;$/, ''), file: root.shown(hostPath), line: index + 1}
}
