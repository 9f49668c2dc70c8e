/**
 * The legacy haproxy charm (latest/stable, the one with `ssl_cert`/`ssl_key` options) serves TLS on
 * a service only when that service's entry in the `services` option lists `crts: [DEFAULT]` (DEFAULT
 * is the ssl_cert/ssl_key pair) and listens where clients connect, usually 443: the certificate
 * options alone change no listener. With `services` empty, the related charms send their services
 * over the relation (landscape-server sends TLS ones). Everyone who configures it says so: canonical/
 * maas-anvil anvil-python/anvil/commands/haproxy.py (`get_tls_services_yaml`: service_port 443 with
 * `crts: [DEFAULT]`, port 80 only redirecting), and the charm's users' guides (`juju config haproxy
 * ssl_cert=… ssl_key=…` then `services` with `crts: [DEFAULT]`: "juju status will show port 443
 * opened instead of 80").
 */
import {parse} from 'yaml'

import {holdsRealValue, isSelfSignedOption} from '../../inventory/charm-options.js'
import type {Application} from '../../inventory/types.js'

type HaproxyServices =
  /** `services` unset or empty: the related charms' services. */
  | {from: 'relations'}
  /** Some service binds with `crts`. */
  | {from: 'option'; tls: true}
  /** Services set, none with `crts`: plain HTTP whatever the certificate options say. */
  | {from: 'option'; tls: false; names: string[]}
  /** Not readable here (`include-file://`, not YAML, not a list). */
  | {from: 'unknown'}

function haproxyServices(app: Application): HaproxyServices {
  const value = app.options.services
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return {from: 'relations'}
  if (typeof value !== 'string' || value.startsWith('include-')) return {from: 'unknown'}
  let services: unknown
  try {
    services = parse(value)
  } catch {
    return {from: 'unknown'}
  }
  if (!Array.isArray(services) || !services.every((s) => typeof s === 'object' && s !== null)) return {from: 'unknown'}
  const entries = services as Record<string, unknown>[]
  if (entries.some((s) => Array.isArray(s.crts) && s.crts.length > 0)) return {from: 'option', tls: true}
  return {from: 'option', tls: false, names: entries.map((s) => String(s.service_name ?? '?'))}
}

/** The `services` option names services and none binds with `crts`: the certificate options serve nothing. */
export function servicesIgnoreCertificate(app: Application): {names: string[]} | undefined {
  const services = haproxyServices(app)
  return services.from === 'option' && !services.tls ? {names: services.names} : undefined
}

/** `ssl_cert` holds a certificate, or SELFSIGNED: TLS either way, if a service uses it. */
export function certificateOptionSet(value: unknown): boolean {
  return holdsRealValue(value) || isSelfSignedOption(value)
}
