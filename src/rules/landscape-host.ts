/**
 * Landscape Client host checks (000 "Harden the network", "Harden Landscape Client"): read from
 * /etc/landscape/client.conf and /etc/default/landscape-client on hosts where the client is set up.
 */
import type {ConfigLine} from '../inventory/host.js'
import {cite} from './guides.js'
import {landscapeHosts, lineRef} from './helpers/hosts.js'
import type {Rule} from './rule.js'

const HOST = [['host' as const]]

/**
 * landscape-client's defaults when client.conf leaves a URL out (canonical/landscape-client,
 * landscape/client/deployment.py): the ping URL defaults to plain HTTP.
 */
const URL_DEFAULTS: Record<string, string | undefined> = {
  url: 'https://landscape.canonical.com/message-system',
  ping_url: 'http://landscape.canonical.com/ping',
  package_hash_id_url: undefined,
}

export const landscapeClientHttps: Rule = {
  id: 'LANDSCAPE-CLIENT-HTTPS',
  title: 'Landscape Client talks to the server over plain HTTP',
  severity: 'high',
  profile: 'landscape',
  guide: cite('landscape', 'Harden the network'),
  rationale:
    'The guide has clients use HTTPS for all traffic: `url`, `package_hash_id_url` and `ping_url` in /etc/landscape/client.conf must start with https, so port 80 need not be exposed and nothing travels in clear text.',
  remediation: 'Edit /etc/landscape/client.conf so `url`, `ping_url` and `package_hash_id_url` start with https://, then `sudo systemctl restart landscape-client`.',
  autoFixable: false,
  needs: HOST,
  scope: 'host',
  evaluate({inventory, report}) {
    for (const host of landscapeHosts(inventory)) {
      const client = host.landscapeClient
      const plain: {key: string; scheme: string; line?: number; byDefault: boolean}[] = []
      for (const [key, fallback] of Object.entries(URL_DEFAULTS)) {
        const setting = client.settings.get(key)
        const value = setting?.value ?? fallback
        if (value === undefined || /^https:\/\//i.test(value)) continue
        // Only the scheme is shown: a URL may carry credentials (`http://user:secret@host/`).
        const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase() ?? 'no scheme'
        plain.push({key, scheme, byDefault: !setting, ...(setting ? {line: setting.line} : {})})
      }
      if (plain.length === 0) continue
      report({
        target: host.target,
        message: `${client.file}: ${plain.map((p) => `${p.key} uses ${p.scheme}${p.byDefault ? ' (not set; the default is http)' : ''}`).join('; ')}, not https.`,
        evidence: {file: client.file, schemes: Object.fromEntries(plain.map((p) => [p.key, p.scheme]))},
        remediation: `in the [client] section of /etc/landscape/client.conf, ${httpsSteps(plain)}, then sudo systemctl restart landscape-client`,
        ...lineRef(client.file, plain.find((p) => p.line !== undefined)?.line),
      })
    }
  },
}

/**
 * A key set to http is made https; one left unset is added, since its default is plain HTTP to
 * Landscape SaaS (`ping_url`): with the server's host, which the fix does not print (url may carry a password).
 */
function httpsSteps(plain: readonly {key: string; byDefault: boolean}[]): string {
  const set = plain.filter((p) => !p.byDefault).map((p) => p.key)
  const unset = plain.filter((p) => p.byDefault).map((p) => p.key)
  return [
    ...(set.length > 0 ? [`make ${set.join(', ')} start with https://`] : []),
    ...unset.map((key) => `add \`${key} = https://SERVER/${key === 'ping_url' ? 'ping' : ''}\`, SERVER being url's host (unset, ${key} is ${URL_DEFAULTS[key]})`),
  ].join(' and ')
}

export const landscapeClientScriptUsers: Rule = {
  id: 'LANDSCAPE-CLIENT-SCRIPT-USERS',
  title: 'Landscape may run scripts as root or any user',
  severity: 'medium',
  profile: 'landscape',
  guide: cite('landscape', 'Harden Landscape Client'),
  rationale:
    'With script execution, whoever controls the Landscape server runs commands on the client as the users `script_users` allows; root or ALL hands the server full control of the host. The guide says to restrict `script_users` if you use script execution, which runs only when `manager_plugins` or `include_manager_plugins` names ScriptExecution (the default plugin list leaves it out).',
  remediation: 'Set `script_users` in /etc/landscape/client.conf to unprivileged users only (e.g. `script_users = landscape,nobody`); if you do not use script execution, take ScriptExecution out of `include_manager_plugins` (or `manager_plugins`) instead, or run the client monitor-only; then `sudo systemctl restart landscape-client`.',
  autoFixable: false,
  needs: HOST,
  scope: 'host',
  evaluate({inventory, report}) {
    for (const host of landscapeHosts(inventory)) {
      const client = host.landscapeClient
      if (isTrue(client.settings.get('monitor_only'))) continue
      const setting = client.settings.get('script_users')
      if (!setting || !runsScripts(client.settings)) continue
      // As landscape-client reads it (ManagerConfiguration.get_allowed_script_users): the whole
      // value `ALL` is every user; otherwise each name is one user (`root,ALL` allows root and a user named ALL).
      const everyone = setting.value.trim() === 'ALL'
      const wide = everyone ? ['ALL'] : setting.value.split(',').map((u) => u.trim()).filter((u) => u === 'root')
      if (wide.length === 0) continue
      report({
        target: host.target,
        message: `${client.file}: script_users allows ${everyone ? 'ALL' : 'root'}: the Landscape server can run any script ${everyone ? 'as any user, root included' : 'as root'} on this host.`,
        evidence: {file: client.file, allows: wide},
        ...lineRef(setting.file, setting.line),
      })
    }
  },
}

/**
 * Whether the client's ScriptExecution manager plugin is on. landscape-client's `manager_plugins`
 * default, ALL, is its ALL_PLUGINS list, which leaves ScriptExecution out
 * (landscape/client/manager/config.py): it runs only when `manager_plugins` or
 * `include_manager_plugins` names it (`landscape-config --script-users` adds it to the latter).
 */
function runsScripts(settings: ReadonlyMap<string, {value: string}>): boolean {
  const named = (key: string) => (settings.get(key)?.value ?? '').split(',').some((plugin) => plugin.trim() === 'ScriptExecution')
  return named('manager_plugins') || named('include_manager_plugins')
}

/** Why DAEMON_USER is left out where the client runs from its systemd unit. */
const DAEMON_USER_IGNORED = 'DAEMON_USER, which the guide also names, is read only by the SysV init script of older packages'

export const landscapeClientMonitorOnly: Rule = {
  id: 'LANDSCAPE-CLIENT-MONITOR-ONLY',
  title: 'Landscape Client not in monitor-only mode',
  severity: 'info',
  profile: 'landscape',
  guide: cite('landscape', 'Harden Landscape Client'),
  rationale:
    'Landscape Client runs some services as root to manage packages and run scripts. The guide offers monitor-only mode (`monitor_only = True`, `DAEMON_USER=landscape`) to restrict it further, at the cost of management features: an option, not a must. Packages that start the client with landscape-client.service (no EnvironmentFile, no User=) ignore DAEMON_USER: there monitor_only alone is judged.',
  remediation:
    'Add `monitor_only = True` to /etc/landscape/client.conf (and, where the client is started by its SysV init script, `DAEMON_USER=landscape` to /etc/default/landscape-client), then `sudo systemctl restart landscape-client` (management features stop working).',
  autoFixable: false,
  needs: HOST,
  scope: 'host',
  evaluate({inventory, report}) {
    for (const host of landscapeHosts(inventory)) {
      const client = host.landscapeClient
      const monitorOnly = isTrue(client.settings.get('monitor_only'))
      const daemonUser = client.daemonUser?.value
      const daemonUserRead = client.systemdUnit === undefined
      if (monitorOnly && (daemonUser === 'landscape' || !daemonUserRead)) continue
      const problems = [
        ...(monitorOnly ? [] : ['monitor_only is not True']),
        ...(!daemonUserRead || daemonUser === 'landscape' ? [] : [daemonUser ? `DAEMON_USER is ${daemonUser}` : `DAEMON_USER is not set in ${client.defaultsFile}`]),
      ]
      const steps = [
        ...(monitorOnly ? [] : ['`monitor_only = True` to the [client] section of /etc/landscape/client.conf']),
        ...(daemonUserRead && daemonUser !== 'landscape' ? ['`DAEMON_USER=landscape` to /etc/default/landscape-client (read only by the SysV init script of older packages; no landscape-client.service was found here)'] : []),
      ]
      report({
        target: host.target,
        message: `Landscape Client runs with management features (${problems.join('; ')}); monitor-only mode restricts it, if management is not needed.${client.systemdUnit ? ` ${client.systemdUnit} starts it: ${DAEMON_USER_IGNORED}.` : ''}`,
        evidence: {monitor_only: client.settings.get('monitor_only')?.value ?? null, DAEMON_USER: daemonUser ?? null, systemdUnit: client.systemdUnit ?? null},
        remediation: `add ${steps.join(' and ')}, then \`sudo systemctl restart landscape-client\` (management features stop working)`,
        ...lineRef(client.file, client.settings.get('monitor_only')?.line),
      })
    }
  },
}

function isTrue(setting: ConfigLine | undefined): boolean {
  return setting !== undefined && /^(true|yes|1|on)$/i.test(setting.value)
}

export const LANDSCAPE_HOST_RULES: Rule[] = [landscapeClientHttps, landscapeClientScriptUsers, landscapeClientMonitorOnly]
