/**
 * A Landscape server installed on the host (quickstart or the manual install): its marker file,
 * how it was deployed, and the Apache sites that serve it (Canonical's template:
 * /etc/apache2/sites-available/landscape.conf, with vhosts on 80, 443 and 6554 proxying to the
 * Landscape services on localhost). service.conf is never read, only found: it holds the
 * database and broker passwords and the secret token.
 */
import {posix} from 'node:path'

import type {HostLandscapeServer, LandscapeVhost} from '../../inventory/host.js'
import {readFirstCertificate} from './certificates.js'
import {contentLines, pickSettings} from './configs.js'
import type {HostRoot} from './root.js'

export const LANDSCAPE_SERVICE_CONF = '/etc/landscape/service.conf'
export const LANDSCAPE_SERVER_DEFAULTS = '/etc/default/landscape-server'
export const APACHE_SITES = '/etc/apache2/sites-enabled'

/**
 * The ports of Landscape's own services, as its Apache template proxies to them on localhost:
 * pingserver 8070, appserver 8080, message server 8090, api 9080, async-frontend 9090,
 * package-upload 9100, hostagent-messenger 50052.
 */
const LANDSCAPE_SERVICE_PORTS = new Set([8070, 8080, 8090, 9080, 9090, 9100, 50052])

const LOCAL_PROXY_RULE = /^(?:RewriteRule|ProxyPass)\s+\S+\s+(?:h2c|https?):\/\/(?:localhost|127\.0\.0\.1|\[::1\]):(\d+)/i
const LANDSCAPE_DOCUMENT_ROOT = /^DocumentRoot\s+"?\/opt\/canonical\/landscape\b/i

export async function readLandscapeServer(root: HostRoot): Promise<HostLandscapeServer | undefined> {
  if (!(await root.exists(LANDSCAPE_SERVICE_CONF))) return undefined
  const defaults = await root.readText(LANDSCAPE_SERVER_DEFAULTS)
  const deployedFrom = defaults === undefined ? undefined : pickSettings(defaults, root.shown(LANDSCAPE_SERVER_DEFAULTS), ['DEPLOYED_FROM'], /=/).get('DEPLOYED_FROM')
  const sites: HostLandscapeServer['sites'] = []
  for (const name of await root.list(APACHE_SITES)) {
    const hostPath = posix.join(APACHE_SITES, name)
    const text = await root.readText(hostPath)
    if (text === undefined) continue
    const site = parseLandscapeSite(text, root.shown(hostPath))
    if (site) sites.push({file: root.shown(hostPath), hostPath, ...site})
  }
  const certificates: HostLandscapeServer['certificates'] = new Map()
  for (const file of new Set(sites.flatMap((site) => site.vhosts.flatMap((vhost) => (vhost.certificateFile ? [vhost.certificateFile.value] : []))))) {
    const certificate = await readFirstCertificate(root, file)
    if (certificate) certificates.set(file, certificate)
  }
  return {...(deployedFrom ? {deployedFrom} : {}), sites, certificates}
}

/** The site's vhosts when it serves Landscape; undefined when it does not. */
export function parseLandscapeSite(text: string, file: string): {line: number; vhosts: LandscapeVhost[]} | undefined {
  let servesLandscape: number | undefined
  const vhosts: LandscapeVhost[] = []
  let vhost: LandscapeVhost | undefined
  for (const {text: line, line: number} of contentLines(text)) {
    const open = /^<VirtualHost\s+([^>]*)>/i.exec(line)
    if (open) {
      const port = open[1]!.split(/\s+/).map((address) => /:(\d+)$/.exec(address)?.[1]).find((p) => p !== undefined)
      vhost = {line: number, tls: false, ...(port ? {port: Number(port)} : {})}
      vhosts.push(vhost)
      continue
    }
    if (/^<\/VirtualHost>/i.test(line)) {
      vhost = undefined
      continue
    }
    const proxied = LOCAL_PROXY_RULE.exec(line)
    if ((proxied && LANDSCAPE_SERVICE_PORTS.has(Number(proxied[1]))) || LANDSCAPE_DOCUMENT_ROOT.test(line)) servesLandscape ??= number
    if (!vhost) continue
    if (/^SSLEngine\s+on\b/i.test(line)) vhost.tls = true
    const certificate = /^SSLCertificateFile\s+"?([^"\s]+)"?/i.exec(line)
    if (certificate) vhost.certificateFile = {value: certificate[1]!, file, line: number}
  }
  return servesLandscape === undefined ? undefined : {line: servesLandscape, vhosts}
}
