/**
 * TLS rules common to the guides: certificates relations for charms that can serve TLS, databases
 * without TLS, self-signed certificates on exposed apps, and key material in plain config.
 */
import {isCaKeyOption, isSelfSignedOption, isTlsPrivateKeyOption} from '../inventory/charm-options.js'
import type {Application, Inventory, Model} from '../inventory/types.js'
import {cite} from './guides.js'
import {certificatesFix, describeProvider, noCertificatesEndpointFix, tlsComesFrom, withCommands} from './helpers/certificate-providers.js'
import {charmSubjects, type CharmSubject} from './helpers/charm-subjects.js'
import {appLabel, charmName, CHARMS, isCharmIn, isDatabaseCharm} from './helpers/charms.js'
import {certificateEndpoints, isSubordinate, metadataCertificateEndpoints} from './helpers/known-charms.js'
import {outsideReach, reachability} from './helpers/reachability.js'
import {describeMine, isSelfSignedRelation, relationsOf, tlsCertificateEndpoints, tlsRelations, type RelationView} from './helpers/relations.js'
import {sensitiveOptions} from './helpers/sensitive-options.js'
import {appModelArg, applications, appTarget, list} from './helpers/targets.js'
import type {Rule} from './rule.js'

const LIVEPATCH_COMMUNICATION = cite('livepatch', 'Communication')
const LANDSCAPE_EXTERNAL = cite('landscape', 'Secure external traffic')

export const tlsMissingRelation: Rule = {
  id: 'TLS-MISSING-RELATION',
  title: 'TLS-capable application without a certificates relation',
  severity: 'medium',
  profile: 'juju',
  guide: LIVEPATCH_COMMUNICATION,
  rationale:
    'The charm can obtain a certificate over a `tls-certificates` relation but none is integrated, so it serves its clients in clear text. The guides call TLS a key factor, especially for components exposed to the internet.',
  remediation:
    'Integrate the TLS endpoint with a certificate provider the estate already has (vault, lego, manual-tls-certificates, self-signed-certificates, or an offer of one): `juju integrate APP:certificates PROVIDER`; deploy one first only when there is none (lego for public names, self-signed-certificates for internal use).',
  autoFixable: false,
  needs: [['charm-metadata'], ['juju-status', 'juju-bundle']],
  evaluate({inventory, report, notEvaluated}) {
    for (const {model, app} of applications(inventory)) {
      // Certificate authorities provide certificates on these interfaces, they do not request them.
      if (isCharmIn(app, CHARMS.certificateAuthorities)) continue
      if (!app.metadata) {
        notEvaluated(appTarget(app, model), ['charm-metadata'], "needs the charm's metadata to know its TLS endpoints")
        continue
      }
      const endpoints = tlsCertificateEndpoints(app)
      if (endpoints.length === 0 || tlsRelations(model, app).length > 0) continue
      const reach = reachability(inventory, model, app)
      const exposed = reach.exposed === true
      const fix = certificatesFix(inventory, model, app, {publicFacing: exposed})
      const endpoint = fix?.endpoint ?? endpoints[0]
      report({
        target: appTarget(app, model),
        severity: exposed ? 'high' : 'medium',
        message: `${appLabel(app)} can get a certificate on ${list(endpoints)} but has no relation there${exposed ? `, and it is ${outsideReach(reach)}` : ''}: it serves without TLS.`,
        evidence: {tlsEndpoints: endpoints, exposed: reach.exposed ?? null, paths: reach.paths, ...(fix ? {provider: describeProvider(fix.provider)} : {})},
        ...(fix ? {remediation: fix.text} : {}),
        ref: app.metadata.endpoints.find((e) => e.name === endpoint)?.ref ?? app.refs.definition,
      })
    }
  },
}

export const tlsDbPlaintext: Rule = {
  id: 'TLS-DB-PLAINTEXT',
  title: 'Database or message broker without TLS',
  severity: 'medium',
  profile: 'juju',
  guide: cite('livepatch', 'PostgreSQL'),
  rationale:
    'Without a certificates relation, PostgreSQL, MySQL and RabbitMQ carry credentials and data between applications in clear text. The Livepatch and MAAS guides ask for TLS between their servers and PostgreSQL, even on a segregated network (the Landscape guide only keeps its database and broker ports off the outside); hardenctl holds MySQL and RabbitMQ, which carry the same kind of credentials and data, to the same. A subordinate router (OpenStack\'s mysql-router) only proxies on its principal\'s machine: the TLS of that database comes from the cluster it routes to.',
  remediation:
    'Integrate the database\'s certificates endpoint with a certificate provider the estate already has (`juju integrate DB:certificates vault`), or deploy one first (`juju deploy self-signed-certificates`); clients then connect with TLS.',
  autoFixable: false,
  needs: [['juju-status', 'juju-bundle']],
  evaluate({inventory, report}) {
    for (const {model, app} of applications(inventory)) {
      if (!isDatabaseCharm(app)) continue
      // A subordinate router serves its principal over the machine's loopback or socket; the
      // database it routes to is judged on its own.
      if (isSubordinate(app) === true) continue
      if (tlsRelations(model, app).length > 0) continue
      const relations = relationsOf(model, app).map((v) => `${v.mine.endpoint ?? app.name} -> ${v.other?.application ?? '?'}`)
      const fix = certificatesFix(inventory, model, app, {publicFacing: false})
      if (!fix) {
        const instead = tlsComesFrom(app)
        report({
          target: appTarget(app, model),
          message: `${appLabel(app)} has no certificates endpoint${instead ? ` (its TLS comes from ${instead})` : ''}: its clients connect without TLS, and no relation can change that.`,
          evidence: {charm: charmName(app), certificatesEndpoints: [], relations},
          remediation: noCertificatesEndpointFix(app),
          ...(app.refs.definition ? {ref: app.refs.definition} : {}),
        })
        continue
      }
      report({
        target: appTarget(app, model),
        message: `${appLabel(app)} has no certificates relation: its clients connect without TLS.`,
        evidence: {charm: charmName(app), relations, provider: describeProvider(fix.provider), ...(fix.endpoint ? {certificatesEndpoint: fix.endpoint} : {})},
        remediation: fix.text,
        ...(app.refs.definition ? {ref: app.refs.definition} : {}),
      })
    }
  },
}

export const tlsSelfSigned: Rule = {
  id: 'TLS-SELF-SIGNED',
  title: 'Exposed application with a self-signed certificate',
  severity: 'low',
  profile: 'juju',
  guide: LANDSCAPE_EXTERNAL,
  rationale:
    'A self-signed certificate encrypts, but clients cannot verify it unless its CA is distributed to each of them by hand; users learn to click through warnings. The Landscape guide notes that a self-signed certificate must be manually distributed to every client.',
  remediation:
    'Use a certificate from a CA clients trust: relate the application to a provider that is not self-signed (lego, vault, manual-tls-certificates; deployed first when the estate has none) in place of self-signed-certificates, or give a charm that takes `ssl_cert`/`ssl_key` options a certificate from such a CA.',
  autoFixable: false,
  needs: [['juju-status', 'juju-bundle']],
  evaluate({inventory, report}) {
    for (const {model, app} of applications(inventory)) {
      const selfSignedRelations = tlsRelations(model, app).filter(isSelfSignedRelation)
      const option = app.options.ssl_cert
      const selfSignedOption = isSelfSignedOption(option)
      if (selfSignedRelations.length === 0 && !selfSignedOption) continue
      const reach = reachability(inventory, model, app)
      if (reach.exposed !== true) continue
      const how = selfSignedOption ? 'ssl_cert: SELFSIGNED' : `a relation to ${list(selfSignedRelations.map((v) => v.other?.application ?? 'self-signed-certificates'))}`
      const ref = (selfSignedOption ? app.optionRefs.ssl_cert : selfSignedRelations[0]?.relation.ref) ?? app.refs.definition
      report({
        target: appTarget(app, model),
        message: `${app.name} is ${outsideReach(reach)}, with a self-signed certificate (${how}): clients must be given its CA by hand.`,
        evidence: {sslCert: selfSignedOption ? option : undefined, selfSignedProviders: selfSignedRelations.map((v) => v.other?.application), paths: reach.paths},
        remediation: selfSignedRemediation(inventory, model, app, selfSignedOption ? undefined : selfSignedRelations[0]),
        ...(ref ? {ref} : {}),
      })
    }
  },
}

/** Replace a self-signed certificate with one from a CA clients trust, the new provider set up first. */
function selfSignedRemediation(inventory: Inventory, model: Model, app: Application, relation: RelationView | undefined): string {
  const m = appModelArg(app)
  const fix = certificatesFix(inventory, model, app, {publicFacing: true, notSelfSigned: true, ...(relation?.mine.endpoint ? {endpoint: relation.mine.endpoint} : {})})
  if (!relation) {
    // `ssl_cert: SELFSIGNED` (the legacy haproxy and apache2 charms): a relation only where the charm has one.
    if (fix?.integrate) return fix.text
    return `juju config -m ${m} ${app.name} ssl_cert="$(base64 -w0 fullchain.pem)" ssl_key="$(base64 -w0 privkey.pem)"   # a certificate and key from a CA the clients trust`
  }
  const remove = `juju remove-relation -m ${m} ${describeMine(relation)} ${relation.other ? describeOtherName(relation) : 'self-signed-certificates'}`
  if (!fix?.integrate) return `${remove}, then ${fix?.text ?? 'relate it to a provider that is not self-signed'}`
  return withCommands({...fix, integrate: fix.integrate}, [remove], [])
}

function describeOtherName(view: RelationView): string {
  return view.other?.endpoint ? `${view.other.application}:${view.other.endpoint}` : (view.other?.application ?? '')
}

export const tlsConfigKey: Rule = {
  id: 'TLS-CONFIG-KEY',
  title: 'TLS private key in plain charm config',
  severity: 'medium',
  profile: 'juju',
  guide: LANDSCAPE_EXTERNAL,
  rationale:
    'A private key set as a charm option (`ssl_key`, `ssl_key_content`, ...) is readable by every user with read access to the model, is stored in bundles and exports, and cannot be rotated without redeploying config. A certificates relation keeps keys with the charm; Juju secrets keep them out of config. Certificates and CAs (`ssl_cert`, `ssl_ca`, landscape-client\'s `ssl-public-key`) are public and are not reported.',
  remediation:
    'Where the charm has a certificates endpoint, integrate it with a certificate provider, then clear the private key option: `juju config APP --reset ssl_key`. Where the key can only be given as config, keep read access to the model to those who may hold the key.',
  autoFixable: false,
  needs: [['charm-metadata', 'juju-bundle', 'juju-config']],
  evaluate({inventory, report}) {
    for (const subject of charmSubjects(inventory)) {
      const found = sensitiveOptions(subject, {byName: isTlsPrivateKeyOption, pathsAreNotMaterial: true})
      if (found.set.length === 0 && found.placeholders.length === 0 && found.declared.length === 0) continue
      const set = found.set.length > 0
      const placeholders = found.placeholders.length > 0 ? `${list(found.placeholders)} ${found.placeholders.length === 1 ? 'is' : 'are'} set to a placeholder, not a key yet` : ''
      const remediation = keyRemediation(inventory, subject, set ? found.set : [...found.placeholders, ...found.declared], set)
      const endpoints = subjectCertificateEndpoints(subject)
      report({
        target: subject.target,
        severity: set ? 'medium' : 'low',
        message: set
          ? `${subject.name} holds a TLS private key in plain config: ${list(found.set)}.`
          : placeholders
            ? `${subject.name}: ${placeholders}; once filled in it will be a private key in plain config.`
            : `${subject.charm} takes its TLS private key as a plain string option (${list(found.declared)}) rather than a certificates relation or a secret.`,
        evidence: {setOptions: found.set, placeholderOptions: found.placeholders, declaredStringOptions: found.declared, ...(endpoints ? {certificatesEndpoints: endpoints} : {})},
        ...(remediation ? {remediation} : {}),
        ...(found.ref ? {ref: found.ref} : {}),
      })
    }
  },
}

/** TLS-CONFIG-KEY's fix: a serving key's and a CA key's are different, and a finding may name both. */
function keyRemediation(inventory: Inventory, subject: CharmSubject, keys: string[], set: boolean): string {
  const servingKeys = keys.filter((key) => !isCaKeyOption(key))
  const caKeys = keys.filter(isCaKeyOption)
  const advice: string[] = []
  if (servingKeys.length > 0) advice.push(subject.app && set ? configKeyRemediation(inventory, subject, servingKeys) : keyOptionAdvice(subject, servingKeys, set))
  if (caKeys.length > 0) advice.push(caKeyAdvice(subject, caKeys, set))
  return advice.filter((text) => text !== '').join(' ')
}

/** Who may read the key: the users of the application's model, or of whichever model the charm is deployed in. */
function limitReaders(subject: CharmSubject): string {
  if (!subject.app) return 'keep read access to the model it is deployed in to those who may hold the key'
  // A bundle without a name gives its model no name to show: say "the model", as the command's MODEL does.
  const model = subject.app.modelUnnamed ? 'the model' : `model ${subject.app.model}`
  return `limit who can read ${model} (\`juju show-model ${appModelArg(subject.app)}\` lists its users)`
}

function caKeyAdvice(subject: CharmSubject, keys: string[], set: boolean): string {
  const what = `${list(keys)} ${keys.length === 1 ? 'is the private key' : 'are the private keys'} of a CA ${subject.charm} signs certificates with, which no certificates relation hands out`
  return set
    ? `${what}: keep ${keys.length === 1 ? 'it' : 'them'} set (clearing ${keys.length === 1 ? 'it' : 'them'} stops ${subject.charm} issuing), ${limitReaders(subject)}, and replace the CA if anyone who should not hold its key could read the model.`
    : `${what}: once set, ${limitReaders(subject)}.`
}

/**
 * TLS-CONFIG-KEY's fix for a charm's serving key where no application's config is changed by name:
 * it names the charm's own options, and the relation only where the charm has a certificates endpoint.
 */
function keyOptionAdvice(subject: CharmSubject, options: string[], set: boolean): string {
  const endpoints = subjectCertificateEndpoints(subject)
  if (endpoints !== undefined && endpoints.length === 0) {
    // maas-region: its ssl_key_content is how MAAS-TLS turns TLS on; "leave it unset" would contradict that rule.
    return `${subject.charm} has no certificates endpoint: ${list(options)} is how it is given its TLS key. Keep it${set ? '' : ' when you set it'}, ${limitReaders(subject)}, or terminate TLS at a proxy in front of it that takes a certificates relation.`
  }
  const reset = `\`juju config APP --reset ${options.join(',')}\``
  if (endpoints !== undefined) {
    const endpoint = `its ${list(endpoints)} endpoint`
    return set
      ? `Integrate ${endpoint} with a certificate provider, then clear the private key: ${reset}.`
      : `Leave ${list(options)} unset: give ${subject.charm} its certificate over ${endpoint} with a certificate provider instead, and clear a key once set there: ${reset}.`
  }
  const keep = 'Where the key can only be given as config, keep read access to the model to those who may hold the key.'
  return set
    ? `Where ${subject.charm} has a certificates endpoint, integrate it with a certificate provider, then clear the private key: ${reset}. ${keep}`
    : `Leave ${list(options)} unset: where ${subject.charm} has a certificates endpoint, give it its certificate over a relation with a certificate provider instead, and clear a key once set there: ${reset}. ${keep}`
}

/** The charm's certificates endpoints: from its application (metadata or table), else from a bare charm's metadata. */
function subjectCertificateEndpoints(subject: CharmSubject): string[] | undefined {
  const known = subject.app ? certificateEndpoints(subject.app) : undefined
  if (known) return known.endpoints
  return subject.metadata ? metadataCertificateEndpoints(subject.metadata) : undefined
}

/**
 * Clearing a key only helps once something else gives the charm its certificate: a certificates
 * relation (integrated first), else nothing hardenctl can vouch for, and no reset is suggested.
 */
function configKeyRemediation(inventory: Inventory, subject: CharmSubject, keys: string[]): string {
  const app = subject.app
  if (!app || !subject.model) return ''
  const m = appModelArg(app)
  const reset = `juju config -m ${m} ${app.name} --reset ${keys.join(',')}`
  const known = subjectCertificateEndpoints(subject)
  if (known && known.length > 0) {
    const fix = certificatesFix(inventory, subject.model, app, {publicFacing: reachability(inventory, subject.model, app).exposed === true})
    // The relation issues the certificate asynchronously: clearing the key before it lands would
    // leave the charm with a certificate and no key.
    if (fix?.integrate) return withCommands({...fix, integrate: fix.integrate}, [], [], [`once ${app.name} serves the certificate from ${fix.provider.name}: ${reset}`])
  }
  if (known) {
    return `${charmName(app)} takes its key only as config (no certificates endpoint): keep it, ${limitReaders(subject)}, and prefer a charm revision or a TLS-terminating proxy that takes a certificates relation`
  }
  return `check whether ${charmName(app)} has a certificates endpoint (\`juju info ${charmName(app)}${app.channel ? ` --channel ${app.channel}` : ''}\` lists its relations): if it has, integrate it with a certificate provider, then \`${reset}\`; if not, keep the key and limit who can read the model`
}

export const TLS_RULES: Rule[] = [tlsMissingRelation, tlsDbPlaintext, tlsSelfSigned, tlsConfigKey]
