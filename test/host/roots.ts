/**
 * Host roots for `hardenctl host --root` tests, built in temp directories with real modes and
 * owners. The log lines are the MAAS 2.x hardening guide's (test/seeds/003_63b51e30d9ae0e63.txt,
 * "MAAS log files" and "System log files"), each one line as regiond and sshd write them (the
 * guide wraps them for the page). proc/net lines follow the kernel's format
 * (Documentation/networking/proc_net_tcp.rst: hex address:port, state 0A = LISTEN).
 */
import {chmod, chown, mkdir, mkdtemp, symlink, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

export const IS_ROOT = process.getuid?.() === 0

/** The uids and gids the fixture host's own etc/passwd and etc/group give (not this machine's). */
export const IDS = {root: 0, maas: 113, maasGroup: 117, landscape: 114, landscapeGroup: 118}

export const SECRETS = {
  databasePass: 'Xq9-database-pass-never-shown',
  registrationKey: 'Zr7-registration-key-never-shown',
  urlPassword: 'Pw3-url-password-never-shown',
}

export class HostRootBuilder {
  constructor(readonly dir: string) {}

  async file(hostPath: string, text: string | Buffer, options: {mode?: number; uid?: number; gid?: number} = {}): Promise<this> {
    const path = join(this.dir, hostPath)
    await mkdir(dirname(path), {recursive: true})
    await writeFile(path, text)
    if (options.mode !== undefined) await chmod(path, options.mode)
    if (IS_ROOT && (options.uid !== undefined || options.gid !== undefined)) await chown(path, options.uid ?? 0, options.gid ?? 0)
    return this
  }

  async dir_(hostPath: string): Promise<this> {
    await mkdir(join(this.dir, hostPath), {recursive: true})
    return this
  }

  async symlink(hostPath: string, target: string): Promise<this> {
    const path = join(this.dir, hostPath)
    await mkdir(dirname(path), {recursive: true})
    await symlink(target, path)
    return this
  }

  async identities(): Promise<this> {
    await this.file('/etc/passwd', [
      'root:x:0:0:root:/root:/bin/bash',
      `maas:x:${IDS.maas}:${IDS.maasGroup}::/var/lib/maas:/usr/sbin/nologin`,
      `landscape:x:${IDS.landscape}:${IDS.landscapeGroup}::/var/lib/landscape:/usr/sbin/nologin`,
      '',
    ].join('\n'))
    await this.file('/etc/group', ['root:x:0:', `maas:x:${IDS.maasGroup}:`, `landscape:x:${IDS.landscapeGroup}:`, ''].join('\n'))
    return this
  }

  /** regiond.conf as MAAS writes it (YAML), with a database password that must never be shown. */
  regiondConf(): string {
    return [
      'database_host: localhost',
      'database_name: maasdb',
      `database_pass: ${SECRETS.databasePass}`,
      'database_port: 5432',
      'database_user: maas',
      'maas_url: http://10.132.172.231:5240/MAAS',
      '',
    ].join('\n')
  }
}

export async function newRoot(name = 'maas-region-1'): Promise<HostRootBuilder> {
  const dir = await mkdtemp(join(tmpdir(), 'hardenctl-host-'))
  const root = new HostRootBuilder(dir)
  await root.identities()
  await root.file('/etc/hostname', `${name}\n`)
  return root
}

/** `2020-03-31 21:18:08 regiond: [info] 10.132.172.1 POST /MAAS/accounts/login/ HTTP/1.1 --> 400 BAD_REQUEST (...)` */
export function regiondLine(time: string, address: string, method: 'GET' | 'POST', code: '200 OK' | '400 BAD_REQUEST' | '204 NO_CONTENT'): string {
  return `${time} regiond: [info] ${address} ${method} /MAAS/accounts/login/ HTTP/1.1 --> ${code} (referrer: http://10.132.172.231:5240/MAAS/r/; agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/80.0.3987.149 Safari/537.36)`
}

/** `Jun 06 13:45:19 router sshd[2487]: Failed password for root from 234.19.184.6 port 42258 ssh2` */
export function sshFailure(time: string, address: string, port = 42258): string {
  return `${time} router sshd[2487]: Failed password for root from ${address} port ${port} ssh2`
}

/** A regiond.log with the guide's valid login, then `count` failures (400 and 204) one per 10 s from 21:18:00. */
export function regiondLog(count: number, address = '10.132.172.1'): string {
  const lines = [regiondLine('2020-03-31 21:17:56', address, 'GET', '200 OK')]
  for (let i = 0; i < count; i++) {
    const seconds = i * 10
    const time = `2020-03-31 21:${String(18 + Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`
    lines.push(regiondLine(time, address, 'POST', i % 2 === 0 ? '400 BAD_REQUEST' : '204 NO_CONTENT'))
  }
  return `${lines.join('\n')}\n`
}

const TCP_HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode'

/** proc/net/tcp lines: [hex local address:port, state]. */
export function procNet(entries: [string, string][]): string {
  return [
    TCP_HEADER,
    ...entries.map(([local, state], i) => `  ${String(i).padStart(2)}: ${local} 00000000:0000 ${state} 00000000:00000000 00:00000000 00000000     0        0 ${1000 + i} 1 0000000000000000 100 0 0 10 0`),
    '',
  ].join('\n')
}

export function procNet6(entries: [string, string][]): string {
  return [
    TCP_HEADER,
    ...entries.map(([local, state], i) => `  ${String(i).padStart(2)}: ${local} 00000000000000000000000000000000:0000 ${state} 00000000:00000000 00:00000000 00000000     0        0 ${2000 + i} 1 0000000000000000 100 0 0 10 0`),
    '',
  ].join('\n')
}
