/**
 * Which charm options hold credentials or TLS private keys, and what a value set on one is. Option
 * names and descriptions are the real ones of the charms named in each case.
 */
import {describe, expect, it} from 'vitest'

import {
  holdsMaterial,
  holdsRealValue,
  isCredentialOption,
  isPlaceholder,
  isTlsMaterialOption,
  isTlsPrivateKeyOption,
  looksLikeUserPass,
  valueIsCredential,
} from '../../src/inventory/charm-options.js'
import {REDACTED} from '../../src/sources/redact.js'

describe('credential option names', () => {
  it.each([
    ['prometheus_registration_authtoken'],
    ['vsd-auth'], // Nuage VSD: user:password
    ['admin-passwd'],
    ['api_secret'],
    ['ssh_key'],
    ['sshkey'],
    ['apiKey'],
    ['registration-key'], // landscape-client
    ['root-password'], // percona-cluster
    ['patch-storage.s3-secret-key'], // canonical-livepatch-server
    ['admin-password'],
    ['api-key-content'],
    ['db-pass'],
  ])('%s holds a credential', (name) => {
    expect(isCredentialOption(name)).toBe(true)
  })

  it.each([
    ['keystone'],
    ['keystone-auth-url'],
    ['auth-url'],
    ['auth.basic.enabled'], // canonical-livepatch-server
    ['monkey'],
    ['keepalive'],
    ['author'],
    ['certificate-authority'],
    ['ssh-key-name'],
    ['ssh-public-key'],
    ['ssh_authorized_keys'],
    ['key'], // OpenStack charms: the apt key id that goes with `source`
    ['key-size'],
    ['token-ttl'],
    ['plugin-config-secret-id'], // lego: holds a secret's id
    ['pass-through'],
    ['bypass-proxy'],
    ['key-manager'],
    ['instance_password_encryption'],
    ['ssl_key'], // TLS material, its own rule
  ])('%s does not', (name) => {
    expect(isCredentialOption(name)).toBe(false)
  })

  it('reads the charm\'s description when it says what the option holds', () => {
    // percona-cluster's sst-password: the name says so, and so does the description.
    expect(isCredentialOption('sst-password', 'SST account password for new cluster nodes.')).toBe(true)
    // An option whose name says nothing but whose description says user:pass.
    expect(isCredentialOption('vsd-server', 'VSD user:password used to authenticate')).toBe(true)
    // OpenStack's `key`: "Key ID to import to the apt keyring".
    expect(isCredentialOption('key', 'Key ID to import to the apt keyring to support use with arbitrary source')).toBe(false)
    // Takes a Juju secret's id, not the credential.
    expect(isCredentialOption('ldap-password', 'The Juju secret ID that holds the bind password')).toBe(false)
    // A deprecated plain option that points at its secret-typed successor still holds the credential (livepatch-k8s).
    const deprecated = (what: string) => `${what}\n\nDeprecated: this option is stored in plain text in Juju's config; prefer setting\nits -secret option to a Juju secret URI instead.\n`
    expect(isCredentialOption('contracts.password', deprecated('Password to authenticate with backend contracts service.'))).toBe(true)
    expect(isCredentialOption('auth.basic.users', deprecated('A comma separated list of "user:password" pairs used for authentication.'))).toBe(true)
  })
})

describe('TLS private keys and certificates', () => {
  it.each([['ssl_key'], ['ssl_key_content'], ['tls-private-key'], ['private_key'], ['ssl-key']])('%s is a private key', (name) => {
    expect(isTlsPrivateKeyOption(name)).toBe(true)
  })

  it.each([['ssl_cert'], ['ssl_ca'], ['ssl_cert_content'], ['ssl_cacert_content'], ['tls-ca'], ['ssl_chain'], ['ssl-public-key']])('%s is public: not key material', (name) => {
    expect(isTlsPrivateKeyOption(name)).toBe(false)
    expect(isTlsMaterialOption(name)).toBe(true)
  })

  it('takes landscape-client\'s description of ssl-public-key at its word', () => {
    const description = 'The CA certificate to verify the server certificate with. This can be a path to a file, or a base64 encoded entry of the certificate itself'
    expect(isTlsPrivateKeyOption('ssl-public-key', description)).toBe(false)
    // maas-region's ssl_key_content: "SSL private key. If provided, MAAS will run in TLS mode"
    expect(isTlsPrivateKeyOption('ssl_key_content', 'SSL private key. If provided, MAAS will run in TLS mode')).toBe(true)
  })
})

describe('values', () => {
  it.each([['FCE_TEMPLATE'], ['changeme'], ['REPLACE_ME'], ['<password>'], ['TODO'], [''], ['xxxx'], ['${DB_PASSWORD}'], ['{{ admin_password }}'], ['$ADMIN_PASSWORD']])(
    '%j is a placeholder',
    (value) => {
      expect(isPlaceholder(value)).toBe(true)
      expect(holdsRealValue(value)).toBe(false)
    },
  )

  it('keeps redacted live values as real secrets, and placeholders redactable', () => {
    expect(isPlaceholder(REDACTED)).toBe(false)
    expect(holdsRealValue(REDACTED)).toBe(true)
    // Redaction takes out anything that may be a secret, a password that happens to be "changeme" too.
    expect(holdsMaterial('changeme')).toBe(true)
    expect(holdsMaterial('SELFSIGNED')).toBe(false)
    expect(holdsMaterial('secret:cv2s3g7mp25c7ak9i4ug')).toBe(false)
  })

  it('tells a user:password value from host:port, charm and archive sources', () => {
    expect(looksLikeUserPass('csproot:csproot')).toBe(true)
    expect(looksLikeUserPass('10.0.0.1:5432')).toBe(false)
    expect(looksLikeUserPass('cloud:jammy-zed')).toBe(false)
    expect(looksLikeUserPass('ppa:landscape/self-hosted-beta')).toBe(false)
    expect(looksLikeUserPass('distro')).toBe(false)
  })

  it('treats user:pass on a login option, and a URL with a password on any, as a credential', () => {
    expect(valueIsCredential('vsd-user-auth', 'csproot:csproot', undefined)).toBe(true)
    expect(valueIsCredential('http-proxy', 'http://squid:s3cret@proxy.internal:3128', undefined)).toBe(true)
    expect(valueIsCredential('http-proxy', 'http://proxy.internal:3128', undefined)).toBe(false)
    expect(valueIsCredential('source', 'cloud:jammy-zed', undefined)).toBe(false)
    expect(valueIsCredential('tags', 'env:prod', undefined)).toBe(false)
  })
})
