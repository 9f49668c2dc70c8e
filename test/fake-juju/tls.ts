/**
 * Test PKI for the fake Juju controller: a CA, a server certificate it signs with the names a real
 * controller certificate carries (`juju-apiserver` is always there; clients dial 127.0.0.1), and a
 * second, unrelated CA for tests that must see TLS verification fail.
 */
import {generateKeyPairSync, randomBytes} from 'node:crypto'

import forge from 'node-forge'

export interface TestPki {
  caCert: string
  serverCert: string
  serverKey: string
  /** A CA that signed nothing here: a client trusting only it must refuse the server. */
  otherCaCert: string
}

let cached: TestPki | undefined

/** Generated once per process: key generation dominates the cost. */
export function generateTestPki(): TestPki {
  cached ??= buildPki()
  return cached
}

interface KeyPair {
  privateKey: forge.pki.rsa.PrivateKey
  publicKey: forge.pki.rsa.PublicKey
  privatePem: string
}

// Node's native key generation takes milliseconds where forge's pure-JS one takes seconds.
function rsaKeyPair(): KeyPair {
  const {privateKey, publicKey} = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: {type: 'spki', format: 'pem'},
    privateKeyEncoding: {type: 'pkcs8', format: 'pem'},
  })
  return {
    privateKey: forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey,
    publicKey: forge.pki.publicKeyFromPem(publicKey) as forge.pki.rsa.PublicKey,
    privatePem: privateKey,
  }
}

function newCertificate(publicKey: forge.pki.rsa.PublicKey, subject: forge.pki.CertificateField[]): forge.pki.Certificate {
  const cert = forge.pki.createCertificate()
  cert.publicKey = publicKey
  // A positive serial: a leading 0x00..0x7f byte keeps the DER integer from reading as negative.
  cert.serialNumber = '01' + randomBytes(15).toString('hex')
  const now = Date.now()
  cert.validity.notBefore = new Date(now - 24 * 3600 * 1000)
  cert.validity.notAfter = new Date(now + 10 * 365 * 24 * 3600 * 1000)
  cert.setSubject(subject)
  return cert
}

function selfSignedCa(keys: KeyPair, commonName: string): forge.pki.Certificate {
  const subject = [
    {name: 'commonName', value: commonName},
    {name: 'organizationName', value: 'juju'},
  ]
  const cert = newCertificate(keys.publicKey, subject)
  cert.setIssuer(subject)
  cert.setExtensions([
    {name: 'basicConstraints', cA: true, critical: true},
    {name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true},
    {name: 'subjectKeyIdentifier'},
  ])
  cert.sign(keys.privateKey, forge.md.sha256.create())
  return cert
}

function buildPki(): TestPki {
  const caKeys = rsaKeyPair()
  const ca = selfSignedCa(caKeys, 'juju-generated CA for model "juju-ca"')

  const serverKeys = rsaKeyPair()
  const server = newCertificate(serverKeys.publicKey, [
    {name: 'commonName', value: '*'},
    {name: 'organizationName', value: 'juju'},
  ])
  server.setIssuer(ca.subject.attributes)
  server.setExtensions([
    {name: 'basicConstraints', cA: false},
    {name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true},
    {name: 'extKeyUsage', serverAuth: true},
    {
      name: 'subjectAltName',
      altNames: [
        {type: 2, value: 'juju-apiserver'},
        {type: 2, value: 'juju-mongodb'},
        {type: 2, value: 'localhost'},
        {type: 2, value: 'anything'},
        {type: 7, ip: '127.0.0.1'},
      ],
    },
  ])
  server.sign(caKeys.privateKey, forge.md.sha256.create())

  const otherCa = selfSignedCa(rsaKeyPair(), 'juju-generated CA for model "other"')

  return {
    caCert: toPem(ca),
    serverCert: toPem(server),
    serverKey: serverKeys.privatePem,
    otherCaCert: toPem(otherCa),
  }
}

/** forge writes CRLF; Juju's files (and Node's own PEM) use LF. */
function toPem(cert: forge.pki.Certificate): string {
  return forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n')
}
