/**
 * The configuration files the host rules read, parsed for the few settings they judge. Only
 * whitelisted keys are kept, so no other value (a password, a registration key) is ever held.
 */
import {posix} from 'node:path'

import type {ConfigLine, HaproxyConfig, HostLandscapeClient, HostPostgres, HostUfw, PgHbaEntry, WebProxy} from '../../inventory/host.js'
import type {HostRoot} from './root.js'

const MAAS_PORT = 5240

/** Text lines with their 1-based numbers, comments (`#`) and blanks dropped. */
export function contentLines(text: string): {text: string; line: number}[] {
  return text
    .split('\n')
    .map((raw, index) => ({text: raw.replace(/(^|\s)#.*$/, '').trim(), line: index + 1}))
    .filter((entry) => entry.text !== '')
}

/** `KEY=value` or `key = value` or `key: value` settings, only the keys asked for. */
export function pickSettings(text: string, file: string, keys: readonly string[], separator: RegExp): Map<string, ConfigLine> {
  const wanted = new Set(keys)
  const settings = new Map<string, ConfigLine>()
  for (const {text: line, line: number} of contentLines(text)) {
    const match = separator.exec(line)
    if (!match || match.index === 0) continue
    const key = line.slice(0, match.index).trim()
    if (!wanted.has(key)) continue
    const value = line.slice(match.index + match[0].length).trim().replace(/^(["'])(.*)\1$/, '$2')
    settings.set(key, {value, file, line: number})
  }
  return settings
}

export async function readUfw(root: HostRoot): Promise<HostUfw | undefined> {
  const conf = await root.readText('/etc/ufw/ufw.conf')
  const defaults = await root.readText('/etc/default/ufw')
  if (conf === undefined && defaults === undefined) return undefined
  const enabled = conf === undefined ? undefined : pickSettings(conf, root.shown('/etc/ufw/ufw.conf'), ['ENABLED'], /=/).get('ENABLED')
  const input = defaults === undefined ? undefined : pickSettings(defaults, root.shown('/etc/default/ufw'), ['DEFAULT_INPUT_POLICY'], /=/).get('DEFAULT_INPUT_POLICY')
  return {...(enabled ? {enabled} : {}), ...(input ? {defaultInput: input} : {})}
}

export async function readHaproxy(root: HostRoot): Promise<HaproxyConfig | undefined> {
  const hostPath = '/etc/haproxy/haproxy.cfg'
  const text = await root.readText(hostPath)
  if (text === undefined) return undefined
  return parseHaproxy(text, root.shown(hostPath), hostPath)
}

export function parseHaproxy(text: string, file: string, hostPath: string): HaproxyConfig {
  const config: HaproxyConfig = {file, hostPath, frontends: []}
  const anyServerPorts: number[] = []
  /** Server ports of each backend and listen section, and the backends each frontend routes to. */
  const serverPorts = new Map<string, number[]>()
  const routes = new Map<HaproxyConfig['frontends'][number], string[]>()
  let section = ''
  let sectionName = ''
  let frontend: HaproxyConfig['frontends'][number] | undefined
  for (const {text: line, line: number} of contentLines(text)) {
    const words = line.split(/\s+/)
    const keyword = words[0]!
    if (['global', 'defaults', 'frontend', 'backend', 'listen'].includes(keyword)) {
      section = keyword
      sectionName = words[1] ?? ''
      frontend = undefined
      if (keyword === 'frontend' || keyword === 'listen') {
        frontend = {name: sectionName, line: number, binds: [], forwardFor: false, toMaas: false}
        config.frontends.push(frontend)
        routes.set(frontend, keyword === 'listen' ? [sectionName] : [])
      }
      continue
    }
    if (section === 'global' && keyword === 'tune.ssl.default-dh-param') config.dhParam = {value: words[1] ?? '', file, line: number}
    if (keyword === 'option' && words[1] === 'forwardfor') {
      if (section === 'defaults') config.forwardFor = {value: 'forwardfor', file, line: number}
      if (frontend) frontend.forwardFor = true
    }
    if (frontend && keyword === 'bind') {
      const port = /:(\d+)(?:,|$)/.exec(words[1] ?? '')
      const sslAt = words.indexOf('ssl')
      const crtPath = words[words.indexOf('crt') + 1]
      frontend.binds.push({
        ...(port ? {port: Number(port[1])} : {}),
        ssl: sslAt > 0,
        crt: words.includes('crt') || words.includes('crt-list'),
        ...(words.includes('crt') && crtPath?.startsWith('/') ? {crtPath} : {}),
        line: number,
      })
    }
    if (frontend && (keyword === 'default_backend' || keyword === 'use_backend') && words[1]) routes.get(frontend)!.push(words[1])
    if ((section === 'backend' || section === 'listen') && keyword === 'server') {
      const port = /:(\d+)$/.exec(words[2] ?? '')
      if (port) {
        anyServerPorts.push(Number(port[1]))
        serverPorts.set(sectionName, [...(serverPorts.get(sectionName) ?? []), Number(port[1])])
      }
    }
  }
  // Whether any routing line was read (a fleet collection of an older hardenctl sends none).
  const routed = [...routes].some(([f, targets]) => targets.some((name) => name !== f.name))
  for (const f of config.frontends) {
    const targets = routes.get(f)!
    f.toMaas = routed || targets.length > 0 ? targets.some((name) => serverPorts.get(name)?.includes(MAAS_PORT)) : anyServerPorts.includes(MAAS_PORT)
  }
  return config
}

/** nginx and Apache sites that terminate TLS and proxy to MAAS (004 "Use TLS termination (3.2-)"). */
export async function readWebProxies(root: HostRoot): Promise<WebProxy[]> {
  const proxies: WebProxy[] = []
  for (const [kind, dir] of [['nginx', '/etc/nginx/sites-enabled'], ['nginx', '/etc/nginx/conf.d'], ['apache', '/etc/apache2/sites-enabled']] as const) {
    for (const name of await root.list(dir)) {
      const hostPath = posix.join(dir, name)
      const text = await root.readText(hostPath)
      if (text === undefined) continue
      const tls = kind === 'nginx' ? /^\s*(ssl_certificate\s|listen\s+[^;]*\bssl\b)/m.test(text) : /^\s*SSLEngine\s+on\b/im.test(text)
      const proxied = new RegExp(`(proxy_pass|ProxyPass)\\s+(\\S+\\s+)?https?://[^\\s/;]+:${MAAS_PORT}\\b`).exec(text)
      if (!proxied) continue
      const line = text.slice(0, proxied.index).split('\n').length
      proxies.push({kind, file: root.shown(hostPath), line, tlsToMaas: tls})
    }
  }
  return proxies
}

/**
 * The PostgreSQL cluster MAAS would use: of /etc/postgresql/VERSION/CLUSTER, those on the default
 * port (5432, `port` unset or set to it), the newest version first (compared as numbers: 16 is newer
 * than 9.6). An old cluster left behind by an upgrade listens elsewhere or is older.
 */
export async function readPostgres(root: HostRoot): Promise<HostPostgres | undefined> {
  const clusters: {version: number[]; defaultPort: boolean; dir: string; confFile: string; ssl?: ConfigLine}[] = []
  for (const version of await root.list('/etc/postgresql')) {
    for (const cluster of await root.list(`/etc/postgresql/${version}`)) {
      const dir = `/etc/postgresql/${version}/${cluster}`
      const conf = await root.readText(`${dir}/postgresql.conf`)
      if (conf === undefined) continue
      const confFile = root.shown(`${dir}/postgresql.conf`)
      const settings = pickSettings(conf, confFile, ['ssl', 'port'], /\s*=\s*|\s+/)
      const port = settings.get('port')?.value
      clusters.push({version: version.split('.').map(Number), defaultPort: port === undefined || port === '5432', dir, confFile, ssl: settings.get('ssl')})
    }
  }
  const chosen = clusters.sort((a, b) => Number(b.defaultPort) - Number(a.defaultPort) || compareVersions(b.version, a.version))[0]
  if (!chosen) return undefined
  const {dir, confFile, ssl} = chosen
  const hbaText = await root.readText(`${dir}/pg_hba.conf`)
  return {
    confFile,
    confHostPath: `${dir}/postgresql.conf`,
    ...(ssl ? {ssl} : {}),
    hba: hbaText === undefined ? [] : parsePgHba(hbaText, root.shown(`${dir}/pg_hba.conf`)),
    ...(hbaText === undefined ? {} : {hbaFile: root.shown(`${dir}/pg_hba.conf`), hbaHostPath: `${dir}/pg_hba.conf`}),
  }
}

function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0)
    if (difference !== 0) return Number.isNaN(difference) ? 0 : difference
  }
  return 0
}

const HBA_TYPES = new Set(['host', 'hostssl', 'hostnossl', 'local', 'hostgssenc', 'hostnogssenc'])

export function parsePgHba(text: string, file: string): PgHbaEntry[] {
  const entries: PgHbaEntry[] = []
  for (const {text: line, line: number} of contentLines(text)) {
    const [type, database, , address] = line.split(/\s+/)
    if (!type || !HBA_TYPES.has(type) || !database) continue
    entries.push({type: type as PgHbaEntry['type'], database, ...(type !== 'local' && address ? {address} : {}), file, line: number})
  }
  return entries
}

const CLIENT_KEYS = ['url', 'ping_url', 'package_hash_id_url', 'script_users', 'monitor_only', 'include_manager_plugins', 'manager_plugins'] as const

/** /etc/landscape/client.conf (`[client]` section) and /etc/default/landscape-client. */
export async function readLandscapeClient(root: HostRoot): Promise<HostLandscapeClient | undefined> {
  const hostPath = '/etc/landscape/client.conf'
  const text = await root.readText(hostPath)
  if (text === undefined) return undefined
  const file = root.shown(hostPath)
  const settings = pickSettings(clientSection(text), file, CLIENT_KEYS, /\s*[=:]\s*/)
  const defaultsPath = '/etc/default/landscape-client'
  const defaults = await root.readText(defaultsPath)
  const daemonUser = defaults === undefined ? undefined : pickSettings(defaults, root.shown(defaultsPath), ['DAEMON_USER'], /=/).get('DAEMON_USER')
  let systemdUnit: string | undefined
  for (const unit of LANDSCAPE_CLIENT_UNITS) if (!systemdUnit && (await root.exists(unit))) systemdUnit = root.shown(unit)
  return {file, settings, defaultsFile: root.shown(defaultsPath), ...(daemonUser ? {daemonUser} : {}), ...(systemdUnit ? {systemdUnit} : {})}
}

/**
 * Where the package installs the client's systemd unit (/usr/lib on merged-/usr releases). Since
 * landscape-client moved to it (canonical/landscape-client `debian/landscape-client.service` at
 * 26ea22ce: no EnvironmentFile, no User=), only the older SysV init script read DAEMON_USER.
 */
export const LANDSCAPE_CLIENT_UNITS = ['/usr/lib/systemd/system/landscape-client.service', '/lib/systemd/system/landscape-client.service']

/** The `[client]` section's lines, other sections blanked so line numbers stay true. */
function clientSection(text: string): string {
  let inClient = false
  return text
    .split('\n')
    .map((line) => {
      const header = /^\s*\[([^\]]+)\]\s*$/.exec(line)
      if (header) {
        inClient = header[1]!.trim() === 'client'
        return ''
      }
      return inClient ? line : ''
    })
    .join('\n')
}
