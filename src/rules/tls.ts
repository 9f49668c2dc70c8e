/**
 * TLS rules common to the guides: certificates relations for charms that can serve TLS, databases
 * without TLS, self-signed certificates on exposed apps, and key material in plain config.
 */
import {isTlsMaterialOption} from '../inventory/charm-options.js'
import {cite} from './guides.js'
import {charmSubjects} from './helpers/charm-subjects.js'
import {appLabel, charmName, CHARMS, isCharmIn, isDatabaseCharm} from './helpers/charms.js'
import {reachability} from './helpers/reachability.js'
import {isSelfSignedRelation, relationsOf, tlsCertificateEndpoints, tlsRelations} from './helpers/relations.js'
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
  remediation: 'Integrate a certificate provider on the TLS endpoint: `juju integrate APP:certificates lego` for public names, or `juju integrate APP:certificates self-signed-certificates` for internal use.',
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
      const endpoint = endpoints[0] ?? 'certificates'
      const m = appModelArg(app)
      report({
        target: appTarget(app, model),
        severity: exposed ? 'high' : 'medium',
        message: `${appLabel(app)} can get a certificate on ${list(endpoints)} but has no relation there${exposed ? `, and it is reachable from outside (${list(reach.paths)})` : ''}: it serves without TLS.`,
        evidence: {tlsEndpoints: endpoints, exposed: reach.exposed ?? null, paths: reach.paths},
        remediation: exposed
          ? `juju integrate -m ${m} ${app.name}:${endpoint} lego   # a CA clients already trust`
          : `juju integrate -m ${m} ${app.name}:${endpoint} self-signed-certificates`,
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
    'Without a certificates relation, PostgreSQL, MySQL and RabbitMQ carry credentials and data between applications in clear text. The Livepatch, MAAS and Landscape guides all ask for TLS between their servers and their database, even on a segregated network.',
  remediation: 'Integrate a certificate provider: `juju integrate DB:certificates self-signed-certificates` (or your CA); clients then connect with TLS.',
  autoFixable: false,
  needs: [['juju-status', 'juju-bundle']],
  evaluate({inventory, report}) {
    for (const {model, app} of applications(inventory)) {
      if (!isDatabaseCharm(app)) continue
      if (tlsRelations(model, app).length > 0) continue
      const endpoint = tlsCertificateEndpoints(app)[0] ?? 'certificates'
      report({
        target: appTarget(app, model),
        message: `${appLabel(app)} has no certificates relation: its clients connect without TLS.`,
        evidence: {charm: charmName(app), relations: relationsOf(model, app).map((v) => `${v.mine.endpoint ?? app.name} -> ${v.other?.application ?? '?'}`)},
        remediation: `juju integrate -m ${appModelArg(app)} ${app.name}:${endpoint} self-signed-certificates   # or your CA`,
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
  remediation: 'Use a certificate from a CA clients trust: `juju remove-relation APP self-signed-certificates` then `juju integrate APP:certificates lego` (or set `ssl_cert`/`ssl_key` through a secret-backed option).',
  autoFixable: false,
  needs: [['juju-status', 'juju-bundle']],
  evaluate({inventory, report}) {
    for (const {model, app} of applications(inventory)) {
      const selfSignedRelations = tlsRelations(model, app).filter(isSelfSignedRelation)
      const option = app.options.ssl_cert
      const selfSignedOption = typeof option === 'string' && option.trim().toUpperCase() === 'SELFSIGNED'
      if (selfSignedRelations.length === 0 && !selfSignedOption) continue
      const reach = reachability(inventory, model, app)
      if (reach.exposed !== true) continue
      const how = selfSignedOption ? 'ssl_cert: SELFSIGNED' : `a relation to ${list(selfSignedRelations.map((v) => v.other?.application ?? 'self-signed-certificates'))}`
      const m = appModelArg(app)
      const ref = (selfSignedOption ? app.optionRefs.ssl_cert : selfSignedRelations[0]?.relation.ref) ?? app.refs.definition
      report({
        target: appTarget(app, model),
        message: `${app.name} is reachable from outside (${list(reach.paths)}) with a self-signed certificate (${how}): clients must be given its CA by hand.`,
        evidence: {sslCert: selfSignedOption ? option : undefined, selfSignedProviders: selfSignedRelations.map((v) => v.other?.application), paths: reach.paths},
        remediation: selfSignedOption
          ? `juju config -m ${m} ${app.name} ssl_cert=<base64 PEM from your CA> ssl_key=<...>   # or integrate a certificates provider such as lego`
          : `juju remove-relation -m ${m} ${app.name} ${selfSignedRelations[0]?.other?.application ?? 'self-signed-certificates'}; juju integrate -m ${m} ${app.name}:${selfSignedRelations[0]?.mine.endpoint ?? 'certificates'} lego`,
        ...(ref ? {ref} : {}),
      })
    }
  },
}

export const tlsConfigKey: Rule = {
  id: 'TLS-CONFIG-KEY',
  title: 'TLS key material in plain charm config',
  severity: 'medium',
  profile: 'juju',
  guide: LANDSCAPE_EXTERNAL,
  rationale:
    'A private key set as a charm option (`ssl_key`, `ssl_key_content`, ...) is readable by every user with read access to the model, is stored in bundles and exports, and cannot be rotated without redeploying config. A certificates relation keeps keys with the charm; Juju secrets keep them out of config.',
  remediation: 'Obtain certificates over a relation (`juju integrate APP:certificates lego`) or a secret-typed option, then clear the plain options: `juju config APP --reset ssl_key,ssl_cert`.',
  autoFixable: false,
  needs: [['charm-metadata', 'juju-bundle', 'juju-config']],
  evaluate({inventory, report}) {
    for (const subject of charmSubjects(inventory)) {
      const found = sensitiveOptions(subject, isTlsMaterialOption)
      if (found.set.length === 0 && found.declared.length === 0) continue
      const set = found.set.length > 0
      report({
        target: subject.target,
        severity: set ? 'medium' : 'low',
        message: set
          ? `${subject.name} holds TLS material in plain config: ${list(found.set)}.`
          : `${subject.charm} takes TLS material as plain string options (${list(found.declared)}) rather than a certificates relation or a secret.`,
        evidence: {setOptions: found.set, declaredStringOptions: found.declared},
        ...(subject.app && set ? {remediation: `juju config -m ${appModelArg(subject.app)} ${subject.name} --reset ${found.set.join(',')}   # after moving to a certificates relation or a secret`} : {}),
        ...(found.ref ? {ref: found.ref} : {}),
      })
    }
  },
}

export const TLS_RULES: Rule[] = [tlsMissingRelation, tlsDbPlaintext, tlsSelfSigned, tlsConfigKey]
