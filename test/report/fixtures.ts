/** Hand-made findings and rules shared by the report renderer tests. */
import type {Finding, GuideReference, NotEvaluated, Severity} from '../../src/findings/types.js'
import {createAuditReport, type AuditReport, type AuditReportParts, type ExpiredWaiver} from '../../src/report/audit-report.js'
import type {RuleMetadata} from '../../src/rules/rule.js'

export const GENERATED_AT = '2026-03-01T09:30:00.000Z'

export const JUJU_GUIDE_URL = 'https://documentation.ubuntu.com/juju/3.6/howto/manage-your-juju-deployment/harden-your-juju-deployment/'

export const JUJU_GUIDE: GuideReference = {
  title: 'Harden your Juju deployment',
  url: JUJU_GUIDE_URL,
  section: 'Harden the applications',
}

export const JUJU_USERS_GUIDE: GuideReference = {
  title: 'Harden your Juju deployment',
  url: JUJU_GUIDE_URL,
  section: 'Harden the user(s)',
}

export const BUNDLE = 'examples/livepatch-k8s/juju/bundle/bundle.yaml'

function finding(overrides: Partial<Finding> & Pick<Finding, 'rule' | 'severity' | 'target' | 'message'>): Finding {
  return {
    title: `${overrides.rule} title`,
    evidence: {},
    guide: JUJU_GUIDE,
    remediation: 'See the guide.',
    autoFixable: false,
    ...overrides,
  }
}

export const trustPostgres = finding({
  rule: 'JUJU-TRUST',
  severity: 'high',
  title: 'Application deployed with --trust',
  target: {kind: 'application', controller: 'prod', model: 'livepatch', name: 'postgresql-k8s'},
  message: 'postgresql-k8s is deployed with trust: true, which gives it the Kubernetes API',
  evidence: {trust: true},
  remediation: 'juju trust postgresql-k8s --remove -m prod:livepatch',
  location: {file: BUNDLE, line: 18, column: 5},
})

export const trustIngress = finding({
  rule: 'JUJU-TRUST',
  severity: 'high',
  title: 'Application deployed with --trust',
  target: {kind: 'application', controller: 'prod', model: 'livepatch', name: 'ingress'},
  message: 'ingress is deployed with trust: true, which gives it the Kubernetes API',
  evidence: {trust: true},
  remediation: 'juju trust ingress --remove -m prod:livepatch',
  location: {file: BUNDLE, line: 30, column: 5},
})

export const loadBalancer = finding({
  rule: 'K8S-LOADBALANCER',
  severity: 'high',
  title: 'Service reachable from outside the cluster',
  target: {kind: 'Service', namespace: 'cos', name: 'traefik'},
  message: 'Service traefik is of type LoadBalancer (external IP 203.0.113.7)',
  evidence: {type: 'LoadBalancer', ports: [80, 443]},
  remediation: 'Limit sources with a NetworkPolicy, or add cos/Service/traefik to the policy allowlist',
})

export const saOverprivileged = finding({
  rule: 'K8S-SA-OVERPRIVILEGED',
  severity: 'critical',
  title: 'ServiceAccount bound to a wildcard ClusterRole',
  target: {kind: 'ServiceAccount', controller: 'prod', model: 'livepatch', namespace: 'livepatch', name: 'postgresql-k8s'},
  message: 'ServiceAccount postgresql-k8s is bound to ClusterRole livepatch-postgresql-k8s with */*/* rules',
  remediation: 'juju trust postgresql-k8s --remove -m prod:livepatch',
  location: {file: 'manifests\\rbac.yaml', line: 3},
})

export const charmSource = finding({
  rule: 'JUJU-CHARM-SOURCE',
  severity: 'medium',
  title: 'Charm not from a stable channel',
  target: {kind: 'application', controller: 'prod', model: 'livepatch', name: 'postgresql-k8s'},
  message: 'postgresql-k8s follows channel 14/candidate',
  remediation: 'juju refresh postgresql-k8s --channel 14/stable -m prod:livepatch',
  location: {file: BUNDLE, line: 16, column: 5},
})

export const outdated = finding({
  rule: 'JUJU-CHARM-OUTDATED',
  severity: 'low',
  title: 'A newer charm revision exists',
  target: {kind: 'application', controller: 'prod', model: 'livepatch', name: 'livepatch'},
  message: 'livepatch can be upgraded to ch:livepatch-k8s-42',
  remediation: 'juju refresh livepatch -m prod:livepatch',
})

export const waivedIngress = finding({
  rule: 'K8S-INGRESS-NO-TLS',
  severity: 'high',
  title: 'Ingress without TLS',
  target: {kind: 'Ingress', namespace: 'cos', name: 'grafana'},
  message: 'Ingress grafana has no tls section',
  remediation: 'Add a tls section with a certificate secret',
  waived: {by: 'annotation', reason: 'TLS is terminated at the edge proxy', source: 'Ingress cos/grafana'},
})

export const notEvaluatedOffers: NotEvaluated = {
  rule: 'ACCESS-OFFER',
  needs: ['juju-offers'],
  message: 'No `juju offers --format=json` output was given.',
}

export const notEvaluatedRoot: NotEvaluated = {
  rule: 'JUJU-ROOT-CONTAINER',
  targets: [
    {kind: 'application', controller: 'prod', model: 'livepatch', name: 'postgresql-k8s'},
    {kind: 'application', controller: 'prod', model: 'livepatch', name: 'livepatch'},
  ],
  needs: ['charm-metadata', 'k8s-pods'],
  message: 'Neither the charm metadata nor the pods of these applications were given.',
}

export const expiredExposure: ExpiredWaiver = {
  rule: 'JUJU-EXPOSED',
  target: 'prod:livepatch/haproxy',
  reason: 'Temporary exposure during the migration',
  expires: '2026-01-31',
  source: 'hardenctl.yaml',
}

/** In a scrambled order, to prove createAuditReport sorts. */
export const ALL_FINDINGS: Finding[] = [outdated, loadBalancer, trustPostgres, waivedIngress, charmSource, saOverprivileged, trustIngress]

export function fullReport(overrides: Partial<AuditReportParts> = {}): AuditReport {
  return createAuditReport({
    generatedAt: GENERATED_AT,
    toolVersion: '0.1.0',
    profiles: ['juju', 'k8s'],
    inputs: ['examples/livepatch-k8s/juju', 'examples/livepatch-k8s/k8s'],
    policy: 'hardenctl.yaml',
    findings: ALL_FINDINGS,
    notEvaluated: [notEvaluatedRoot, notEvaluatedOffers],
    expiredWaivers: [expiredExposure],
    failOn: 'high',
    ...overrides,
  })
}

export function emptyReport(): AuditReport {
  return createAuditReport({generatedAt: GENERATED_AT, toolVersion: '0.1.0', profiles: ['juju'], inputs: ['live'], findings: []})
}

function rule(id: string, severity: Severity, profile: RuleMetadata['profile'], overrides: Partial<RuleMetadata> = {}): RuleMetadata {
  return {
    id,
    title: `${id} title`,
    severity,
    profile,
    guide: JUJU_GUIDE,
    rationale: `Why ${id} matters.`,
    remediation: `How to fix ${id}.`,
    autoFixable: false,
    needs: [['juju-status']],
    ...overrides,
  }
}

export const RULES: RuleMetadata[] = [
  rule('JUJU-TRUST', 'high', 'juju', {
    title: 'Application deployed with --trust',
    rationale: 'A trusted charm can use the Kubernetes API with the rights of its ClusterRole.',
    remediation: 'juju trust APP --remove',
    needs: [['juju-config', 'juju-bundle', 'k8s-rbac']],
  }),
  rule('K8S-LOADBALANCER', 'high', 'k8s', {title: 'Service reachable from outside the cluster', needs: [['k8s-services']]}),
  rule('K8S-SA-OVERPRIVILEGED', 'critical', 'k8s', {needs: [['k8s-rbac'], ['k8s-serviceaccounts']]}),
  rule('K8S-INGRESS-NO-TLS', 'high', 'k8s', {needs: [['k8s-ingresses']]}),
  rule('JUJU-CHARM-SOURCE', 'medium', 'juju'),
  rule('JUJU-CHARM-OUTDATED', 'low', 'juju'),
  rule('JUJU-ROOT-CONTAINER', 'high', 'juju', {needs: [['charm-metadata', 'k8s-pods']]}),
  rule('ACCESS-OFFER', 'medium', 'juju', {guide: JUJU_USERS_GUIDE, autoFixable: true, needs: [['juju-offers']]}),
  // Ran and found nothing: a passing test case in JUnit.
  rule('JUJU-DISABLED-COMMANDS', 'medium', 'juju', {autoFixable: true, needs: [['juju-disabled-commands']]}),
  // Did not run: another profile, and a host check.
  rule('MAAS-TLS', 'high', 'maas'),
  rule('HOST-SSH-ROOT', 'high', 'juju', {scope: 'host'}),
]
