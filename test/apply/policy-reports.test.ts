/**
 * Writing PolicyReports with nock at the HTTP layer (client-node's auth and node-fetch run for
 * real): the LIST that finds the reports, the exact server-side apply of each report, updates in
 * place, a missing CRD, foreign reports, pruning, permissions and dry runs.
 */
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import nock from 'nock'
import {describe, expect, it} from 'vitest'

import {writeFindingsToCluster, writePolicyReports, type PolicyReportWriteOptions, policyReportMessages} from '../../src/apply/policy-reports.js'
import {runAudit} from '../../src/audit/run-audit.js'
import {IncompleteError} from '../../src/errors.js'
import {buildPolicyReports, type PolicyReportObject} from '../../src/report/policy-report.js'
import {configFor, useNockedCluster} from '../sources/kubernetes-api/fixtures.js'
import {FAST_RETRY, type Json, type SeenRequest, seenRequest, status} from './fixtures.js'

const SERVER = 'https://k8s.test:6443'
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.cG9saWN5LXJlcG9ydHM.not-a-real-signature'
const LIST = '/apis/wgpolicyk8s.io/v1alpha2/policyreports'
const path = (namespace: string) => `/apis/wgpolicyk8s.io/v1alpha2/namespaces/${namespace}/policyreports/hardenctl`

const cluster = useNockedCluster()

const OPTIONS: PolicyReportWriteOptions = {dryRun: false, retry: FAST_RETRY, namespacesInView: new Set(['shop', 'cos', 'old-model'])}

function config() {
  return configFor(cluster.dir(), SERVER, TOKEN)
}

const MANAGED = {'app.kubernetes.io/managed-by': 'hardenctl'}

/** A report as hardenctl builds it: one failing result in `shop`. */
function shopReport(seconds = 1_772_357_400, extra: PolicyReportObject['results'] = []): PolicyReportObject {
  const results: PolicyReportObject['results'] = [
    {
      source: 'hardenctl',
      policy: 'JUJU-TRUST',
      category: 'Harden your Juju deployment',
      severity: 'critical',
      timestamp: {seconds, nanos: 0},
      result: 'fail',
      message: 'postgresql runs with --trust.',
      properties: {title: 'Application deployed with --trust', 'juju.controller': 'prod', 'juju.model': 'shop', 'juju.application': 'postgresql'},
    },
    ...extra,
  ]
  return {
    apiVersion: 'wgpolicyk8s.io/v1alpha2',
    kind: 'PolicyReport',
    metadata: {name: 'hardenctl', namespace: 'shop', labels: {...MANAGED, 'hardenctl.io/model': 'shop'}},
    scope: {apiVersion: 'v1', kind: 'Namespace', name: 'shop', uid: 'uid-ns-shop'},
    summary: {pass: 0, fail: results.filter((r) => r.result === 'fail').length, warn: 0, error: 0, skip: results.filter((r) => r.result === 'skip').length},
    results,
  }
}

/** A model namespace without findings: the report is there, all zero. */
function cosReport(): PolicyReportObject {
  return {
    apiVersion: 'wgpolicyk8s.io/v1alpha2',
    kind: 'PolicyReport',
    metadata: {name: 'hardenctl', namespace: 'cos', labels: {...MANAGED, 'hardenctl.io/model': 'cos'}},
    scope: {apiVersion: 'v1', kind: 'Namespace', name: 'cos'},
    summary: {pass: 0, fail: 0, warn: 0, error: 0, skip: 0},
    results: [],
  }
}

/** How the API server lists a stored report: the applied object plus server-set metadata. */
function stored(report: PolicyReportObject | Json, resourceVersion = '901', uid = `uid-polr-${String((report.metadata as Json).namespace)}`): Json {
  const metadata = report.metadata as Json
  return {
    ...report,
    metadata: {
      ...metadata,
      uid,
      resourceVersion,
      generation: 1,
      creationTimestamp: '2026-02-01T08:00:00Z',
      managedFields: [{manager: 'hardenctl', operation: 'Apply', apiVersion: 'wgpolicyk8s.io/v1alpha2', fieldsType: 'FieldsV1', fieldsV1: {'f:results': {}}}],
    },
  }
}

type Seen = Omit<SeenRequest, 'body'> & {body?: unknown}

/**
 * The API server's policyreports endpoints: the LIST (answering `list`, or the items named
 * hardenctl, one page), and PATCH/DELETE answered by `write` (default: the body back, or Success).
 */
function fakeApi(options: {items?: Json[]; list?: (seen: Seen, count: number) => readonly [number, unknown]; write?: (seen: Seen) => readonly [number, unknown] | undefined} = {}): Seen[] {
  const seen: Seen[] = []
  const handler = function (this: nock.ReplyFnContext, uri: string, body: nock.Body): nock.ReplyFnResult {
    // A request without a body (the LIST) records none.
    const {body: sent, ...rest} = seenRequest(this, SERVER, uri, body)
    const request: Seen = sent === '' ? rest : {...rest, body: sent}
    seen.push(request)
    if (request.method === 'GET') {
      const count = seen.filter((s) => s.method === 'GET').length - 1
      if (options.list) return options.list(request, count) as nock.ReplyFnResult
      return [200, {apiVersion: 'wgpolicyk8s.io/v1alpha2', kind: 'PolicyReportList', metadata: {resourceVersion: '1000'}, items: options.items ?? []}]
    }
    const answer = options.write?.(request)
    if (answer) return answer as nock.ReplyFnResult
    if (request.method === 'DELETE') return [200, {kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success'}]
    return [200, request.body] as nock.ReplyFnResult
  }
  nock(SERVER).persist().get(/.*/).query(true).reply(handler).patch(/.*/).query(true).reply(handler).delete(/.*/).query(true).reply(handler)
  return seen
}

describe('writePolicyReports', () => {
  it('lists the reports named hardenctl once, then applies each report: exact body, SSA path, fieldManager and force', async () => {
    const seen = fakeApi()
    const outcome = await writePolicyReports(config(), [cosReport(), shopReport()], OPTIONS)

    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([`GET ${LIST}`, `PATCH ${path('cos')}`, `PATCH ${path('shop')}`])
    expect(seen[0]?.query).toEqual({fieldSelector: 'metadata.name=hardenctl', limit: '500'})
    const [, cos, shop] = seen
    expect(cos).toEqual({
      method: 'PATCH',
      path: path('cos'),
      query: {fieldManager: 'hardenctl', force: 'true'},
      contentType: 'application/apply-patch+yaml',
      authorization: `Bearer ${TOKEN}`,
      body: {
        apiVersion: 'wgpolicyk8s.io/v1alpha2',
        kind: 'PolicyReport',
        metadata: {name: 'hardenctl', namespace: 'cos', labels: {'app.kubernetes.io/managed-by': 'hardenctl', 'hardenctl.io/model': 'cos'}},
        scope: {apiVersion: 'v1', kind: 'Namespace', name: 'cos'},
        summary: {pass: 0, fail: 0, warn: 0, error: 0, skip: 0},
        results: [],
      },
    })
    expect(shop?.query).toEqual({fieldManager: 'hardenctl', force: 'true'})
    expect(shop?.body).toEqual({
      apiVersion: 'wgpolicyk8s.io/v1alpha2',
      kind: 'PolicyReport',
      metadata: {name: 'hardenctl', namespace: 'shop', labels: {'app.kubernetes.io/managed-by': 'hardenctl', 'hardenctl.io/model': 'shop'}},
      scope: {apiVersion: 'v1', kind: 'Namespace', name: 'shop', uid: 'uid-ns-shop'},
      summary: {pass: 0, fail: 1, warn: 0, error: 0, skip: 0},
      results: [
        {
          source: 'hardenctl',
          policy: 'JUJU-TRUST',
          category: 'Harden your Juju deployment',
          severity: 'critical',
          timestamp: {seconds: 1_772_357_400, nanos: 0},
          result: 'fail',
          message: 'postgresql runs with --trust.',
          properties: {title: 'Application deployed with --trust', 'juju.controller': 'prod', 'juju.model': 'shop', 'juju.application': 'postgresql'},
        },
      ],
    })
    expect(outcome).toMatchObject({state: 'done', written: ['cos', 'shop'], unchanged: [], deleted: [], foreign: [], failed: [], warnings: [], requests: 3})
    expect(policyReportMessages(outcome)).toEqual({
      lines: ['PolicyReport hardenctl (wgpolicyk8s.io/v1alpha2), one per audited namespace: 2 written (cos, shop), 0 unchanged, 0 stale deleted'],
      warnings: [],
    })
  })

  it('a second run updates the same report in place; results already reported keep the time they were first found', async () => {
    const firstFound = 1_772_000_000
    const live = stored(shopReport(firstFound))
    const newResult: PolicyReportObject['results'][number] = {
      source: 'hardenctl',
      policy: 'NET-NO-DEFAULT-DENY',
      category: 'Harden your Juju deployment',
      severity: 'high',
      timestamp: {seconds: 1_772_357_400, nanos: 0},
      result: 'fail',
      resources: [{apiVersion: 'v1', kind: 'Namespace', name: 'shop', uid: 'uid-ns-shop'}],
      message: 'namespace shop has no default-deny NetworkPolicy.',
      properties: {title: 'No default-deny NetworkPolicy'},
    }
    const seen = fakeApi({items: [live]})
    const outcome = await writePolicyReports(config(), [shopReport(1_772_357_400, [newResult])], OPTIONS)

    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([`GET ${LIST}`, `PATCH ${path('shop')}`])
    const body = seen[1]?.body as PolicyReportObject
    expect(body.metadata).toEqual({name: 'hardenctl', namespace: 'shop', labels: {'app.kubernetes.io/managed-by': 'hardenctl', 'hardenctl.io/model': 'shop'}})
    expect(body.summary).toEqual({pass: 0, fail: 2, warn: 0, error: 0, skip: 0})
    expect(body.results.map((r) => [r.policy, r.timestamp])).toEqual([
      ['JUJU-TRUST', {seconds: firstFound, nanos: 0}],
      ['NET-NO-DEFAULT-DENY', {seconds: 1_772_357_400, nanos: 0}],
    ])
    expect(outcome.written).toEqual(['shop'])
  })

  it('sends nothing for a report that already says the same (only the time differs)', async () => {
    const seen = fakeApi({items: [stored(shopReport(1_772_000_000)), stored(cosReport())]})
    const outcome = await writePolicyReports(config(), [cosReport(), shopReport(1_772_357_400)], OPTIONS)
    expect(seen.map((s) => s.method)).toEqual(['GET'])
    expect(outcome).toMatchObject({written: [], unchanged: ['cos', 'shop'], requests: 1})
    expect(policyReportMessages(outcome).lines).toEqual(['PolicyReport hardenctl (wgpolicyk8s.io/v1alpha2), one per audited namespace: 0 written, 2 unchanged, 0 stale deleted'])
  })

  it('CRD absent (404 on the group/version): exactly one warning and no further request', async () => {
    const seen = fakeApi({list: () => [404, status(404, 'NotFound', 'the server could not find the requested resource', {})]})
    const outcome = await writePolicyReports(config(), [cosReport(), shopReport()], OPTIONS)
    expect(seen).toHaveLength(1)
    expect(outcome.state).toBe('crd-missing')
    expect(outcome.written).toEqual([])
    expect(outcome.failed).toEqual([])
    expect(outcome.warnings).toEqual([
      'PolicyReport CRD (wgpolicyk8s.io/v1alpha2) not installed: findings not written to the cluster; install it from ' +
        'https://github.com/kubernetes-sigs/wg-policy-prototypes/tree/master/policy-report/crd/v1alpha2 (Kyverno and Policy Reporter install it too)',
    ])
    expect(policyReportMessages(outcome)).toEqual({lines: [], warnings: outcome.warnings})
  })

  it('leaves a report named hardenctl that is not hardenctl\'s alone, with a warning; writes the others', async () => {
    const foreign = stored({...shopReport(), metadata: {name: 'hardenctl', namespace: 'shop', labels: {team: 'platform'}}})
    const seen = fakeApi({items: [foreign]})
    const outcome = await writePolicyReports(config(), [cosReport(), shopReport()], OPTIONS)
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([`GET ${LIST}`, `PATCH ${path('cos')}`])
    expect(outcome).toMatchObject({written: ['cos'], foreign: ['shop'], failed: []})
    expect(outcome.warnings).toEqual([
      'PolicyReport hardenctl left alone in shop: it is not hardenctl\'s (no app.kubernetes.io/managed-by: hardenctl); rename or delete it to get hardenctl\'s report there',
    ])
  })

  it('deletes hardenctl\'s report from a namespace it saw that is no longer audited, conditionally; nothing else', async () => {
    const stale = stored({...cosReport(), metadata: {name: 'hardenctl', namespace: 'old-model', labels: {...MANAGED, 'hardenctl.io/model': 'old-model'}}}, '555', 'uid-old')
    const unseen = stored({...cosReport(), metadata: {name: 'hardenctl', namespace: 'not-listed', labels: {...MANAGED}}}, '556', 'uid-unseen')
    const theirs = stored({...cosReport(), metadata: {name: 'hardenctl', namespace: 'cos-lite', labels: {}}}, '557', 'uid-theirs')
    const seen = fakeApi({items: [stale, unseen, theirs]})
    const outcome = await writePolicyReports(config(), [shopReport()], {...OPTIONS, namespacesInView: new Set(['shop', 'old-model', 'cos-lite'])})

    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([`GET ${LIST}`, `PATCH ${path('shop')}`, `DELETE ${path('old-model')}`])
    expect(seen[2]).toMatchObject({
      query: {},
      contentType: 'application/json',
      body: {apiVersion: 'v1', kind: 'DeleteOptions', preconditions: {resourceVersion: '555', uid: 'uid-old'}},
    })
    expect(outcome).toMatchObject({written: ['shop'], deleted: ['old-model'], failed: [], warnings: []})
    expect(policyReportMessages(outcome).lines).toEqual([
      'PolicyReport hardenctl (wgpolicyk8s.io/v1alpha2), one per audited namespace: 1 written (shop), 0 unchanged, 1 stale deleted (old-model)',
    ])
  })

  it('a stale report that changed since it was listed is not deleted (409) and the run says so', async () => {
    const stale = stored({...cosReport(), metadata: {name: 'hardenctl', namespace: 'old-model', labels: {...MANAGED}}}, '555', 'uid-old')
    fakeApi({items: [stale], write: (s) => (s.method === 'DELETE' ? [409, status(409, 'Conflict', 'Precondition failed')] : undefined)})
    const outcome = await writePolicyReports(config(), [], OPTIONS)
    expect(outcome.failed).toEqual([{namespace: 'old-model', message: 'stale report not deleted: it changed since it was listed'}])
    expect(policyReportMessages(outcome).lines[1]).toBe('PolicyReport hardenctl in old-model: stale report not deleted: it changed since it was listed')
  })

  it('with dryRun, every write carries dryRun=All', async () => {
    const stale = stored({...cosReport(), metadata: {name: 'hardenctl', namespace: 'old-model', labels: {...MANAGED}}}, '555', 'uid-old')
    const seen = fakeApi({items: [stale]})
    const outcome = await writePolicyReports(config(), [shopReport()], {...OPTIONS, dryRun: true})
    expect(seen.map((s) => [s.method, s.query])).toEqual([
      ['GET', {fieldSelector: 'metadata.name=hardenctl', limit: '500'}],
      ['PATCH', {fieldManager: 'hardenctl', force: 'true', dryRun: 'All'}],
      ['DELETE', {dryRun: 'All'}],
    ])
    expect(policyReportMessages(outcome).lines).toEqual([
      'PolicyReport hardenctl (wgpolicyk8s.io/v1alpha2), one per audited namespace: 1 to write (shop), 0 unchanged, 1 stale to delete (old-model); dry run: validated by the API server, nothing persisted',
    ])
  })

  it('follows the LIST\'s continue token', async () => {
    const seen = fakeApi({
      list: (_seen, count) =>
        count === 0
          ? [200, {kind: 'PolicyReportList', apiVersion: 'wgpolicyk8s.io/v1alpha2', metadata: {continue: 'next-page'}, items: [stored(cosReport())]}]
          : [200, {kind: 'PolicyReportList', apiVersion: 'wgpolicyk8s.io/v1alpha2', metadata: {}, items: [stored(shopReport())]}],
    })
    const outcome = await writePolicyReports(config(), [cosReport(), shopReport()], OPTIONS)
    expect(seen.map((s) => s.query.continue)).toEqual([undefined, 'next-page'])
    expect(outcome.unchanged).toEqual(['cos', 'shop'])
  })

  it('403 on the LIST: one warning naming the permission, nothing written, not a failure', async () => {
    const message = 'policyreports.wgpolicyk8s.io is forbidden: User "system:serviceaccount:hardenctl:hardenctl" cannot list resource "policyreports" in API group "wgpolicyk8s.io" at the cluster scope'
    const seen = fakeApi({list: () => [403, status(403, 'Forbidden', message, {group: 'wgpolicyk8s.io', kind: 'policyreports'})]})
    const outcome = await writePolicyReports(config(), [shopReport()], OPTIONS)
    expect(seen).toHaveLength(1)
    expect(outcome.state).toBe('forbidden')
    expect(outcome.failed).toEqual([])
    expect(outcome.warnings).toEqual([
      'PolicyReports not written: the credentials of context test may not list policyreports.wgpolicyk8s.io at the cluster scope (hardenctl needs list, create, patch and delete on policyreports in API group wgpolicyk8s.io)',
    ])
  })

  it('403 on the writes: one warning for every namespace refused, the others written', async () => {
    fakeApi({write: (s) => (s.path.includes('/namespaces/cos/') ? undefined : [403, status(403, 'Forbidden', 'forbidden')])})
    const outcome = await writePolicyReports(config(), [cosReport(), shopReport()], OPTIONS)
    expect(outcome).toMatchObject({written: ['cos'], failed: []})
    expect(outcome.warnings).toEqual([
      'PolicyReports not written in shop: the credentials of context test may not patch policyreports.wgpolicyk8s.io there (hardenctl needs create and patch on policyreports in API group wgpolicyk8s.io)',
    ])
  })

  it('a CRD that predates the critical and info severities: the failure says to update it', async () => {
    const message = 'PolicyReport.wgpolicyk8s.io "hardenctl" is invalid: results[0].severity: Unsupported value: "critical": supported values: "high", "low", "medium"'
    fakeApi({write: () => [422, status(422, 'Invalid', message)]})
    const outcome = await writePolicyReports(config(), [shopReport()], OPTIONS)
    expect(outcome.failed).toEqual([
      {
        namespace: 'shop',
        message:
          `not written: HTTP 422 Unprocessable Entity: ${message}: the installed PolicyReport CRD predates the critical and info severities of wgpolicyk8s.io/v1alpha2; ` +
          'update it from https://github.com/kubernetes-sigs/wg-policy-prototypes/tree/master/policy-report/crd/v1alpha2',
      },
    ])
  })

  it('401 stops the run; the token never shows', async () => {
    fakeApi({list: () => [401, status(401, 'Unauthorized', 'Unauthorized')]})
    const error = await writePolicyReports(config(), [shopReport()], OPTIONS).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(IncompleteError)
    expect((error as Error).message).toMatch(/unauthorized: the credentials of context test were rejected/)
    expect((error as Error).message).not.toContain(TOKEN)
  })

  it('5xx on a write is retried, then a failure naming the status', async () => {
    const seen = fakeApi({write: () => [503, status(503, 'ServiceUnavailable', 'the server is currently unable to handle the request')]})
    const outcome = await writePolicyReports(config(), [shopReport()], OPTIONS)
    expect(seen.filter((s) => s.method === 'PATCH')).toHaveLength(FAST_RETRY.attempts)
    expect(outcome.failed).toEqual([{namespace: 'shop', message: expect.stringMatching(/^not written: HTTP 503 .* after 3 attempts$/) as string}])
  })
})

describe('writeFindingsToCluster', () => {
  it('writes a report in each namespace the policy audits, and prunes the report of one it no longer audits', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-polr-ns-'))
    try {
      const namespaceObject = (name: string) => ({apiVersion: 'v1', kind: 'Namespace', metadata: {name, uid: `uid-ns-${name}`, labels: {'kubernetes.io/metadata.name': name}}})
      await writeFile(join(dir, 'namespaces.json'), JSON.stringify({apiVersion: 'v1', kind: 'List', items: [namespaceObject('ingress-nginx'), namespaceObject('team-a')]}))
      const policyFile = join(dir, 'hardenctl.yaml')
      await writeFile(policyFile, 'apiVersion: hardenctl.io/v1\nkind: Policy\nkubernetes:\n  namespaces: [ingress-nginx]\n')
      const now = new Date('2026-03-01T09:30:00Z')
      const audited = await runAudit({from: ['examples/livepatch-k8s', join(dir, 'namespaces.json')], policyFile, toolVersion: '0.1.0', now})
      const inputs = {report: audited.report, inventory: audited.inventory, policy: audited.policy, rules: audited.rules, now}
      // team-a was audited by an earlier policy: its report is hardenctl's and now stale.
      const stale = stored({...cosReport(), metadata: {name: 'hardenctl', namespace: 'team-a', labels: {...MANAGED}}}, '700', 'uid-team-a')
      const seen = fakeApi({items: [stale]})
      const outcome = await writeFindingsToCluster(config(), inputs, {dryRun: false, retry: FAST_RETRY})
      expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([
        `GET ${LIST}`,
        `PATCH ${path('controller-microk8s-prod')}`,
        `PATCH ${path('ingress-nginx')}`,
        `PATCH ${path('livepatch')}`,
        `DELETE ${path('team-a')}`,
      ])
      expect((seen[2]?.body as PolicyReportObject).metadata).toEqual({name: 'hardenctl', namespace: 'ingress-nginx', labels: {'app.kubernetes.io/managed-by': 'hardenctl'}})
      expect(outcome).toMatchObject({written: ['controller-microk8s-prod', 'ingress-nginx', 'livepatch'], deleted: ['team-a'], failed: []})
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  })

  it('sends exactly the reports built from the audit, one per audited namespace', async () => {
    const now = new Date('2026-03-01T09:30:00Z')
    const audited = await runAudit({from: ['examples/livepatch-k8s'], toolVersion: '0.1.0', now})
    const inputs = {report: audited.report, inventory: audited.inventory, policy: audited.policy, rules: audited.rules, now}
    const seen = fakeApi()
    const outcome = await writeFindingsToCluster(config(), inputs, {dryRun: false, retry: FAST_RETRY})
    const expected = buildPolicyReports(inputs).reports
    expect(seen.filter((s) => s.method === 'PATCH').map((s) => [s.path, s.body])).toEqual(expected.map((report) => [path(report.metadata.namespace), report]))
    expect(outcome.written).toEqual(['controller-microk8s-prod', 'livepatch'])
  })
})
