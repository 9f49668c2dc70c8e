/**
 * Charm options that carry credentials or TLS material. Names are split into words on `-`, `_`
 * and `.` so `ssl_key` and `api-token` match but `keystone` or `monkey` do not.
 */
function words(name: string): string[] {
  return name.toLowerCase().split(/[-_.\s]+/).filter(Boolean)
}

const TLS_WORDS = new Set(['ssl', 'tls', 'x509'])
const TLS_MATERIAL_WORDS = new Set(['key', 'cert', 'certificate', 'crt', 'ca', 'cacert', 'chain', 'pem', 'keyfile', 'certfile'])

/** `ssl_key`, `ssl_cert_content`, `tls-ca`, `private_key`, ...: options holding TLS keys or certificates. */
export function isTlsMaterialOption(name: string): boolean {
  const w = words(name)
  if (w.includes('private') && w.includes('key')) return true
  return w.some((x) => TLS_WORDS.has(x)) && w.some((x) => TLS_MATERIAL_WORDS.has(x))
}

const CREDENTIAL_WORDS = new Set(['password', 'passwd', 'passphrase', 'secret', 'token', 'key', 'apikey', 'credential', 'credentials'])
/**
 * Last words that make a credential-sounding name a setting about credentials, not one
 * (`key-size`, `password_encryption`, `token-ttl`).
 */
const NOT_CREDENTIAL_WORDS = new Set([
  'size', 'length', 'bits', 'type', 'algorithm', 'url', 'path', 'file', 'id', 'name', 'enabled', 'enable', 'ttl',
  'expiry', 'rotation', 'encryption', 'method', 'policy', 'hash', 'format', 'mode', 'required', 'min', 'max',
  'timeout', 'lifetime', 'validity', 'strength', 'prompt', 'backend', 'store', 'count',
])

/** Options named like a credential (`admin-password`, `api_token`, `secret-key`), TLS material excluded. */
export function isCredentialOption(name: string): boolean {
  if (isTlsMaterialOption(name)) return false
  const w = words(name)
  if (!w.some((x) => CREDENTIAL_WORDS.has(x))) return false
  const last = w[w.length - 1] ?? ''
  return !NOT_CREDENTIAL_WORDS.has(last)
}

/** Values that are placeholders, not material (haproxy/apache2 `SELFSIGNED`, `DEFAULT`). */
const SENTINELS = new Set(['', 'selfsigned', 'default', 'none', 'null', 'false', 'true', 'auto'])

/** A non-empty string value that is not a placeholder or a Juju secret URI. */
export function holdsMaterial(value: unknown): value is string {
  if (typeof value !== 'string') return false
  const v = value.trim()
  if (SENTINELS.has(v.toLowerCase())) return false
  if (/^secret:/.test(v)) return false
  return true
}

/** Whether an option of this type can carry a plain-text credential. Unknown types are assumed to. */
export function isPlainTextType(type: string | undefined): boolean {
  return type === undefined || type === 'string'
}
