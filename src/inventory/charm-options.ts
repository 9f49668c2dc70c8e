/**
 * Charm options that carry credentials or TLS material, and what a value set on one of them is.
 *
 * Names are split into words on `-`, `_`, `.`, spaces and camelCase, and each word is then looked
 * at for the credential words it is built from: `prometheus_registration_authtoken` ends in
 * `token`, `sshkey` is `ssh` + `key`, while `keystone`, `monkey`, `keepalive` and `author` hold
 * none. A charm's own description of an option, when known, settles what its name leaves open.
 */

/** Lower-case words of an option name: `apiKey` and `api_key` both give `api`, `key`. */
export function optionWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[-_.\s]+/)
    .filter(Boolean)
}

// ---------------------------------------------------------------- TLS material

const TLS_WORDS = new Set(['ssl', 'tls', 'x509', 'https'])
const TLS_MATERIAL_WORDS = new Set(['key', 'cert', 'certificate', 'crt', 'ca', 'cacert', 'chain', 'pem', 'keyfile', 'certfile', 'privkey'])
const KEY_WORDS = new Set(['key', 'keyfile', 'privkey'])
/** Words that make a key-looking name a public one (`ssl-public-key`, `ssh_authorized_keys`). */
const PUBLIC_WORDS = new Set(['public', 'pub', 'authorized', 'fingerprint', 'known', 'gpg', 'pgp', 'apt'])

/** Descriptions of options that hold something public: a CA or certificate, a public key, a key id. */
const PUBLIC_DESCRIPTION =
  /\b(public key|ca certificates?|certificate authority|certificate to verify|certificate chain|key id|keyring|fingerprint|gpg|pgp)\b/i

/**
 * `ssl_key`, `ssl_cert_content`, `tls-ca`, `private_key`, `ssl-public-key`, ...: options holding
 * TLS keys or certificates, private or public. Broad on purpose: redaction uses it.
 */
export function isTlsMaterialOption(name: string): boolean {
  const w = optionWords(name)
  if (w.includes('privkey') || (w.includes('private') && w.includes('key'))) return true
  return w.some((x) => TLS_WORDS.has(x)) && w.some((x) => TLS_MATERIAL_WORDS.has(x))
}

/**
 * Options holding a private key (`ssl_key`, `ssl_key_content`, `tls-private-key`, `privkey`). A
 * certificate or CA (`ssl_cert`, `ssl_ca`, landscape-client's `ssl-public-key`) is public: not key
 * material, and clearing it would break whoever relies on it.
 */
export function isTlsPrivateKeyOption(name: string, description?: string): boolean {
  if (!isTlsMaterialOption(name)) return false
  const w = optionWords(name)
  if (w.some((x) => PUBLIC_WORDS.has(x))) return false
  if (!w.some((x) => KEY_WORDS.has(x))) return false
  if (description && PUBLIC_DESCRIPTION.test(description) && !/private key/i.test(description)) return false
  return true
}

/**
 * A CA's private key (octavia's mandatory `lb-mgmt-issuing-ca-private-key`, with which it signs its
 * amphorae's certificates): a certificates relation gives a charm a certificate to serve, never a
 * CA's key, so no relation replaces it and clearing it stops the charm issuing.
 */
export function isCaKeyOption(name: string): boolean {
  return optionWords(name).includes('ca')
}

// ---------------------------------------------------------------- credentials

/** Words that are a credential wherever they appear, also at the end of a compound (`authtoken`). */
const STRONG_WORDS = ['password', 'passwd', 'passphrase', 'secret', 'token', 'credential', 'credentials', 'apikey']
/** Words too common to count inside other words, or anywhere but the end of the name. */
const WEAK_WORDS = ['key', 'auth', 'pass', 'pwd', 'pw']
/** What may come before a weak word in one compound: `sshkey`, `basicauth`, `dbpass`. */
const COMPOUND_PREFIXES = new Set([
  'ssh', 'api', 'access', 'secret', 'private', 'priv', 'admin', 'root', 'user', 'master', 'client', 'app', 'basic', 'http',
  'db', 'bot', 'bearer', 'session', 'signing', 'sign', 'encryption', 'enc', 'license', 'registration', 'service', 'account',
  'shared', 'auth', 'login',
])
/** Words after a weak word that still name the value itself (`api-key-content`, `ssh-key-b64`). */
const VALUE_WORDS = new Set(['content', 'contents', 'value', 'data', 'b64', 'base64', 'pem', 'string', 'raw', 'text'])
/**
 * Last words that make a credential-sounding name a setting about credentials, or a pointer to
 * one, not the credential (`key-size`, `password_encryption`, `token-ttl`, `secret-id`, `auth-url`).
 */
const NOT_CREDENTIAL_WORDS = new Set([
  'size', 'length', 'bits', 'type', 'algorithm', 'url', 'uri', 'path', 'file', 'dir', 'directory', 'location', 'id', 'name',
  'enabled', 'enable', 'disabled', 'ttl', 'expiry', 'rotation', 'encryption', 'method', 'policy', 'hash', 'format', 'mode',
  'required', 'min', 'max', 'timeout', 'lifetime', 'validity', 'strength', 'prompt', 'backend', 'store', 'count', 'issuer',
  'audience', 'endpoint', 'host', 'port', 'user', 'username', 'users', 'server', 'provider', 'label', 'prefix', 'suffix',
  'regex', 'pattern', 'header', 'field', 'scope', 'scopes', 'claim', 'interval', 'period', 'retries', 'version', 'source',
  'channel', 'complexity', 'manager', 'kind', 'lifespan', 'days', 'expiration', 'reset', 'strategy', 'salt', 'ref', 'reference',
])

/** The credential word a single word is, or is built from (`authtoken` → `token`). */
function credentialWord(word: string): {word: string; weak: boolean} | undefined {
  if (STRONG_WORDS.includes(word)) return {word, weak: false}
  if (WEAK_WORDS.includes(word)) return {word, weak: true}
  for (const strong of STRONG_WORDS) if (word.length > strong.length && word.endsWith(strong)) return {word: strong, weak: false}
  for (const weak of WEAK_WORDS) {
    if (word.length > weak.length && word.endsWith(weak) && COMPOUND_PREFIXES.has(word.slice(0, -weak.length))) return {word: weak, weak: false}
  }
  return undefined
}

/** Descriptions that say the option holds a login pair (`user:pass`). */
const USER_PASS_DESCRIPTION = /\b(user(name)?:pass(word)?|username and password|user and password)\b/i
/** Descriptions that open by saying what the option is: "Root account password for ...". */
const HOLDS_CREDENTIAL_DESCRIPTION = /^\W*(the\s+|an?\s+)?([\w-]+\s+){0,3}?(password|passphrase|token|api key|secret key|private key)\b/i
/** Descriptions of options that take a Juju secret's id, not the credential itself. */
const SECRET_REFERENCE_DESCRIPTION = /\b(juju secret|secret (id|uri))\b/i

/** Whether the name alone says credential (`admin-password`, `api_token`, `vsd-auth`, `sshkey`). */
function credentialByName(words: string[]): boolean {
  const last = words[words.length - 1] ?? ''
  // OpenStack charms' bare `key` is the apt key id that goes with `source`.
  if (words.length === 1 && last === 'key') return false
  return words.some((word, i) => {
    const found = credentialWord(word)
    if (!found) return false
    if (!found.weak) return true
    // A weak word counts at the end of the name, or followed only by words naming its value.
    return words.slice(i + 1).every((after) => VALUE_WORDS.has(after))
  })
}

/**
 * Options that hold a credential (`admin-password`, `api_token`, `secret-key`, `vsd-auth`,
 * `prometheus_registration_authtoken`), TLS material excluded. The charm's description, when
 * known, decides when it says the option holds a login, a password or token, or something public.
 */
export function isCredentialOption(name: string, description?: string): boolean {
  if (isTlsMaterialOption(name)) return false
  // Only the description's first paragraph says what the option takes: a deprecated plain option
  // goes on to point at its secret-typed successor ("prefer setting X-secret to a Juju secret URI").
  if (description && SECRET_REFERENCE_DESCRIPTION.test(description.split(/\n\s*\n/)[0]!)) return false
  if (description && USER_PASS_DESCRIPTION.test(description)) return true
  const words = optionWords(name)
  if (words.length === 0 || words.some((x) => PUBLIC_WORDS.has(x))) return false
  if (NOT_CREDENTIAL_WORDS.has(words[words.length - 1] ?? '')) return false
  if (description && PUBLIC_DESCRIPTION.test(description)) return false
  if (description && HOLDS_CREDENTIAL_DESCRIPTION.test(description)) return true
  return credentialByName(words)
}

/** Names that hint at a login without naming a secret (`vsd-user`, `basic`, `login`). */
const LOGIN_WORDS = new Set(['auth', 'user', 'username', 'login', 'basic', 'account', 'creds', 'cred', 'userpass', 'htpasswd', 'credentials'])
/** Prefixes of values shaped `a:b` that are not a login: charm, PPA and archive sources. */
const NOT_LOGIN_PREFIXES = new Set(['cloud', 'ppa', 'ch', 'cs', 'local', 'http', 'https', 'file', 'secret', 'distro', 'deb', 'include-file', 'include-base64'])

/** `https://user:pass@host/`: a URL that carries a password. */
export function urlCarriesPassword(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i.test(value.trim())
}

/** `user:pass`, as Nuage's `vsd-auth: csproot:csproot`; not `host:5432`, `cloud:jammy-zed` or `ppa:a/b`. */
export function looksLikeUserPass(value: string): boolean {
  const match = /^([A-Za-z0-9._%+-]+):([^\s:@/]+)$/.exec(value.trim())
  if (!match) return false
  const [, user = '', pass = ''] = match
  return !NOT_LOGIN_PREFIXES.has(user.toLowerCase()) && !/^\d+$/.test(pass)
}

/**
 * Whether a value set on an option is itself a credential, whatever the name says: a URL with a
 * password in it, or a `user:pass` pair on an option that is about logging in.
 */
export function valueIsCredential(name: string, value: unknown, description?: string): boolean {
  if (typeof value !== 'string' || isPlaceholder(value)) return false
  if (urlCarriesPassword(value)) return true
  if (!looksLikeUserPass(value)) return false
  const loginName = optionWords(name).some((w) => LOGIN_WORDS.has(w))
  return loginName || (description !== undefined && USER_PASS_DESCRIPTION.test(description))
}

// ---------------------------------------------------------------- values

/** `ssl_cert: SELFSIGNED` (haproxy, apache2): the charm makes itself a certificate no client trusts. */
export function isSelfSignedOption(value: unknown): boolean {
  return typeof value === 'string' && value.trim().toUpperCase() === 'SELFSIGNED'
}

/** Values that are a setting, not material (haproxy/apache2 `SELFSIGNED`, `DEFAULT`). */
const SENTINELS = new Set(['', 'selfsigned', 'default', 'none', 'null', 'false', 'true', 'auto'])

/** What redaction (src/sources/redact.ts) puts in place of a secret: still a secret being set. */
const REDACTED_VALUE = '<redacted>'

/** Words people leave where the real value has to go. */
const PLACEHOLDER_WORDS = new Set([
  'changeme', 'change-me', 'change_me', 'replaceme', 'replace-me', 'replace_me', 'fce_template', 'todo', 'tbd', 'fixme',
  'placeholder', 'your-password', 'yourpassword', 'your_password', 'password-here', 'secret-here', 'xxx', 'redacted',
])

/**
 * Whether a value is a placeholder, not a real value: empty, `changeme`, `REPLACE_ME`,
 * `FCE_TEMPLATE`, `<password>`, `TODO`, `xxxx`, `${VAR}` or `{{ var }}` left for a template.
 * The one place that decides it: rules say "placeholder" rather than report a secret.
 */
export function isPlaceholder(value: unknown): boolean {
  if (typeof value !== 'string') return false
  const v = value.trim()
  if (v === '') return true
  if (v === REDACTED_VALUE) return false
  const lower = v.toLowerCase()
  if (PLACEHOLDER_WORDS.has(lower)) return true
  if (/^<[^<>]*>$/.test(v)) return true
  if (/^(x+|\*+|\.{3,}|-+)$/i.test(v)) return true
  if (/^\$[A-Z_][A-Z0-9_]*$/.test(v) || /^\$\{[^}]+\}$/.test(v) || /^\{\{.*\}\}$/.test(v) || /^\{%.*%\}$/.test(v)) return true
  return false
}

/**
 * A non-empty string value that is not a sentinel (`SELFSIGNED`) or a Juju secret URI: anything
 * that may be a secret, placeholders included. Redaction uses it, so a password that happens to
 * be `changeme` is still taken out of snapshots.
 */
export function holdsMaterial(value: unknown): value is string {
  if (typeof value !== 'string') return false
  const v = value.trim()
  if (SENTINELS.has(v.toLowerCase())) return false
  if (/^secret:/.test(v)) return false
  return true
}

/** A value that is really set: material, not a placeholder waiting for one. */
export function holdsRealValue(value: unknown): value is string {
  return holdsMaterial(value) && !isPlaceholder(value)
}

/** A filesystem path (`/etc/ssl/private/key.pem`): where material is, not the material. */
export function isPathValue(value: string): boolean {
  return /^(\/|~\/|\.{1,2}\/)[^\s]*$/.test(value.trim())
}

/** Whether an option of this type can carry a plain-text credential. Unknown types are assumed to. */
export function isPlainTextType(type: string | undefined): boolean {
  return type === undefined || type === 'string'
}
