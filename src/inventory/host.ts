/**
 * What `hardenctl host` knows about one host: facts read from its files (a root directory, or
 * what the fleet collection brought back), never values that could be secrets. Rules read only
 * this. Optional fields mean "not known" (the file was absent or unreadable).
 */
import type {Target} from '../findings/types.js'

/** A file's mode and owner, owner and group resolved from the host's own etc/passwd and etc/group. */
export interface HostFileStat {
  /** As shown in findings: the host path (`/etc/maas/regiond.conf`), under `--root` when given. */
  file: string
  /** The path on the host itself, for the fix command. */
  hostPath: string
  /** Permission bits, e.g. 0o640. */
  mode: number
  uid: number
  gid: number
  /** Undefined when the host's etc/passwd has no such uid. */
  owner?: string
  group?: string
}

/** A failure seen in a log, bucketed by minute so a large log costs memory per minute, not per line. */
export interface FailureBucket {
  /** Start of the minute, ms since the epoch. */
  minute: number
  count: number
  /** Source address → failures from it in that minute. */
  sources: Map<string, number>
}

export interface LogScan {
  file: string
  /** Newest first. */
  buckets: FailureBucket[]
  /** Newest timestamp in the file (the window is measured back from it). */
  newest?: number
  /** How far back the log was read (ms since the epoch); older lines were not read. */
  readBackTo?: number
  linesRead: number
}

export interface ListeningSocket {
  protocol: 'tcp' | 'tcp6' | 'udp' | 'udp6'
  address: string
  port: number
  /** Where it was read: `/proc/net/tcp` and its line. */
  file: string
  line: number
}

export interface ConfigLine {
  value: string
  file: string
  line: number
}

export interface HaproxyConfig {
  file: string
  /** The certificates of the `crt` files its binds name (the first of each file, never its key), by path on the host. */
  certificates?: Map<string, HostCertificate>
  /** Where the file is on the host (what a fix names; `file` is where it was read, a copy under --root). */
  hostPath: string
  /** `tune.ssl.default-dh-param` in global, with its value. */
  dhParam?: ConfigLine
  /** `option forwardfor` in defaults or in a frontend. */
  forwardFor?: ConfigLine
  frontends: {
    name: string
    line: number
    /** `crtPath`: the PEM `crt` names (certificate and key in one file, or a directory of them). */
    binds: {port?: number; ssl: boolean; crt: boolean; crtPath?: string; line: number}[]
    forwardFor: boolean
    /**
     * It sends to the MAAS region: a `listen` section with a server on 5240, or a frontend whose
     * `default_backend` / `use_backend` names a backend with one (with no routing line read at all,
     * any server on 5240 in the file counts).
     */
    toMaas: boolean
  }[]
}

export interface WebProxy {
  kind: 'nginx' | 'apache'
  file: string
  line: number
  /** The site terminates TLS (ssl_certificate / SSLEngine on) and proxies to the MAAS port. */
  tlsToMaas: boolean
}

export interface PgHbaEntry {
  type: 'host' | 'hostssl' | 'hostnossl' | 'local' | 'hostgssenc' | 'hostnogssenc'
  database: string
  address?: string
  file: string
  line: number
}

export interface HostMaas {
  layout: 'deb' | 'snap'
  region: boolean
  rack: boolean
  /** regiond.conf and rackd.conf where they exist. */
  configFiles: HostFileStat[]
  /** The MAAS database name from regiond.conf (`database_name`, default maasdb). */
  databaseName: string
  regiondLog?: LogScan
  /** regiondLog is the region's journal (MAAS 3.5 and later), exported by this command. */
  regiondLogFromJournal?: string
  /** Where the region log would be (for "not evaluated"). */
  regiondLogPath: string
  /** The region's generated nginx config listens with `ssl` (MAAS 3.3+ native TLS). */
  nativeTls?: ConfigLine
  /** With native TLS: the certificate MAAS serves (`http/certs/regiond-proxy.pem`, written from its secret store). */
  tlsCertificate?: HostCertificate
}

export interface HostLandscapeClient {
  file: string
  /** Only the keys the rules read (never registration_key or any other value). */
  settings: Map<string, ConfigLine>
  /** DAEMON_USER in /etc/default/landscape-client, when that file exists. */
  daemonUser?: ConfigLine
  defaultsFile: string
  /**
   * The systemd unit the package starts the client with (`landscape-client.service`), as shown,
   * when found. That unit reads no /etc/default/landscape-client: DAEMON_USER is then ignored.
   */
  systemdUnit?: string
}

/** The first certificate of a PEM file on the host (never its key). */
export interface HostCertificate {
  file: string
  hostPath: string
  /** Its subject's CN, else the whole subject. */
  subject: string
  selfSigned: boolean
  /** ms since the epoch. */
  notAfter: number
}

/** One `<VirtualHost>` of an Apache site that serves Landscape. */
export interface LandscapeVhost {
  /** The port of `<VirtualHost ADDR:PORT>` (undefined for `*` without one). */
  port?: number
  line: number
  /** `SSLEngine on` inside it. */
  tls: boolean
  /** `SSLCertificateFile` inside it: where it points, on the host. */
  certificateFile?: ConfigLine
}

/**
 * A Landscape server installed on the host itself (quickstart or the manual install), marked by
 * /etc/landscape/service.conf. Only that file's presence is read: it holds the database and
 * broker passwords and the secret token.
 */
export interface HostLandscapeServer {
  /** `DEPLOYED_FROM` in /etc/default/landscape-server: "charm" on a unit of the landscape-server charm. */
  deployedFrom?: ConfigLine
  /** Apache sites in sites-enabled that serve Landscape (its document root, or a proxy rule to its ports on localhost). */
  sites: {file: string; hostPath: string; line: number; vhosts: LandscapeVhost[]}[]
  /** Each site's TLS certificate (the first certificate of its file, never a key), by file on the host; absent when it could not be read. */
  certificates: Map<string, HostCertificate>
}

export interface HostUfw {
  /** /etc/ufw/ufw.conf ENABLED. */
  enabled?: ConfigLine
  /** /etc/default/ufw DEFAULT_INPUT_POLICY. */
  defaultInput?: ConfigLine
}

export interface HostPostgres {
  /** postgresql.conf `ssl`; undefined when the file does not set it (PostgreSQL's default is off). */
  ssl?: ConfigLine
  /** Where the file was read (under --root: inside the copy). */
  confFile: string
  /** Its path on the host itself, for fix commands run there: `/etc/postgresql/14/main/postgresql.conf`. */
  confHostPath: string
  hba: PgHbaEntry[]
  hbaFile?: string
  hbaHostPath?: string
}

export interface HostInventory {
  /** kind `host` (local or --root) or `machine` (fleet: controller, model, machine number). */
  target: Target
  /** What was read, for the report's inputs (`/`, `--root DIR`, `controller:model/machine 0`). */
  source: string
  maas?: HostMaas
  landscapeClient?: HostLandscapeClient
  landscapeServer?: HostLandscapeServer
  sockets?: ListeningSocket[]
  ufw?: HostUfw
  haproxy?: HaproxyConfig
  webProxies: WebProxy[]
  postgres?: HostPostgres
  authLog?: LogScan
  authLogPath: string
}
