/**
 * The fix-command checker itself: each check fails on a crafted bad command and passes the
 * correct form, against inventories read from the example snapshots the way a user reads them.
 */
import {copyFile, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {loadInventory} from '../../src/audit/run-audit.js'
import type {Target} from '../../src/findings/types.js'
import type {Inventory} from '../../src/inventory/types.js'
import {checkRemediation, type Violation} from './check.js'
import type {Estate} from './estate.js'
import {sharedStepProblems, stepsOf} from './shared-steps.js'
import {extractCommands} from './extract.js'
import {REPO} from './inputs.js'

let livepatch: Inventory
let landscape: Inventory
let maas: Inventory
let scratch: string

beforeAll(async () => {
  livepatch = (await loadInventory({from: [join(REPO, 'examples/livepatch-k8s')]})).inventory
  landscape = (await loadInventory({from: [join(REPO, 'examples/landscape-machines')]})).inventory
  // A bundle deploying maas-region, with the charm's own charmcraft.yaml (its options are known).
  scratch = await mkdtemp(join(tmpdir(), 'hardenctl-fixcheck-unit-'))
  await writeFile(join(scratch, 'maas.yaml'), 'applications:\n  maas-region:\n    charm: maas-region\n    channel: 3.6/stable\n')
  const charm = await mkdtemp(join(scratch, 'maas-region-'))
  await copyFile(join(REPO, 'test/corpus/charms/maas-charms__maas-region__charmcraft.yaml'), join(charm, 'charmcraft.yaml'))
  maas = (await loadInventory({from: [join(scratch, 'maas.yaml'), charm]})).inventory
})

afterAll(() => rm(scratch, {recursive: true, force: true}))

const LIVEPATCH_MODEL: Target = {kind: 'model', controller: 'microk8s-prod', model: 'livepatch', name: 'livepatch'}
const LANDSCAPE_MODEL: Target = {kind: 'model', controller: 'lxd-prod', model: 'landscape', name: 'landscape'}

function check(remediation: string, options: {inventory?: Inventory; target?: Target; mode?: Estate['mode']; rule?: string} = {}): Violation[] {
  const estate: Estate = {inventory: options.inventory ?? livepatch, mode: options.mode ?? 'audit', target: options.target ?? LIVEPATCH_MODEL}
  return checkRemediation(remediation, estate, options.rule ?? 'TEST-RULE')
}

function checks(remediation: string, options?: Parameters<typeof check>[1]): string[] {
  return [...new Set(check(remediation, options).map((v) => v.check))].sort()
}

describe('finding commands in a remediation', () => {
  it('splits a command line on ; && | and reads commands in its comment', () => {
    const {runs, problems} = extractCommands('juju unexpose -m c:m app && juju expose -m c:m app --to-cidrs 10.0.0.0/8 | cat   # or: juju trust -m c:m app --remove; if needed, audit it')
    expect(problems).toEqual([])
    expect(runs.flatMap((r) => r.segments.map((s) => s.words.map((w) => w.value).join(' ')))).toEqual([
      'juju unexpose -m c:m app',
      'juju expose -m c:m app --to-cidrs 10.0.0.0/8',
      'cat',
      'juju trust -m c:m app --remove',
    ])
  })

  it('finds commands in backticks and after a colon in prose, and stops at the prose that follows', () => {
    const {runs} = extractCommands('Unexpose it (`juju unexpose APP`), then restrict: juju expose APP --to-cidrs 10.0.0.0/8; and say why.')
    expect(runs.flatMap((r) => r.segments.map((s) => s.words.map((w) => w.value).join(' ')))).toEqual(['juju unexpose APP', 'juju expose APP --to-cidrs 10.0.0.0/8'])
  })

  it('keeps quoted JSON and $(...) as one argument', () => {
    const {runs} = extractCommands(`juju config -m c:m haproxy ssl_cert="$(base64 -w0 cert.pem)"; kubectl -n ns patch service s -p '{"spec": {"type": "ClusterIP"}}'`)
    const words = runs[0]!.segments.map((s) => s.words.map((w) => w.value))
    expect(words[0]).toEqual(['juju', 'config', '-m', 'c:m', 'haproxy', 'ssl_cert=$(base64 -w0 cert.pem)'])
    expect(words[1]!.at(-1)).toBe('{"spec": {"type": "ClusterIP"}}')
  })
})

describe('shell', () => {
  it('an unquoted <placeholder> is a redirection; quoted it is a value', () => {
    expect(checks("juju config -m microk8s-prod:admin/livepatch ingress tls-secret-name=<secret name>")).toContain('shell-syntax')
    expect(check("juju config -m microk8s-prod:admin/livepatch ingress tls-secret-name='<secret name>'")).toEqual([])
  })

  it('an unterminated quote is reported', () => {
    expect(checks("juju config -m microk8s-prod:admin/livepatch ingress tls-secret-name='x")).toContain('shell-syntax')
  })

  it('prose after ; in a command line is run by the shell', () => {
    const violations = check('juju unexpose -m microk8s-prod:admin/livepatch ingress; then restart it: kubectl -n livepatch rollout restart statefulset/livepatch')
    expect(violations.map((v) => v.check)).toEqual(['prose-in-command-line'])
    expect(check('juju unexpose -m microk8s-prod:admin/livepatch ingress   # then restart it: kubectl -n livepatch rollout restart statefulset/livepatch')).toEqual([])
  })
})

describe('juju syntax', () => {
  it('unknown subcommand', () => {
    expect(checks('juju relate-to -m microk8s-prod:admin/livepatch livepatch postgresql')).toEqual(['unknown-subcommand'])
  })

  it('unknown flag', () => {
    expect(checks('juju expose -m microk8s-prod:admin/livepatch ingress --to-cidr 10.0.0.0/8')).toContain('unknown-flag')
    expect(checks('juju expose -m microk8s-prod:admin/livepatch ingress --to-cidrs 10.0.0.0/8')).toEqual([])
  })

  it('flag values: --scope, --channel, --to-cidrs, a missing value', () => {
    expect(checks('juju trust -m microk8s-prod:admin/livepatch ingress --remove --scope=namespace')).toEqual(['flag-value'])
    expect(checks('juju refresh -m microk8s-prod:admin/livepatch postgresql --channel 14/unstable')).toEqual(['channel'])
    expect(checks('juju expose -m microk8s-prod:admin/livepatch ingress --to-cidrs 10.0.0.300/8')).toEqual(['cidr'])
    expect(checks('juju refresh -m microk8s-prod:admin/livepatch postgresql --channel')).toEqual(['flag-value'])
    expect(checks('juju refresh -m microk8s-prod:admin/livepatch postgresql --channel 14/stable')).toEqual([])
  })

  it('wrong number of positional arguments', () => {
    expect(checks('juju expose -m microk8s-prod:admin/livepatch ingress livepatch')).toContain('positional-count')
    expect(checks('juju disable-user -c  ci-bot')).toContain('positional-count')
    expect(checks('juju disable-user -c microk8s-prod ci-bot')).toEqual([])
  })

  it('-m must be a Juju model name, and a model of the inventory', () => {
    const stem = check('juju unexpose -m livepatch-k8s-operator__bundle__bundle ingress')
    expect(stem.map((v) => v.check)).toEqual(['model-name'])
    expect(stem[0]!.problem).toContain('^[a-z0-9]+[a-z0-9-]*$')
    expect(checks('juju unexpose -m microk8s-prod:staging ingress')).toEqual(['model-missing'])
    expect(checks('juju unexpose -m other-controller:livepatch ingress')).toEqual(['controller-missing', 'model-missing'])
    expect(checks('juju unexpose -m microk8s-prod:admin/livepatch ingress')).toEqual([])
    expect(checks('juju unexpose -m livepatch ingress')).toEqual(['model-unqualified'])
    expect(checks('juju unexpose -m admin/livepatch ingress')).toEqual([])
  })

  it('a model whose qualifier (Juju 3: owner) is known is named with it: juju qualifies a bare name with the logged-in user', () => {
    // show-model says admin owns livepatch: `-m microk8s-prod:livepatch` run by alice means alice/livepatch.
    expect(check('juju unexpose -m microk8s-prod:livepatch ingress')).toEqual([
      {check: 'model-unqualified', command: 'juju unexpose -m microk8s-prod:livepatch ingress', problem: '-m microk8s-prod:livepatch: model livepatch is admin/livepatch; a bare name means the logged-in user\'s model of that name'},
    ])
    expect(checks('juju unexpose -m microk8s-prod:alice/livepatch ingress')).toEqual(['model-missing'])
    expect(checks('juju revoke -c microk8s-prod ci-bot write livepatch')).toEqual(['model-unqualified'])
    expect(checks('juju revoke -c microk8s-prod ci-bot write admin/livepatch')).toEqual([])
  })

  it("a bundle alone does not name its model: any valid model name may be the one meant", async () => {
    const bundle = (await loadInventory({from: [join(REPO, 'test/corpus/bundles/livepatch-k8s-operator__bundle__bundle.yaml')]})).inventory
    const target: Target = {kind: 'application', model: 'livepatch-k8s-operator__bundle__bundle', name: 'ingress'}
    expect(checks('juju trust -m canonical-livepatch-onprem ingress --remove', {inventory: bundle, target})).toEqual([])
    expect(checks('juju trust -m canonical-livepatch-onprem ingres --remove', {inventory: bundle, target})).toEqual(['app-missing'])
    expect(checks('juju trust -m livepatch-k8s-operator__bundle__bundle ingress --remove', {inventory: bundle, target})).toEqual(['model-name'])
  })

  it('placeholders: documented UPPER words where they fit, nothing else', () => {
    expect(checks('juju unexpose -m MODEL ingress')).toEqual([])
    expect(checks('juju unexpose -m MODEL_NAME ingress')).toEqual(['placeholder'])
    expect(checks('juju unexpose -m APP ingress')).toEqual(['placeholder'])
    expect(checks('juju integrate -m microk8s-prod:admin/livepatch livepatch:database DB')).toEqual([])
  })

  it('juju add-secret keys match ^([a-z](?:-?[a-z0-9]){2,})$', () => {
    const bad = check('juju add-secret -m microk8s-prod:admin/livepatch pg-credentials db_password=...')
    expect(bad.map((v) => v.check)).toEqual(['secret-key'])
    expect(bad[0]!.problem).toContain('db_password')
    expect(checks('juju add-secret -m microk8s-prod:admin/livepatch pg-credentials db-password=... key#base64=AA==')).toEqual([])
    expect(checks('juju add-secret -m microk8s-prod:admin/livepatch pg-credentials pw=x')).toEqual(['secret-key'])
  })

  it('APP:endpoint must be an endpoint of the charm when its metadata is known', () => {
    const missing = check('juju integrate -m microk8s-prod:admin/livepatch postgresql:tls livepatch:database')
    expect(missing.map((v) => v.check)).toEqual(['endpoint-missing'])
    expect(missing[0]!.problem).toContain('certificates')
    expect(checks('juju integrate -m microk8s-prod:admin/livepatch postgresql:database livepatch:database')).toEqual([])
  })

  it('peer endpoints cannot be integrated; the two sides need matching interfaces', () => {
    expect(checks('juju integrate -m microk8s-prod:admin/livepatch postgresql:database-peers livepatch')).toContain('endpoint-peer')
    expect(checks('juju integrate -m microk8s-prod:admin/livepatch postgresql:certificates livepatch:database')).toEqual(['endpoint-mismatch'])
  })

  it('applications must exist, or be deployed or consumed earlier on the line', () => {
    const missing = check('juju integrate -m microk8s-prod:admin/livepatch postgresql:certificates self-signed-certificates')
    expect(missing.map((v) => v.check)).toEqual(['app-missing'])
    expect(missing[0]!.problem).toContain('ingress, livepatch, postgresql')
    expect(checks('juju deploy -m microk8s-prod:admin/livepatch self-signed-certificates; juju integrate -m microk8s-prod:admin/livepatch postgresql:certificates self-signed-certificates')).toEqual([])
    expect(checks('juju consume -m microk8s-prod:admin/livepatch admin/cos.prometheus-receive-remote-write; juju integrate -m microk8s-prod:admin/livepatch livepatch prometheus-receive-remote-write')).toEqual([])
    expect(checks('juju deploy -m microk8s-prod:admin/livepatch postgresql-k8s postgresql')).toEqual([])
    expect(checks('juju deploy -m microk8s-prod:admin/livepatch ingress')).toEqual(['app-exists'])
  })

  it('option keys must be options of the charm when its config is known', () => {
    const target: Target = {kind: 'application', model: 'maas', name: 'maas-region'}
    expect(checks('juju config -m maas maas-region ssl_cert=x', {inventory: maas, target})).toEqual(['config-key-missing'])
    expect(checks("juju config -m maas maas-region ssl_cert_content='<PEM>' --reset ssl_key", {inventory: maas, target})).toEqual(['config-key-missing'])
    expect(checks('juju config -m maas maas-region ssl_cert_content="$(cat cert.pem)" --reset ssl_key_content,maas_url trust=false', {inventory: maas, target})).toEqual([])
  })

  it('revoke, disable-command, remove-relation: access levels, command sets, existing relations', () => {
    expect(checks('juju revoke -c microk8s-prod ci-bot owner livepatch')).toEqual(['permission'])
    expect(checks('juju revoke -c microk8s-prod ci-bot superuser livepatch')).toEqual(['positional-count'])
    expect(checks('juju revoke -c microk8s-prod ci-bot write admin/livepatch')).toEqual([])
    expect(checks('juju disable-command -m microk8s-prod:admin/livepatch remove-objects "frozen"')).toEqual(['command-set'])
    expect(checks('juju remove-relation -m lxd-prod:admin/landscape haproxy postgresql', {inventory: landscape, target: LANDSCAPE_MODEL})).toEqual(['relation-missing'])
    expect(checks('juju remove-relation -m lxd-prod:admin/landscape haproxy landscape-server', {inventory: landscape, target: LANDSCAPE_MODEL})).toEqual([])
  })

  it('a fix that grants trust creates a JUJU-TRUST finding', () => {
    expect(checks('juju deploy -m microk8s-prod:admin/livepatch opentelemetry-collector-k8s --trust')).toEqual(['fix-adds-finding'])
    expect(checks('juju trust -m microk8s-prod:admin/livepatch livepatch --scope=cluster')).toEqual(['fix-adds-finding'])
    expect(checks('juju trust -m microk8s-prod:admin/livepatch livepatch --remove')).toEqual([])
  })
})

describe('kubectl', () => {
  it('unknown subcommand and flag, wrong --type', () => {
    expect(checks('kubectl -n livepatch restart statefulset/livepatch')).toEqual(['unknown-subcommand'])
    expect(checks('kubectl -n livepatch patch service livepatch --patch-type merge -p \'{"spec":{}}\'')).toEqual(['unknown-flag'])
    expect(checks('kubectl -n livepatch patch service livepatch --type=merger -p \'{"spec":{}}\'')).toEqual(['flag-value'])
  })

  it('namespaces and objects must be valid and, when read, exist', () => {
    expect(checks('kubectl -n livepatch_k8s rollout restart statefulset/livepatch')).toEqual(['kube-namespace'])
    expect(checks('kubectl -n livepatch rollout restart statefulset/pgbouncer')).toEqual(['kube-object-missing'])
    expect(checks('kubectl rollout restart statefulset/livepatch')).toEqual(['kube-namespace'])
    expect(checks('kubectl -n livepatch rollout restart service/livepatch')).toEqual(['kube-type'])
    expect(checks('kubectl -n livepatch rollout restart statefulset/livepatch')).toEqual([])
  })

  it('patch bodies must parse and give a valid object', () => {
    expect(checks("kubectl -n livepatch patch service livepatch -p '{\"spec\":{\"type\":\"ClusterIP\"}'")).toEqual(['kube-patch'])
    expect(checks("kubectl -n livepatch patch service livepatch -p '{\"spec\":{\"ports\":\"443\"}}'")).toEqual(['kube-patch'])
    expect(checks('kubectl -n livepatch patch service livepatch')).toEqual(['flag-value'])
    expect(checks("kubectl -n livepatch patch service livepatch -p '{\"spec\":{\"type\":\"ClusterIP\"}}'")).toEqual([])
  })

  it('echoed manifests are validated as Kubernetes objects', () => {
    const policy = (o: object) => `echo '${JSON.stringify(o)}' | kubectl apply -f -`
    const good = {apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: {name: 'deny', namespace: 'livepatch'}, spec: {podSelector: {}, policyTypes: ['Ingress']}}
    expect(checks(policy(good))).toEqual([])
    expect(checks(policy({...good, apiVersion: 'v1'}))).toEqual(['kube-manifest'])
    expect(checks(policy({...good, spec: {policyTypes: ['Ingress']}}))).toEqual(['kube-manifest'])
    expect(checks(policy({...good, metadata: {name: 'deny'}}))).toEqual(['kube-namespace'])
    expect(checks('kubectl -n livepatch apply -f -')).toEqual(['kube-manifest'])
  })

  it('label keys and an existing label without --overwrite', () => {
    expect(checks('kubectl label namespace livepatch model.juju.is/name=other')).toEqual(['kube-label-overwrite'])
    expect(checks('kubectl label namespace livepatch model.juju.is/name=other --overwrite')).toEqual([])
    expect(checks('kubectl label namespace livepatch pod-security.kubernetes.io/enforce=base_line!')).toEqual(['kube-label'])
    expect(checks('kubectl label namespace livepatch pod-security.kubernetes.io/enforce=baseline')).toEqual([])
  })

  it('deleting what Juju manages', () => {
    const violations = check('kubectl -n livepatch delete rolebinding postgresql')
    expect(violations.map((v) => v.check)).toEqual(['juju-managed'])
    expect(violations[0]!.problem).toContain('juju trust postgresql --remove')
  })
})

describe('hardenctl, against its own manifest', () => {
  it('passes a command it has with flags it takes, and a namespace the estate has', () => {
    expect(checks('hardenctl reconcile -n livepatch   # writes the allows before the deny')).toEqual([])
    expect(checks('hardenctl netpol matrix --plan --from estate/')).toEqual([])
  })

  it('names an unknown command, an unknown or valueless flag, and a namespace not read', () => {
    expect(checks('hardenctl reconsile -n livepatch')).toEqual(['unknown-subcommand'])
    expect(checks('hardenctl reconcile --namespaces livepatch')).toEqual(['unknown-flag'])
    expect(checks('hardenctl reconcile -x livepatch')).toEqual(['unknown-flag'])
    expect(checks('hardenctl reconcile -n')).toEqual(['flag-value'])
    expect(checks('hardenctl reconcile -n nowhere')).toEqual(['kube-object-missing'])
  })
})

describe('the remediation as a whole', () => {
  it('prose alone only for rules no command can fix', () => {
    expect(checks('Use a charm revision that runs as non-root.', {rule: 'JUJU-CHARM-USER'})).toEqual([])
    expect(checks('Restrict the service to the admin networks.', {rule: 'LIVEPATCH-ADMIN-API'})).toEqual(['prose-only'])
  })

  it('a command Juju 4 removed is refused for a model that runs Juju 4', async () => {
    const juju4 = (await loadInventory({from: [join(REPO, 'examples/livepatch-k8s')]})).inventory
    for (const model of juju4.models.values()) model.version = '4.0.10'
    const command = 'juju set-application-base -m microk8s-prod:admin/livepatch livepatch ubuntu@24.04'
    expect(checks(command, {inventory: juju4})).toEqual(['removed-in-juju-4'])
    expect(checks(command)).toEqual([])
    // Flags Juju 4 took out of commands it kept.
    const series = 'juju deploy -m microk8s-prod:admin/livepatch postgresql-k8s --series jammy --channel 14/stable'
    expect(checks(series, {inventory: juju4})).toEqual(['removed-in-juju-4'])
    expect(checks(series)).toEqual([])
    expect(checks('juju deploy -m microk8s-prod:admin/livepatch postgresql-k8s --base ubuntu@22.04 --channel 14/stable', {inventory: juju4})).toEqual([])
    // Juju 4's status filters nothing on the server: no application selector.
    expect(checks('juju status -m microk8s-prod:admin/livepatch ingress --relations', {inventory: juju4})).toEqual(['removed-in-juju-4'])
    expect(checks('juju status -m microk8s-prod:admin/livepatch ingress --relations')).toEqual([])
    expect(checks('juju status -m microk8s-prod:admin/livepatch --relations', {inventory: juju4})).toEqual([])
  })

  it('review findings are pre-deploy: no commands against a running model', () => {
    expect(checks('juju unexpose -m admin/livepatch ingress', {mode: 'review'})).toEqual(['review-post-deploy'])
    expect(checks('Remove `expose: true` from application ingress (bundle.yaml line 12).', {mode: 'review', rule: 'JUJU-EXPOSED'})).toEqual([])
    // Reads that need no deployment: Charmhub's view of a charm, the controller's offers (COS's).
    expect(checks('`juju info postgresql` lists its tracks', {mode: 'review'})).toEqual([])
    expect(checks('use the URL `juju find-offers --interface prometheus_remote_write` shows', {mode: 'review'})).toEqual([])
  })

  it('each violation names the command and what is wrong with it', () => {
    const [violation] = check('juju unexpose -m microk8s-prod:admin/livepatch ingres')
    expect(violation).toEqual({check: 'app-missing', command: 'juju unexpose -m microk8s-prod:admin/livepatch ingres', problem: expect.stringContaining('ingres is not an application of model livepatch')})
  })
})

describe('steps several fixes share, for the check across one audit', () => {
  it('a deploy behind a show-application probe of the same application runs only where it is missing', () => {
    const [guarded] = stepsOf('juju show-application -m m vault || juju deploy -m m vault --channel 1.8/stable && juju integrate -m m db:certificates vault:certificates   # note')
    expect(guarded).toEqual({kind: 'deploy', model: 'm', subject: 'vault', guarded: true, followed: true, command: 'juju deploy -m m vault --channel 1.8/stable'})
    // Another application probed, another model, or no probe: the deploy runs every time.
    expect(stepsOf('juju show-application -m m lego || juju deploy -m m vault')[0]?.guarded).toBe(false)
    expect(stepsOf('juju show-application -m other vault || juju deploy -m m vault')[0]?.guarded).toBe(false)
    expect(stepsOf('juju deploy -m m self-signed-certificates ca && juju integrate -m m db ca')[0]).toMatchObject({subject: 'ca', guarded: false})
    // A deploy named only in the comment is an alternative, not a step.
    expect(stepsOf('juju integrate -m m db ca   # or: `juju deploy -m m lego`').map((s) => s.kind)).toEqual(['integrate'])
  })

  it('reports a deploy two fixes make unguarded, and a relation two fixes add where one has commands after it', () => {
    const twice = sharedStepProblems([
      {label: 'A db', remediation: 'juju deploy -m m ca && juju integrate -m m db ca'},
      {label: 'B mq', remediation: 'juju deploy -m m ca && juju integrate -m m mq ca'},
    ])
    expect(twice).toEqual([expect.stringContaining('deploy m ca: in 2 fixes, the second unguarded deploy fails')])
    const guarded = 'juju show-application -m m ca || juju deploy -m m ca && juju integrate -m m '
    expect(sharedStepProblems([{label: 'A', remediation: `${guarded}db ca`}, {label: 'B', remediation: `${guarded}mq ca`}])).toEqual([])
    // The same relation last in both fixes: the second run's error changes nothing. Before a restart: the restart is skipped.
    expect(sharedStepProblems([{label: 'A', remediation: 'juju integrate -m m db ca'}, {label: 'B', remediation: 'juju integrate -m m ca db'}])).toEqual([])
    // A guard after another command: that command's failure would run the deploy anyway.
    expect(sharedStepProblems([{label: 'A', remediation: 'juju deploy -m m web && juju show-application -m m ca || juju deploy -m m ca'}])).toEqual([
      expect.stringContaining('misplaced-guard m ca: the show-application guard follows other commands of its line'),
    ])
    expect(sharedStepProblems([{label: 'A', remediation: 'juju integrate -m m db ca'}, {label: 'B', remediation: 'juju integrate -m m ca db && juju config -m m db tls=on'}])).toEqual([
      expect.stringContaining('integrate m ca db: in 2 fixes, the second integrate fails'),
    ])
  })
})
