/**
 * `hardenctl reconcile --watch` against the live fakes over real sockets: the fake Juju controller
 * serving the Livepatch example's model and the loopback Kubernetes API serving its objects,
 * taking server-side applies and streaming watch events. The CLI runs in its own process; the
 * test changes the cluster while it runs and reads what a user reads. Intervals are an hour, so
 * a second pass can only come from a change; HARDENCTL_WATCH_MAX_PASSES or SIGTERM ends the run.
 */
import {type ChildProcess, spawn} from 'node:child_process'
import {join} from 'node:path'

import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {KUBERNETES_LISTS} from '../../src/sources/kubernetes-api/list.js'
import type {FakeKubernetesOptions} from '../fake-kubernetes/server.js'
import {REPO_ROOT, runCli} from '../helpers/cli.js'
import {LiveLivepatch} from '../helpers/livepatch-estate.js'

const EXAMPLE = join(REPO_ROOT, 'examples/livepatch-k8s')
const BIN = join(REPO_ROOT, 'bin/run.js')
const PASSWORD = 'reconcile-watch-admin-password'
const FIRST_PASS = '7 to create, 0 to update, 0 to delete, 0 unchanged'
/** The extra Service's port (9090) admitted to livepatch. */
const SERVICE_PORT_ADDED = '0 to create, 1 to update, 0 to delete, 6 unchanged'

const extraService = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: {name: 'metrics', namespace: 'livepatch'},
  spec: {selector: {'app.kubernetes.io/name': 'livepatch'}, ports: [{name: 'metrics', port: 9090, protocol: 'TCP'}]},
}

interface Running {
  output: {stdout: string; stderr: string}
  /** The exit code (null when killed by a signal). */
  exited: Promise<number | null>
  /** Settles once `predicate` holds, checked as output arrives. */
  until(predicate: (output: {stdout: string; stderr: string}) => boolean): Promise<void>
  child: ChildProcess
}

/** The built CLI in its own process, its output readable while it runs. */
function startCli(args: string[], env: Record<string, string>): Running {
  const childEnv: Record<string, string> = {}
  for (const [key, value] of Object.entries({...process.env, ...env})) {
    if (value !== undefined && key !== 'NO_COLOR' && key !== 'HARDENCTL_DEBUG') childEnv[key] = value
  }
  const child = spawn(process.execPath, [BIN, ...args], {cwd: REPO_ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe']})
  const output = {stdout: '', stderr: ''}
  const waiters = new Set<() => void>()
  const changed = () => {
    for (const check of [...waiters]) check()
  }
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output.stdout += chunk
    changed()
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output.stderr += chunk
    changed()
  })
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  return {
    output,
    exited,
    child,
    until(predicate) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (predicate(output)) {
            waiters.delete(check)
            resolve()
          }
        }
        waiters.add(check)
        check()
        void exited.then(() => {
          if (waiters.delete(check)) reject(new Error(`the CLI exited first:\n${output.stderr}`))
        })
      })
    },
  }
}

/** Settles once `predicate` holds, checked every few milliseconds (a condition, not a deadline). */
async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 10))
}

const occurrences = (text: string, part: string) => text.split(part).length - 1

/** One LIST (the example fits a page) and one watch of every kind a live run reads. */
function onceEach(): Record<string, number> {
  return Object.fromEntries(KUBERNETES_LISTS.flatMap((spec) => [[spec.plural, 1], [`${spec.plural}:watch`, 1]]))
}

describe('reconcile --watch against a live estate', () => {
  let live: LiveLivepatch
  const running: Running[] = []

  beforeAll(async () => {
    live = await LiveLivepatch.start('hardenctl-reconcile-watch-', PASSWORD)
  })
  afterEach(async () => {
    for (const cli of running.splice(0)) {
      cli.child.kill('SIGKILL')
      await cli.exited
    }
    await live.closeClusters()
  })
  afterAll(async () => {
    await live.close()
  })

  const cluster = (options?: FakeKubernetesOptions) => live.cluster(options)
  /** Calls made on a model's own connection (FullStatus, ExportBundle, Block.List and their logins). */
  const modelCalls = () => live.controller.calls.filter((call) => call.endpoint !== 'controller').length
  const nextCalls = () => live.controller.calls.filter((call) => call.type === 'AllModelWatcher' && call.request === 'Next').length

  /** A pass starts 1 s after a change (5 s by default) unless `env` says otherwise: the burst test keeps 5 s. */
  function watch(args: string[], env: Record<string, string>): Running {
    const cli = startCli(['reconcile', '--watch', '--interval', '1h', ...args], {HARDENCTL_WATCH_DEBOUNCE_MS: '1000', ...env})
    running.push(cli)
    return cli
  }

  it('a Service added to the cluster brings the next pass long before the interval', async () => {
    const {api, env} = await cluster()
    const nextsBefore = nextCalls()
    const cli = watch([], {...env, HARDENCTL_WATCH_MAX_PASSES: '2'})
    // The model watch has listed every entity once its second Next waits.
    await Promise.all([api.watchStarted('namespaces'), api.watchStarted('services'), until(() => nextCalls() >= nextsBefore + 2), cli.until((o) => o.stdout.includes(FIRST_PASS))])
    const modelCallsBefore = modelCalls()

    api.mutate(extraService)

    expect(await cli.exited, cli.output.stderr).toBe(0)
    // The model watch saw nothing change in Juju: the second pass asked no model anything.
    expect(modelCalls()).toBe(modelCallsBefore)
    const {stdout, stderr} = cli.output
    expect(stderr).toMatch(/^hardenctl: pass 1 \(start\) at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/m)
    expect(stderr).toMatch(/^hardenctl: pass 2 \(service livepatch\/metrics added\) at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/m)
    expect(stderr).toContain('hardenctl: pass 2: 1 Juju model not read again (the model watch saw no change in it since the last pass)\n')
    expect(stderr).not.toMatch(/warning|failed|did not converge/)
    // Two blocks, a blank line between: the first pass applies, the second admits the new Service's port.
    const [first, second, ...rest] = stdout.split(/\n(?=Namespace controller-microk8s-prod)/)
    expect(rest).toEqual([])
    expect(first).toContain(`${FIRST_PASS}: applied.\n`)
    expect(second).toContain('      +          port: 9090\n')
    expect(second).toContain(`${SERVICE_PORT_ADDED}: applied.\n`)
    // The notes (the Livepatch admin API's, among others) are printed once; the second pass counts them.
    const adminNote = 'the Livepatch admin API shares its port with the client API'
    expect(occurrences(first!, adminNote)).toBe(1)
    expect(occurrences(second!, adminNote)).toBe(0)
    const notesOf = (block: string) => /^Notes:\n((?: {2}- .*\n)+)/m.exec(block)?.[1]?.split('\n').filter(Boolean) ?? []
    expect(second).toContain(`Notes:\n  (${notesOf(first!).length} more notes, as an earlier pass had them)\n`)
    // The cluster was listed once, before the first pass, and then only watched: the second pass
    // read the Service from the watch, with no LIST at all (each kind one request, one page).
    expect(api.requestsByPlural()).toMatchObject(onceEach())
  })

  // Expected before the first run: the route added starts pass 2, which updates livepatch's
  // policy (its Gateway was not read, so every source on 8080, with the note saying why).
  it('an HTTPRoute added to the cluster brings the next pass, and its plan keeps the route open', async () => {
    const {api, env} = await cluster()
    const cli = watch([], {...env, HARDENCTL_WATCH_MAX_PASSES: '2'})
    await Promise.all([api.watchStarted('httproutes'), cli.until((o) => o.stdout.includes(FIRST_PASS))])

    api.mutate({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: {name: 'livepatch', namespace: 'livepatch'},
      spec: {parentRefs: [{name: 'edge', namespace: 'infra'}], rules: [{backendRefs: [{name: 'relation-4-livepatch-service', port: 8080}]}]},
    })

    expect(await cli.exited, cli.output.stderr).toBe(0)
    const {stdout, stderr} = cli.output
    expect(stderr).toMatch(/^hardenctl: pass 2 \(HTTPRoute livepatch\/livepatch added\) at /m)
    const [, second] = stdout.split(/\n(?=Namespace controller-microk8s-prod)/)
    expect(second).toContain('  - livepatch/livepatch: HTTPRoute livepatch routes to it through Gateway infra/edge, but Gateway infra/edge was not read, so hardenctl cannot tell who connects: livepatch admits every source on 8080/TCP')
    expect(second).toContain(`${SERVICE_PORT_ADDED}: applied.\n`)
  })

  it('a relation added in Juju brings the next pass long before the interval, and its policy admits the new peer', async () => {
    const {api, env} = await cluster()
    const nextsBefore = nextCalls()
    const cli = watch([], {...env, HARDENCTL_WATCH_MAX_PASSES: '2'})
    // The second Next waits for a change: the watch has listed every entity by then.
    await Promise.all([until(() => nextCalls() >= nextsBefore + 2), cli.until((o) => o.stdout.includes(FIRST_PASS))])
    const statusCalls = () => live.controller.calls.filter((call) => call.request === 'FullStatus').length
    const statusCallsBefore = statusCalls()

    const relate = (add: boolean) =>
      live.controller.changeEstate((estate) => {
        const apps = estate.models.find((model) => model.name === 'livepatch')!.status.applications as Record<string, {relations: Record<string, unknown[]>}>
        const end = (app: string) => ({'related-application': app, interface: 'postgresql_client', scope: 'global'})
        if (add) {
          apps.ingress!.relations.database = [end('postgresql')]
          apps.postgresql!.relations.database!.push(end('ingress'))
        } else {
          delete apps.ingress!.relations.database
          apps.postgresql!.relations.database = apps.postgresql!.relations.database!.filter((entry) => (entry as {'related-application': string})['related-application'] !== 'ingress')
        }
      })
    relate(true)
    try {
      expect(await cli.exited, cli.output.stderr).toBe(0)
    } finally {
      relate(false)
    }
    // The model that changed is read again.
    expect(statusCalls()).toBe(statusCallsBefore + 1)
    expect(cli.output.stderr).not.toContain('not read again')
    const {stdout, stderr} = cli.output
    expect(stderr).toMatch(/^hardenctl: pass 2 \(juju microk8s-prod:livepatch: relation ".*ingress:database.*" added\) at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/m)
    expect(stderr).not.toMatch(/warning|failed|did not converge/)
    const [, second] = stdout.split(/\n(?=Namespace controller-microk8s-prod)/)
    expect(second).toContain('0 to create, 2 to update, 0 to delete, 5 unchanged: applied.\n')
    expect(second).toMatch(/app\.kubernetes\.io\/name: ingress/)
    expect(api.requestsByPlural()).toMatchObject(onceEach())
  })

  it('re-lists a kind whose watch history is gone (410) and passes on what the list shows changed', async () => {
    const {api, env} = await cluster()
    const cli = watch([], {...env, HARDENCTL_WATCH_MAX_PASSES: '2'})
    await Promise.all([...KUBERNETES_LISTS.map((spec) => api.watchStarted(spec.plural)), cli.until((o) => o.stdout.includes(FIRST_PASS))])

    // Every watch ends with 410 Gone, and the Service is added before any of them could see it.
    api.endWatches('gone')
    api.mutate(extraService)

    expect(await cli.exited, cli.output.stderr).toBe(0)
    const {stdout, stderr} = cli.output
    expect(stderr).toMatch(/^hardenctl: pass 2 \(service livepatch\/metrics added\) at /m)
    expect(stderr).not.toMatch(/warning|failed|did not converge/)
    const [, second] = stdout.split(/\n(?=Namespace controller-microk8s-prod)/)
    expect(second).toContain(`${SERVICE_PORT_ADDED}: applied.\n`)
    // Each kind listed twice (the start, the 410), watched twice (before and after).
    const twice = Object.fromEntries(Object.entries(onceEach()).map(([key, count]) => [key, 2 * count]))
    expect(api.requestsByPlural()).toMatchObject(twice)
  })

  it('--resync lists every kind again on schedule; a resync that finds nothing changed starts no pass (JSON: a line per pass)', async () => {
    const {api, env} = await cluster()
    const cli = watch(['--resync', '1s', '--format', 'json'], {...env, HARDENCTL_WATCH_MAX_PASSES: '2'})
    await cli.until((o) => o.stdout.includes('\n'))
    // Resyncs come and go (each a LIST of every kind); only a real change makes the second pass.
    await until(() => (api.requestsByPlural().services ?? 0) >= 3)
    expect(cli.output.stderr).not.toContain('pass 2')
    api.mutate(extraService)

    expect(await cli.exited, cli.output.stderr).toBe(0)
    expect(cli.output.stderr).toMatch(/^hardenctl: pass 2 \(service livepatch\/metrics added\) at /m)
    const [first, second, ...rest] = cli.output.stdout.split('\n').map((line) => (line === '' ? undefined : (JSON.parse(line) as WatchPassPlan)))
    expect(rest).toEqual([undefined])
    expect(first!.actions.map((action) => action.op)).toEqual(['create', 'create', 'create', 'create', 'create', 'create', 'create', 'juju', 'juju'])
    expect(first!.unchanged).toEqual([])
    // The second pass lists its one update in full and names the six policies it left as they were.
    expect(second!.actions.filter((action) => action.op !== 'juju')).toMatchObject([
      {op: 'update', object: {metadata: {namespace: 'livepatch', name: 'hardenctl-app-livepatch'}}},
    ])
    expect(JSON.stringify(second!.actions)).toContain('"port":9090')
    expect(second!.unchanged).toHaveLength(6)
    expect(second!.unchanged).toContainEqual({namespace: 'livepatch', name: 'hardenctl-default-deny'})
    expect(second!.results).toEqual([{op: 'update', namespace: 'livepatch', name: 'hardenctl-app-livepatch', status: 'applied'}])
  })

  it('a pass reads the same estate a one-shot run does: the same plan and warnings, with the Juju side up, down or not read', async () => {
    const {env} = await cluster()
    // A controller that refuses connections: the Juju side fails, the cluster is still read.
    const down = {...env, HARDENCTL_JUJU_ENDPOINTS: '127.0.0.1:1', HARDENCTL_JUJU_USER: 'admin', HARDENCTL_JUJU_PASSWORD: PASSWORD}
    const cases = [['up', env, []], ['down', down, []], ['not read', env, ['--no-juju']]] as const
    for (const [which, variables, extra] of cases) {
      const args = ['--dry-run', '--format', 'json', ...extra]
      const oneShot = await runCli(['reconcile', ...args], {env: variables})
      const cli = watch(args, {...variables, HARDENCTL_WATCH_MAX_PASSES: '1'})
      expect(await cli.exited, cli.output.stderr).toBe(0)

      // The same plan: a watch pass prints it on one line, unchanged policies by name only.
      expect(cli.output.stdout.split('\n'), which).toEqual([expect.any(String), ''])
      expect(JSON.parse(cli.output.stdout), which).toEqual(asWatchPass(JSON.parse(oneShot.stdout) as OneShotPlan))
      const said = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('hardenctl: warning: '))
      // The watch of the controller's models says once, beside the pass, that it cannot be had.
      const watchProblem = 'hardenctl: warning: juju controller controller: cannot watch its models: cannot connect to 127.0.0.1:1: connection refused; retrying (meanwhile their changes are seen at each --interval)'
      expect(said(cli.output.stderr).filter((line) => line !== watchProblem), which).toEqual(said(oneShot.stderr))
      expect(said(cli.output.stderr).includes(watchProblem), which).toBe(which === 'down')
      if (which === 'not read') {
        expect(said(cli.output.stderr)).toEqual(['hardenctl: warning: Juju not inspected: skipped (--no-juju)'])
      } else if (which === 'up') {
        expect(oneShot.code).toBe(0)
        expect(cli.output.stderr).not.toMatch(/warning|failed|did not converge/)
      } else {
        expect(oneShot.code).toBe(3)
        expect(cli.output.stderr).toMatch(/^hardenctl: pass 1 did not converge; /m)
        // Without the Juju view, the model's namespace is left alone, in both.
        expect((JSON.parse(cli.output.stdout) as OneShotPlan).untouched).toEqual([
          {namespace: 'livepatch', why: 'incomplete-view', reason: 'no Juju model is known for it'},
        ])
      }
    }
    // Six processes, each a live collection: 7-9 s alone, more than the default 30 s when the
    // suite's browser and fix-effects tests share the two cores (it timed out so in a fresh clone).
  }, 90_000)

  it('a burst of changes is one pass; SIGTERM between passes exits 0 without another', async () => {
    const {api, env} = await cluster()
    const cli = watch([], {...env, HARDENCTL_WATCH_MAX_PASSES: '5', HARDENCTL_WATCH_DEBOUNCE_MS: '5000'})
    await Promise.all([api.watchStarted('namespaces'), api.watchStarted('services'), cli.until((o) => o.stdout.includes(FIRST_PASS))])

    api.mutate(extraService)
    const livepatch = api.objects('Namespace').find((ns) => (ns.metadata as {name: string}).name === 'livepatch')!
    const metadata = livepatch.metadata as {labels?: Record<string, string>}
    api.mutate({...livepatch, metadata: {...metadata, labels: {...metadata.labels, team: 'livepatch'}}})
    await cli.until((o) => o.stdout.includes(SERVICE_PORT_ADDED))
    cli.child.kill('SIGTERM')

    expect(await cli.exited, cli.output.stderr).toBe(0)
    const {stdout, stderr} = cli.output
    expect(stderr).toMatch(/pass 2 \((service livepatch\/metrics added|namespace livepatch changed) and 1 more change\)/)
    expect(stderr).toContain('hardenctl: SIGTERM: stopping\n')
    expect(stderr).not.toContain('pass 3')
    expect(occurrences(stdout, FIRST_PASS)).toBe(1)
    expect(occurrences(stdout, SERVICE_PORT_ADDED)).toBe(1)
  })

  it('SIGTERM during a pass lets it finish, then exits 0', async () => {
    // The first write is throttled (Retry-After: 1): the pass is still running when the signal comes.
    const {api, env} = await cluster({failWrites: [{namespace: 'livepatch', status: 429, times: 1}]})
    const cli = watch([], env)
    await until(() => api.writes().length > 0)
    cli.child.kill('SIGTERM')

    expect(await cli.exited, cli.output.stderr).toBe(0)
    expect(cli.output.stderr).toContain('hardenctl: SIGTERM: stopping after pass 1\n')
    expect(cli.output.stderr).not.toContain('pass 2')
    expect(cli.output.stdout).toContain(FIRST_PASS)
    expect(api.objects('NetworkPolicy')).toHaveLength(7)
  })

  it('a pass that fails is reported and the loop goes on', async () => {
    const {api, env} = await cluster()
    const cli = watch(['--policy', join(live.home, 'no-such-policy.yaml')], {...env, HARDENCTL_WATCH_MAX_PASSES: '2'})
    // A change before the first pass is in what that pass reads: the change is made after it.
    await Promise.all([api.watchStarted('services'), cli.until((o) => /pass 1 failed/.test(o.stderr))])
    api.remove('Service', 'livepatch', 'livepatch-endpoints')

    expect(await cli.exited, cli.output.stderr).toBe(0)
    expect(cli.output.stderr).toMatch(/^hardenctl: pass 1 failed: .*no-such-policy\.yaml/m)
    expect(cli.output.stderr).toMatch(/^hardenctl: pass 2 \(service livepatch\/livepatch-endpoints deleted\) at /m)
    expect(cli.output.stderr).toMatch(/^hardenctl: pass 2 failed: /m)
  })

  it('refuses --from (a snapshot does not change), a bad --interval or --resync, and either without --watch: exit 2, one line', async () => {
    // Independent refusals, run side by side: each is a CLI start-up (about 1.5 s of CPU).
    const intervals = ['5x', '0', '1.5m']
    const [fromSnapshot, alone, resyncAlone, badResync, ...bad] = await Promise.all([
      runCli(['reconcile', '--watch', '--dry-run', '--from', EXAMPLE]),
      runCli(['reconcile', '--interval', '5m']),
      runCli(['reconcile', '--resync', '1h']),
      runCli(['reconcile', '--watch', '--resync', '0']),
      ...intervals.map((interval) => runCli(['reconcile', '--watch', '--interval', interval])),
    ])
    expect(fromSnapshot!.code).toBe(2)
    expect(fromSnapshot!.stderr).toBe('hardenctl: --watch follows the live estate; a snapshot (--from) does not change\n')
    intervals.forEach((interval, index) => {
      expect(bad[index]!.code, interval).toBe(2)
      expect(bad[index]!.stderr).toBe(`hardenctl: --interval ${interval}: expected a duration of at least 1s such as 30s, 5m, 1h or 1h30m, or plain seconds\n`)
    })
    expect(alone!.code).toBe(2)
    expect(alone!.stderr).toBe('hardenctl: --interval needs --watch\n')
    expect(resyncAlone!.code).toBe(2)
    expect(resyncAlone!.stderr).toBe('hardenctl: --resync needs --watch\n')
    expect(badResync!.code).toBe(2)
    expect(badResync!.stderr).toBe('hardenctl: --resync 0: expected a duration of at least 1s such as 30s, 5m, 1h or 1h30m, or plain seconds\n')
  })
})

interface WatchPassPlan {
  actions: {op: string; object?: {metadata: {namespace: string; name: string}}}[]
  unchanged: {namespace: string; name: string}[]
  results: unknown[]
}

interface OneShotPlan {
  actions: {op: string; object?: {metadata: {namespace: string; name: string}}}[]
  results?: {op: string}[]
  untouched: unknown
  [key: string]: unknown
}

/** A one-shot run's JSON plan as a watch pass prints it: unchanged NetworkPolicies named in `unchanged`, not listed in `actions` or `results`. */
function asWatchPass(plan: OneShotPlan): Record<string, unknown> {
  const {actions, results, ...rest} = plan
  const unchanged = actions.filter((action) => action.op === 'unchanged')
  return {
    ...rest,
    actions: actions.filter((action) => action.op !== 'unchanged'),
    unchanged: unchanged.map(({object}) => ({namespace: object!.metadata.namespace, name: object!.metadata.name})),
    ...(results === undefined ? {} : {results: results.filter((result) => result.op !== 'unchanged')}),
  }
}
