/**
 * The one fixed, read-only script `hardenctl host --juju-model` runs on each machine through the
 * Juju API (Action.Run, what `juju exec` uses). It writes nothing and runs nothing but coreutils,
 * awk, gzip and base64. It sends only what the host rules read, and from configuration files only
 * the lines they judge (with their line numbers): never regiond.conf's database password,
 * client.conf's registration key, or anything else a kept line would not show.
 *
 * Output, one record per line: `stat MODE UID GID PATH`, `lines PATH` followed by `N:TEXT` lines
 * and `.`, `log PATH SIZE MTIME` followed by one line of base64 gzip (the newest LOG_BYTES of the log,
 * from a line start), `dir PATH`, and `end`.
 *
 * HARDENCTL_HOST_ROOT (unset on a machine) prefixes every path, so tests run the same script
 * against a directory laid out like a host.
 */
import {APACHE_SITES, LANDSCAPE_SERVER_DEFAULTS} from '../sources/host/landscape-server.js'
import {HOST_PATHS, MAAS_LAYOUTS} from '../sources/host/read-host.js'

export const COLLECTION_HEADER = 'hardenctl-host-collection 1'

/** How much of each log is sent: Juju keeps action output in its database. */
export const LOG_BYTES = 8 << 20

/** The certificates of a PEM file and nothing else: a private key kept in the same file never leaves the machine. */
const CERTIFICATE_KEEP = '/-----BEGIN CERTIFICATE-----/ { p = 1 } p { print NR ":" $0 } /-----END CERTIFICATE-----/ { p = 0 }'

/** awk patterns selecting the lines the readers use, by file. */
const KEEP: Record<string, string> = {
  '/etc/passwd': '{ split($0, f, ":"); print NR ":" f[1] ":x:" f[3]; next }',
  '/etc/group': '{ split($0, f, ":"); print NR ":" f[1] ":x:" f[3]; next }',
  [MAAS_LAYOUTS.deb.regiond]: '/^[ \\t]*database_name[ \\t]*:/',
  [MAAS_LAYOUTS.snap.regiond]: '/^[ \\t]*database_name[ \\t]*:/',
  [MAAS_LAYOUTS.deb.nginx]: '/^[ \\t]*listen[ \\t]/',
  [MAAS_LAYOUTS.snap.nginx]: '/^[ \\t]*listen[ \\t]/',
  '/etc/ufw/ufw.conf': '/^[ \\t]*ENABLED[ \\t]*=/',
  '/etc/default/ufw': '/^[ \\t]*DEFAULT_INPUT_POLICY[ \\t]*=/',
  '/etc/haproxy/haproxy.cfg':
    '/^[ \\t]*(global|defaults|frontend|backend|listen)([ \\t]|$)|^[ \\t]*(bind|server|default_backend|use_backend|tune\\.ssl\\.default-dh-param)[ \\t]|^[ \\t]*option[ \\t]+forwardfor/',
  // The URLs leave the machine as their scheme only: a URL may carry credentials, and Juju keeps action output.
  '/etc/landscape/client.conf':
    '/^[ \\t]*\\[/ { print NR ":" $0; next } /^[ \\t]*(url|ping_url|package_hash_id_url)[ \\t]*[=:]/ { line = $0; sub(/:\\/\\/.*/, "://", line); print NR ":" line; next } /^[ \\t]*(script_users|monitor_only|manager_plugins|include_manager_plugins)[ \\t]*[=:]/ { print NR ":" $0; next }',
  '/etc/default/landscape-client': '/^[ \\t]*DAEMON_USER[ \\t]*=/',
  [LANDSCAPE_SERVER_DEFAULTS]: '/^[ \\t]*DEPLOYED_FROM[ \\t]*=/',
  '/var/snap/maas/common/snap_mode': '{ print NR ":" $0; next }',
  [MAAS_LAYOUTS.deb.tlsCertificate]: CERTIFICATE_KEEP,
  [MAAS_LAYOUTS.snap.tlsCertificate]: CERTIFICATE_KEEP,
}
/** Files under the listed directories: web server sites and PostgreSQL clusters. */
const SITE_KEEP = '/^[ \\t]*(listen|ssl_certificate|proxy_pass|SSLEngine|ProxyPass|Listen|DocumentRoot|RewriteRule|SSLCertificateFile)[ \\t]|<VirtualHost|<\\/VirtualHost/'
const PG_CONF_KEEP = '/^[ \\t]*(ssl|port)[ \\t]*=/'
// pg_hba.conf: type, database, user and address only (options can hold an LDAP bind password).
const PG_HBA_KEEP = '/^[ \\t]*(local|host|hostssl|hostnossl|hostgssenc|hostnogssenc)[ \\t]/ { print NR ":" $1 " " $2 " " $3 " " $4; next }'

const q = (text: string) => `'${text.replaceAll("'", "'\\''")}'`

function linesOf(path: string, awk: string): string {
  const program = awk.includes('print') ? awk : `${awk} { print NR ":" $0 }`
  return `lines ${q(path)} ${q(program)}`
}

export function collectionScript(): string {
  const statPaths = HOST_PATHS.stat.map(q).join(' ')
  const procNet = HOST_PATHS.text.filter((p) => p.startsWith('/proc/net/'))
  const kept = Object.entries(KEEP).map(([path, awk]) => linesOf(path, awk))
  return [
    'set -u',
    'R="${HARDENCTL_HOST_ROOT:-}"',
    `echo ${q(COLLECTION_HEADER)}`,
    // A regular file (symlinks followed on the machine itself), readable.
    'lines() { [ -f "$R$1" ] && [ -r "$R$1" ] || return 0; echo "lines $1"; awk "$2" "$R$1" 2>/dev/null | tr -d "\\000"; echo .; }',
    'whole() { [ -f "$R$1" ] && [ -r "$R$1" ] || return 0; echo "lines $1"; awk \'{ print NR ":" $0 }\' "$R$1" 2>/dev/null; echo .; }',
    `for f in ${statPaths}; do [ -e "$R$f" ] && echo "stat $(stat -L -c '%a %u %g' "$R$f") $f"; done`,
    `for d in /etc/maas /var/snap/maas/current; do [ -d "$R$d" ] && echo "dir $d"; done`,
    ...kept,
    `for f in ${procNet.map(q).join(' ')}; do whole "$f"; done`,
    `for d in /etc/nginx/sites-enabled /etc/nginx/conf.d /etc/apache2/sites-enabled; do for f in "$R$d"/*; do [ -f "$f" ] && lines "\${f#$R}" ${q(`${SITE_KEEP} { print NR ":" $0 }`)}; done; done`,
    // The certificates HAProxy's TLS binds (`crt PEM`: certificate and key in one file) and Apache's
    // sites serve: only the certificates are sent.
    `for c in $({ awk '$1 == "bind" { for (i = 2; i < NF; i++) if ($i == "crt") print $(i + 1) }' "$R"/etc/haproxy/haproxy.cfg; awk '$1 == "SSLCertificateFile" { gsub(/"/, "", $2); print $2 }' "$R"${APACHE_SITES}/*; } 2>/dev/null | sort -u); do case "$c" in /*) lines "$c" ${q(CERTIFICATE_KEEP)};; esac; done`,
    `for d in "$R"/etc/postgresql/*/*; do [ -d "$d" ] || continue; p="\${d#$R}"; lines "$p/postgresql.conf" ${q(`${PG_CONF_KEEP} { print NR ":" $0 }`)}; lines "$p/pg_hba.conf" ${q(PG_HBA_KEEP)}; done`,
    `for f in ${HOST_PATHS.logs.map(q).join(' ')}; do`,
    '  [ -f "$R$f" ] && [ -r "$R$f" ] || continue',
    '  s=$(stat -L -c %s "$R$f"); echo "log $f $s $(stat -L -c %Y "$R$f")"',
    `  if [ "$s" -gt ${LOG_BYTES} ]; then tail -c ${LOG_BYTES} "$R$f" | tail -n +2; else cat "$R$f"; fi | gzip -c | base64 -w0; echo`,
    'done',
    // MAAS 3.5 and later write no regiond.log: the region's journal, read-only, as regiond's own
    // lines. Against a copy (HARDENCTL_HOST_ROOT, the tests) only a journalctl they name is asked.
    'J="${HARDENCTL_JOURNALCTL:-}"; [ -n "$J" ] || { [ -z "$R" ] && command -v journalctl >/dev/null 2>&1 && J=journalctl; }',
    ...(['deb', 'snap'] as const).map((layout) => {
      const {regiond, log, journal, journalctl} = MAAS_LAYOUTS[layout]
      const args = journalctl.replace(/^journalctl /, '')
      return `if [ -n "$J" ] && [ -f "$R${regiond}" ] && [ ! -f "$R${log}" ]; then j=$("$J" ${args} -o cat --no-pager --since "-8 days" 2>/dev/null | tail -c ${LOG_BYTES} | gzip -c | base64 -w0); echo "log ${journal} $(printf %s "$j" | wc -c) $(date +%s)"; echo "$j"; fi`
    }),
    'echo end',
    '',
  ].join('\n')
}
