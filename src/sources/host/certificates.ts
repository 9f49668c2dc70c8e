/**
 * The first certificate of a PEM file on a host: who it names, whether it signed itself, and
 * when it expires. Only the certificate block is parsed: a private key kept in the same file
 * (MAAS's HAProxy `crt` PEM, a combined Apache file) is never parsed or kept.
 */
import {X509Certificate} from 'node:crypto'

import type {HostCertificate} from '../../inventory/host.js'
import type {HostRoot} from './root.js'

export async function readFirstCertificate(root: HostRoot, hostPath: string): Promise<HostCertificate | undefined> {
  if (!hostPath.startsWith('/')) return undefined
  const text = await root.readText(hostPath, 1 << 20)
  const pem = text === undefined ? undefined : /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text)?.[0]
  if (!pem) return undefined
  try {
    const certificate = new X509Certificate(pem)
    const selfSigned = certificate.checkIssued(certificate) && certificate.verify(certificate.publicKey)
    const commonName = /(?:^|\n)CN=([^\n]*)/.exec(certificate.subject)?.[1]
    return {
      file: root.shown(hostPath),
      hostPath,
      subject: commonName ?? certificate.subject.replaceAll('\n', ', '),
      selfSigned,
      notAfter: Date.parse(certificate.validTo),
    }
  } catch {
    root.warnings.push(`${root.shown(hostPath)}: not a certificate hardenctl can read; it is not judged`)
    return undefined
  }
}
