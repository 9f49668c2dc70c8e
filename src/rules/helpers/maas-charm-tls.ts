/**
 * How the maas-region charm turns TLS on, which changed across its tracks (canonical/maas-charms,
 * maas-region/charmcraft.yaml and src/charm.py):
 *
 * - 3.4 and 3.5 (charm.py `012bd3e0`, MAAS_SNAP_CHANNEL 3.5): `tls_mode` only, `""` or
 *   `termination` (TLS at an HAProxy related over `api`, which carries its own certificate);
 *   `passthrough` blocks the unit. No option turns TLS on in MAAS itself.
 * - 3.6 (charm.py `a572ab26`, charmcraft `c474e90b`): `tls_mode` defaults to `disabled`; the
 *   leader runs `maas config-tls enable` only with `tls_mode=passthrough` and both
 *   `ssl_cert_content` and `ssl_key_content`. The certificate options alone do nothing.
 * - 3.7 and later (charm.py `a5e14d70`; charmcraft `0b49c59d`): no `tls_mode`; TLS is on once
 *   `ssl_cert_content` and `ssl_key_content` are set. A related HAProxy passes 443 → 5443 over
 *   `ingress-tcp-tls`.
 *
 * From 3.5 on the charm opens 5443 on every unit whether TLS is on or not (MAAS_REGION_PORTS), so
 * an open 5443 says nothing about TLS.
 */
import type {Application} from '../../inventory/types.js'
import {channelTrack} from './known-charms.js'

/** What the charm's track says about its TLS options: `undefined` when the track is not known. */
export type MaasCharmTlsEra = 'tls-mode-termination-only' | 'tls-mode-passthrough' | 'certificate-options' | undefined

export function maasCharmTlsEra(app: Application): MaasCharmTlsEra {
  const track = channelTrack(app.channel)
  const version = track?.match(/^(\d+)\.(\d+)$/)
  if (!version) return undefined
  const [major, minor] = [Number(version[1]), Number(version[2])]
  if (major !== 3) return major > 3 ? 'certificate-options' : undefined
  if (minor <= 5) return 'tls-mode-termination-only'
  return minor === 6 ? 'tls-mode-passthrough' : 'certificate-options'
}

/** `the 3.6/stable charm`, or `this charm` when the channel is not known. */
function theCharm(app: Application): string {
  return app.channel ? `the ${app.channel} charm` : 'this charm'
}

/**
 * Whether the options set make MAAS itself serve TLS: a `tls_mode` given wins; without one, the
 * certificate options count unless the track's default `tls_mode` leaves TLS off.
 */
export function certificateOptionsServeTls(app: Application, certificatesSet: boolean): {tls: boolean; why?: string} {
  const mode = app.options.tls_mode
  const era = maasCharmTlsEra(app)
  const set = 'ssl_cert_content and ssl_key_content are set'
  if (typeof mode === 'string') {
    if (mode === 'passthrough' && era === 'tls-mode-termination-only') return {tls: false, why: `tls_mode is passthrough, which ${theCharm(app)} refuses (it blocks the unit)`}
    if (mode === 'passthrough') return {tls: certificatesSet}
    if (mode === 'termination') return {tls: true}
    return certificatesSet ? {tls: false, why: `${set}, but tls_mode is ${mode === '' ? 'empty' : mode}: ${theCharm(app)} serves TLS only with tls_mode=passthrough`} : {tls: false}
  }
  if (!certificatesSet) return {tls: false}
  if (era === 'tls-mode-passthrough') return {tls: false, why: `${set}, but tls_mode is left at its default (disabled): ${theCharm(app)} serves TLS only with tls_mode=passthrough`}
  if (era === 'tls-mode-termination-only') return {tls: false, why: `${set}, but ${theCharm(app)} does not read them (its only TLS is at a related HAProxy, tls_mode=termination)`}
  return {tls: true}
}

/**
 * The `juju config` that turns TLS on for this charm's track, with what else to do as a note. No
 * `maas config-tls` by hand: from 3.6 on the charm's leader switches TLS to match its options.
 */
export function maasCharmTlsFix(app: Application, modelArg: string, relatedOverIngressTcp: boolean, tlsPort: number): string {
  const certificates = 'ssl_cert_content="$(cat cert.pem)" ssl_key_content="$(cat key.pem)"'
  switch (maasCharmTlsEra(app)) {
    case 'tls-mode-termination-only':
      return `juju config -m ${modelArg} ${app.name} tls_mode=termination   # ${theCharm(app)} cannot turn TLS on in MAAS: this terminates it at the HAProxy related on its api endpoint, which needs its own ssl_cert and ssl_key; or move to a later track (3.6: tls_mode=passthrough with the certificate options; 3.7 and later: the certificate options alone)`
    case 'tls-mode-passthrough':
      return `juju config -m ${modelArg} ${app.name} tls_mode=passthrough ${certificates}   # the 3.6 charm reads the certificate only with tls_mode=passthrough`
    default:
      return `juju config -m ${modelArg} ${app.name} ${certificates}${relatedOverIngressTcp ? `   # MAAS then serves ${tlsPort}: relate ${app.name}:ingress-tcp-tls to the HAProxy too (443 → ${tlsPort}), or the charm blocks` : ''}`
  }
}
