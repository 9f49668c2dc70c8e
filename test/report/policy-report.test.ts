/**
 * The audit findings as wgpolicyk8s.io/v1alpha2 PolicyReports: one per audited namespace, the
 * exact object, what each kind of finding becomes, and a schema check against the CRD's
 * (kubernetes-sigs/wg-policy-prototypes, policy-report v1alpha2) fields and enums.
 */
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {Ajv} from 'ajv'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type AuditResult, runAudit} from '../../src/audit/run-audit.js'
import type {Finding} from '../../src/findings/types.js'
import {createAuditReport} from '../../src/report/audit-report.js'
import {buildPolicyReports, type PolicyReportObject, type PolicyReportResult} from '../../src/report/policy-report.js'
import {GUIDES} from '../../src/rules/guides.js'

const JUJU_GUIDE_URL = GUIDES.juju.url
/** Relative, as a user types it: locations in the report are relative too. */
const EXAMPLE = 'examples/livepatch-k8s'

const NOW = new Date('2026-03-01T09:30:00.123Z')
const TIMESTAMP = {seconds: 1_772_357_400, nanos: 123_000_000}
const CONTROLLER_NS_UID = '5f3a0001-9c1d-4b2e-8f3a-000001001eef'
const LIVEPATCH_NS_UID = '5f3a0002-9c1d-4b2e-8f3a-000001003dde'

/**
 * The fields and enums of the v1alpha2 CRD's openAPIV3Schema (PolicyReport; results[].result
 * pass|fail|warn|error|skip, severity critical|high|low|medium|info, timestamp {seconds, nanos},
 * properties map[string]string, resources []ObjectReference), closed with
 * additionalProperties: false so a field the API server would prune fails here instead.
 */
const objectReference = {
  type: 'object',
  additionalProperties: false,
  properties: {
    apiVersion: {type: 'string'},
    kind: {type: 'string'},
    namespace: {type: 'string'},
    name: {type: 'string'},
    uid: {type: 'string'},
    resourceVersion: {type: 'string'},
    fieldPath: {type: 'string'},
  },
}
const POLICY_REPORT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'metadata'],
  properties: {
    apiVersion: {const: 'wgpolicyk8s.io/v1alpha2'},
    kind: {const: 'PolicyReport'},
    metadata: {type: 'object'},
    scope: objectReference,
    scopeSelector: {type: 'object'},
    summary: {
      type: 'object',
      additionalProperties: false,
      properties: {pass: {type: 'integer'}, fail: {type: 'integer'}, warn: {type: 'integer'}, error: {type: 'integer'}, skip: {type: 'integer'}},
    },
    results: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['policy'],
        properties: {
          source: {type: 'string'},
          policy: {type: 'string'},
          rule: {type: 'string'},
          category: {type: 'string'},
          severity: {enum: ['critical', 'high', 'low', 'medium', 'info']},
          timestamp: {
            type: 'object',
            additionalProperties: false,
            required: ['nanos', 'seconds'],
            properties: {seconds: {type: 'integer'}, nanos: {type: 'integer', minimum: 0, maximum: 999_999_999}},
          },
          result: {enum: ['pass', 'fail', 'warn', 'error', 'skip']},
          scored: {type: 'boolean'},
          resources: {type: 'array', items: objectReference},
          resourceSelector: {type: 'object'},
          message: {type: 'string'},
          properties: {type: 'object', additionalProperties: {type: 'string'}},
        },
      },
    },
  },
}

function validate(report: PolicyReportObject): void {
  const ajv = new Ajv({allErrors: true, strict: true})
  const check = ajv.compile(POLICY_REPORT_SCHEMA)
  expect(check(report), JSON.stringify(check.errors)).toBe(true)
}

let audited: AuditResult
let dir: string

beforeAll(async () => {
  audited = await runAudit({from: [EXAMPLE], toolVersion: '0.1.0', now: NOW})
  dir = await mkdtemp(join(tmpdir(), 'hardenctl-polr-'))
})

afterAll(async () => {
  await rm(dir, {recursive: true, force: true})
})

function build(result: AuditResult = audited, findings?: Finding[]) {
  const report = findings === undefined ? result.report : createAuditReport({generatedAt: NOW, toolVersion: '0.1.0', profiles: [], inputs: [], findings})
  return buildPolicyReports({report, inventory: result.inventory, policy: result.policy, rules: result.rules, now: NOW})
}

function inNamespace(reports: PolicyReportObject[], namespace: string): PolicyReportObject {
  const found = reports.find((report) => report.metadata.namespace === namespace)
  if (!found) throw new Error(`no report in ${namespace}`)
  return found
}

describe('buildPolicyReports', () => {
  it('writes one report named hardenctl per Juju model namespace (the controller namespace included), exactly this object', () => {
    const {reports} = build()
    expect(reports.map((report) => `${report.metadata.namespace}/${report.metadata.name}`)).toEqual(['controller-microk8s-prod/hardenctl', 'livepatch/hardenctl'])
    expect(inNamespace(reports, 'controller-microk8s-prod')).toEqual({
      apiVersion: 'wgpolicyk8s.io/v1alpha2',
      kind: 'PolicyReport',
      metadata: {
        name: 'hardenctl',
        namespace: 'controller-microk8s-prod',
        labels: {'app.kubernetes.io/managed-by': 'hardenctl', 'hardenctl.io/model': 'controller'},
      },
      scope: {apiVersion: 'v1', kind: 'Namespace', name: 'controller-microk8s-prod', uid: CONTROLLER_NS_UID},
      summary: {pass: 0, fail: 2, warn: 0, error: 0, skip: 0},
      results: [
        {
          source: 'hardenctl',
          policy: 'ACCESS-STALE-USER',
          category: 'Harden your Juju deployment',
          severity: 'medium',
          timestamp: TIMESTAMP,
          result: 'fail',
          message: 'ci-bot on controller microk8s-prod has never connected and is still enabled.',
          properties: {
            title: 'Enabled user idle or never connected',
            guide: 'Harden your Juju deployment § Harden the user(s)',
            guideUrl: JUJU_GUIDE_URL,
            remediation: 'juju disable-user -c microk8s-prod ci-bot   # or: juju remove-user -c microk8s-prod ci-bot',
            autoFixable: 'true',
            'juju.controller': 'microk8s-prod',
            'juju.user': 'ci-bot',
            location: 'examples/livepatch-k8s/juju/microk8s-prod/users.json:1:125',
          },
        },
        {
          source: 'hardenctl',
          policy: 'NET-NAMESPACE-PSA',
          category: 'Harden your Juju deployment',
          severity: 'low',
          timestamp: TIMESTAMP,
          result: 'fail',
          resources: [{apiVersion: 'v1', kind: 'Namespace', name: 'controller-microk8s-prod', uid: CONTROLLER_NS_UID}],
          message: 'namespace controller-microk8s-prod has no pod-security.kubernetes.io/enforce, audit or warn label.',
          properties: {
            title: 'Namespace without Pod Security Admission labels',
            guide: 'Harden your Juju deployment § Harden the applications',
            guideUrl: JUJU_GUIDE_URL,
            remediation:
              'kubectl label namespace controller-microk8s-prod pod-security.kubernetes.io/enforce=baseline pod-security.kubernetes.io/warn=restricted pod-security.kubernetes.io/audit=restricted',
            autoFixable: 'true',
            location: 'examples/livepatch-k8s/kubernetes/namespaces.json:4:9',
          },
        },
      ],
    })
    for (const report of reports) validate(report)
  })

  it('puts every finding of the model in its namespace: Kubernetes targets as resources, Juju targets as properties', () => {
    const report = inNamespace(build().reports, 'livepatch')
    expect(report.metadata.labels).toEqual({'app.kubernetes.io/managed-by': 'hardenctl', 'hardenctl.io/model': 'livepatch'})
    expect(report.scope).toEqual({apiVersion: 'v1', kind: 'Namespace', name: 'livepatch', uid: LIVEPATCH_NS_UID})
    // 31 findings of the model, its namespace and its objects; one rule not evaluated for a target.
    expect(report.summary).toEqual({pass: 0, fail: 31, warn: 0, error: 1, skip: 0})
    expect(report.results).toHaveLength(32)
    const auditFindings = audited.report.findings.filter((finding) => finding.target.model === 'livepatch' || finding.target.namespace === 'livepatch')
    expect(report.results.filter((result) => result.result === 'fail').map((result) => result.policy)).toEqual(auditFindings.map((finding) => finding.rule))

    const workload = report.results.find((result) => result.policy === 'K8S-PRIVILEGED')
    expect(workload).toEqual({
      source: 'hardenctl',
      policy: 'K8S-PRIVILEGED',
      category: 'Harden your Juju deployment',
      severity: 'medium',
      timestamp: TIMESTAMP,
      result: 'fail',
      resources: [{apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'livepatch', name: 'modeloperator', uid: '5f3a0021-9c1d-4b2e-8f3a-00000103fccf'}],
      message: 'Deployment livepatch/modeloperator: juju-operator (allowPrivilegeEscalation not set to false).',
      properties: {
        title: 'Privileged container or privilege escalation allowed',
        guide: 'Harden your Juju deployment § Harden the applications',
        guideUrl: JUJU_GUIDE_URL,
        remediation: expect.stringContaining('"allowPrivilegeEscalation":false') as string,
        autoFixable: 'false',
        'juju.controller': 'microk8s-prod',
        'juju.model': 'livepatch',
        location: 'examples/livepatch-k8s/kubernetes/deployments.json:4:9',
      },
    })
    const trust = report.results.find((result) => result.policy === 'JUJU-TRUST')
    expect(trust).not.toHaveProperty('resources')
    expect(trust?.properties).toMatchObject({'juju.controller': 'microk8s-prod', 'juju.model': 'livepatch', 'juju.application': 'ingress'})
    expect(trust?.severity).toBe('critical')
    // A model user's finding belongs to the model's namespace.
    const admin = report.results.find((result) => result.policy === 'ACCESS-MODEL-ADMIN')
    expect(admin?.properties).toMatchObject({'juju.model': 'livepatch', 'juju.user': 'ci-bot'})
    expect(admin).not.toHaveProperty('resources')

    // Not evaluated for a target of the namespace: error ("the policy could not be evaluated").
    expect(report.results.filter((result) => result.result === 'error')).toEqual([
      {
        source: 'hardenctl',
        policy: 'TLS-MISSING-RELATION',
        category: 'Livepatch Server: Security hardening',
        severity: 'medium',
        timestamp: TIMESTAMP,
        result: 'error',
        message: "needs the charm's metadata to know its TLS endpoints",
        properties: {
          title: 'TLS-capable application without a certificates relation',
          guide: 'Livepatch Server: Security hardening § Communication',
          guideUrl: 'https://ubuntu.com/security/livepatch/docs/livepatch_on_prem/how-to/security-hardening',
          needs: 'charm-metadata',
          'juju.controller': 'microk8s-prod',
          'juju.model': 'livepatch',
          'juju.application': 'ingress',
        },
      },
    ])
  })

  it("files a controller-level finding in the controller's namespace when the controller runs in this cluster, and in no report when it does not", () => {
    const {reports, outsideNamespaces} = build()
    expect(audited.report.findings.filter((finding) => finding.rule === 'ACCESS-STALE-USER')).toHaveLength(1)
    expect(outsideNamespaces).toBe(0)
    expect(inNamespace(reports, 'controller-microk8s-prod').results.map((result) => result.policy)).toContain('ACCESS-STALE-USER')
    expect(inNamespace(reports, 'livepatch').results.map((result) => result.policy)).not.toContain('ACCESS-STALE-USER')
    // The same finding about a controller hosted elsewhere (a machine controller) belongs to no namespace here.
    const elsewhere = audited.report.findings.map((finding) => (finding.rule === 'ACCESS-STALE-USER' ? {...finding, target: {...finding.target, controller: 'lxd-prod'}} : finding))
    const other = build(audited, elsewhere)
    expect(other.outsideNamespaces).toBe(1)
    for (const report of other.reports) expect(report.results.map((result) => result.policy)).not.toContain('ACCESS-STALE-USER')
  })

  it('a waived finding is skip, with who waived it and why', async () => {
    const policyFile = join(dir, 'waivers.yaml')
    await writeFile(
      policyFile,
      'apiVersion: hardenctl.io/v1\nkind: Policy\nwaivers:\n  - rule: JUJU-TRUST\n    target: livepatch/postgresql\n    reason: postgresql-k8s needs the K8s API\n    expires: 2027-03-31\n',
    )
    const waived = await runAudit({from: [EXAMPLE], policyFile, toolVersion: '0.1.0', now: NOW})
    const report = inNamespace(build(waived).reports, 'livepatch')
    expect(report.summary).toEqual({pass: 0, fail: 30, warn: 0, error: 1, skip: 1})
    const skipped = report.results.filter((result) => result.result === 'skip')
    expect(skipped).toHaveLength(1)
    expect(skipped[0]).toMatchObject({policy: 'JUJU-TRUST', severity: 'critical', result: 'skip'})
    expect(skipped[0]?.properties).toMatchObject({
      'juju.application': 'postgresql',
      waivedBy: 'policy',
      waiverReason: 'postgresql-k8s needs the K8s API',
      waiverSource: policyFile,
      waiverExpires: '2027-03-31',
    })
    validate(report)
  })

  it("a namespace the policy audits gets its report too: its workloads' findings, no Juju model label", async () => {
    // kubectl get namespaces,deployments -n ingress-nginx -o json, as the cluster returns them.
    const kubeFile = join(dir, 'ingress-nginx.json')
    await writeFile(
      kubeFile,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          {apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'ingress-nginx', uid: 'uid-ns-ingress-nginx', labels: {'kubernetes.io/metadata.name': 'ingress-nginx'}}, spec: {finalizers: ['kubernetes']}, status: {phase: 'Active'}},
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: {name: 'ingress-nginx-controller', namespace: 'ingress-nginx', uid: 'uid-deploy-controller', labels: {'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller'}},
            spec: {
              replicas: 1,
              selector: {matchLabels: {'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller'}},
              template: {
                metadata: {labels: {'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller'}},
                spec: {
                  serviceAccountName: 'ingress-nginx',
                  containers: [
                    {
                      name: 'controller',
                      image: 'registry.k8s.io/ingress-nginx/controller:v1.11.2',
                      securityContext: {runAsUser: 0, allowPrivilegeEscalation: false, capabilities: {drop: ['ALL'], add: ['NET_BIND_SERVICE']}},
                    },
                  ],
                },
              },
            },
          },
        ],
      }),
    )
    const policyFile = join(dir, 'namespaces.yaml')
    await writeFile(policyFile, 'apiVersion: hardenctl.io/v1\nkind: Policy\nkubernetes:\n  namespaces: [ingress-nginx]\n')
    const withPolicy = await runAudit({from: [EXAMPLE, kubeFile], policyFile, toolVersion: '0.1.0', now: NOW})
    const {reports} = build(withPolicy)
    expect(reports.map((report) => report.metadata.namespace)).toEqual(['controller-microk8s-prod', 'ingress-nginx', 'livepatch'])
    const report = inNamespace(reports, 'ingress-nginx')
    expect(report.metadata).toEqual({name: 'hardenctl', namespace: 'ingress-nginx', labels: {'app.kubernetes.io/managed-by': 'hardenctl'}})
    expect(report.scope).toEqual({apiVersion: 'v1', kind: 'Namespace', name: 'ingress-nginx', uid: 'uid-ns-ingress-nginx'})
    const rootResult = report.results.find((result) => result.policy === 'K8S-RUN-AS-ROOT')
    expect(rootResult).toMatchObject({
      severity: 'high',
      result: 'fail',
      resources: [{apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'ingress-nginx', name: 'ingress-nginx-controller', uid: 'uid-deploy-controller'}],
      message: 'Deployment ingress-nginx/ingress-nginx-controller: container controller runs as root (runAsUser is 0).',
    })
    expect(rootResult?.properties).not.toHaveProperty('juju.model')
    validate(report)
  })

  it('a model namespace without findings still gets a report, all zero, so stale failures disappear', () => {
    const {reports} = build(audited, [])
    expect(reports.map((report) => [report.metadata.namespace, report.summary, report.results])).toEqual([
      ['controller-microk8s-prod', {pass: 0, fail: 0, warn: 0, error: 0, skip: 0}, []],
      ['livepatch', {pass: 0, fail: 0, warn: 0, error: 0, skip: 0}, []],
    ])
    for (const report of reports) validate(report)
  })

  it('a Kubernetes kind the audit could not list, or the whole Juju side, is an error in every report; INVENTORY-INCOMPLETE is error, not fail', () => {
    const base = audited.report.findings.find((finding) => finding.rule === 'NET-NAMESPACE-PSA')!
    const gap = (target: Finding['target'], message: string): Finding => ({
      ...base,
      rule: 'INVENTORY-INCOMPLETE',
      severity: 'medium',
      title: 'Part of the estate could not be inspected',
      target,
      message,
      evidence: {error: message},
      location: undefined,
    })
    const listing = gap({kind: 'networkpolicies', name: '*'}, 'could not inspect networkpolicies *: Forbidden: networkpolicies is forbidden')
    const app = gap({kind: 'application', controller: 'microk8s-prod', model: 'livepatch', name: 'livepatch'}, 'could not inspect application livepatch: status error')
    const juju = gap({kind: 'juju', name: 'microk8s-prod'}, 'could not inspect juju microk8s-prod: Juju API wss://10.0.0.1:17070: connection refused')
    const {reports} = build(audited, [listing, app, juju])
    expect(inNamespace(reports, 'controller-microk8s-prod').results.map((result) => [result.policy, result.result, result.message])).toEqual([
      // In the audit report's order (rule, then target).
      ['INVENTORY-INCOMPLETE', 'error', juju.message],
      ['INVENTORY-INCOMPLETE', 'error', listing.message],
    ])
    const livepatch = inNamespace(reports, 'livepatch')
    expect(livepatch.summary).toEqual({pass: 0, fail: 0, warn: 0, error: 3, skip: 0})
    const everywhere = livepatch.results.find((result) => result.message === listing.message) as PolicyReportResult
    // About the whole cluster: no resource, so it is for the report's scope (the namespace).
    expect(everywhere).not.toHaveProperty('resources')
    expect(everywhere.properties.target).toBe('networkpolicies *')
  })

  it('never puts a finding\'s evidence in a report: option names and values stay out', () => {
    const base = audited.report.findings.find((finding) => finding.rule === 'JUJU-TRUST')!
    const secretish: Finding = {
      ...base,
      rule: 'JUJU-PLAINTEXT-CREDENTIALS',
      message: 'livepatch sets credential-looking options in plain text: token.',
      evidence: {setOptions: ['token'], value: 'hunter2-not-a-real-secret', nested: {password: 'hunter2-not-a-real-secret'}},
    }
    const {reports} = build(audited, [secretish])
    const text = JSON.stringify(reports)
    expect(text).not.toContain('hunter2')
    expect(text).not.toContain('setOptions')
    const result = inNamespace(reports, 'livepatch').results[0]!
    expect(Object.keys(result.properties).sort()).toEqual(['autoFixable', 'guide', 'guideUrl', 'juju.application', 'juju.controller', 'juju.model', 'location', 'remediation', 'title'])
  })
})
