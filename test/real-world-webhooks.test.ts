/**
 * The real-world webhooks corpus (test/real-world-webhooks/, see its README): webhook
 * configurations and APIServices as Canonical charms and upstream projects ship them, in estates
 * built around them, and for each the reconcile plan expected, written by hand before hardenctl was
 * run. Each run is `hardenctl reconcile --dry-run --from ESTATE --format json` and compares the
 * `hardenctl-apiserver-*` policies, `untouched`, the API-server notes and `closes` exactly.
 */
import {readdirSync, readFileSync} from 'node:fs'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {stringify} from 'yaml'

import type {NetworkPolicyObject, ReconcilePlan} from '../src/plan/types.js'
import {runCli} from './helpers/cli.js'

const CORPUS = new URL('./real-world-webhooks/cases/', import.meta.url).pathname

interface ExpectedPolicy {
  namespace: string
  name: string
  spec: NetworkPolicyObject['spec']
}
interface ExpectedNote {
  kind: 'admitted-from-anywhere' | 'cilium'
  where: string
  callers: string[]
  on?: string
}
interface ExpectedRun {
  name: string
  why: string
  policy?: Record<string, unknown>
  apiServerPolicies: ExpectedPolicy[]
  untouched: {namespace: string; why: string; services: string[]}[]
  apiServerNotes: ExpectedNote[]
  closes: unknown[]
}

/** Runs that disagree with the tool because of a tool bug: `case/run` → the difference (see the report). */
const KNOWN_TOOL_BUGS: Record<string, string> = {}

const splitCallers = (callers: string): string[] => callers.split(/, (?=(?:Mutating|Validating)WebhookConfiguration |APIService )/).sort()

const ANYWHERE = /^(\S+): the Kubernetes API server calls it \((.*)\) from its nodes' addresses: admitted from anywhere on (.*); set networkPolicies\.apiServerCidrs to the control-plane nodes' addresses to narrow it$/
const CILIUM = /^(\S+): Cilium runs in this cluster, and its ipBlocks match node addresses only from Cilium 1\.15 with policy-cidr-match-mode: nodes; without that, the API server's calls \((.*)\) are dropped from nodes other than the webhook pod's own$/
/** A note about what the API server calls: every such note must be one the case expects. */
const ABOUT_API_SERVER = /API server|APIService|webhook/i

function parseNote(note: string): ExpectedNote | {unparsed: string} {
  const anywhere = ANYWHERE.exec(note)
  if (anywhere) return {kind: 'admitted-from-anywhere', where: anywhere[1]!, callers: splitCallers(anywhere[2]!), on: anywhere[3]!}
  const cilium = CILIUM.exec(note)
  if (cilium) return {kind: 'cilium', where: cilium[1]!, callers: splitCallers(cilium[2]!)}
  return {unparsed: note}
}

/** What the plan says about the feature, in the expectation's shape. */
function observed(plan: ReconcilePlan) {
  const policies = plan.actions
    .flatMap((action) => ('object' in action && action.object.kind === 'NetworkPolicy' ? [action.object as NetworkPolicyObject] : []))
    .filter((object) => object.metadata.name.startsWith('hardenctl-apiserver-'))
    .map((object) => ({namespace: object.metadata.namespace, name: object.metadata.name, spec: object.spec}))
    .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`))
  const untouched = plan.untouched
    .map((entry) => ({namespace: entry.namespace, why: entry.why, services: (/serve Service (.*?) here/.exec(entry.reason)?.[1] ?? '').split(', ').filter(Boolean).sort()}))
    .sort((a, b) => a.namespace.localeCompare(b.namespace))
  const notes = plan.notes.filter((note) => ABOUT_API_SERVER.test(note)).map(parseNote)
  return {policies, untouched, notes, closes: plan.closes}
}

function sortNotes<T extends ExpectedNote | {unparsed: string}>(notes: T[]): T[] {
  return [...notes].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))
}

const cases = readdirSync(CORPUS).sort()

describe('real-world webhooks: reconcile --dry-run on what charms and upstream projects ship', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hardenctl-real-world-webhooks-'))
  })
  afterAll(async () => {
    await rm(dir, {recursive: true, force: true})
  })

  it('has the cases the README lists', () => {
    expect(cases.length).toBeGreaterThanOrEqual(6)
  })

  for (const name of cases) {
    const {runs} = JSON.parse(readFileSync(join(CORPUS, name, 'expected.json'), 'utf8')) as {runs: ExpectedRun[]}
    for (const run of runs) {
      const id = `${name}/${run.name}`
      const bug = KNOWN_TOOL_BUGS[id]
      const test = bug ? it.fails : it
      test(`${id}: ${run.why}`, {timeout: 60_000}, async () => {
        const args = ['reconcile', '--dry-run', '--from', join(CORPUS, name, 'estate'), '--format', 'json']
        if (run.policy) {
          const file = join(dir, `${name}-${run.name}.yaml`)
          await writeFile(file, stringify(run.policy))
          args.push('--policy', file)
        }
        const result = await runCli(args)
        expect(result.stderr, result.stderr).not.toMatch(/Error|at .*\.js/)
        const plan = JSON.parse(result.stdout) as ReconcilePlan
        const actual = observed(plan)
        const expectedPolicies = [...run.apiServerPolicies].sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`))
        expect({
          policies: actual.policies,
          untouched: actual.untouched,
          notes: sortNotes(actual.notes),
          closes: actual.closes,
        }).toEqual({
          policies: expectedPolicies,
          untouched: [...run.untouched].map((entry) => ({...entry, services: [...entry.services].sort()})).sort((a, b) => a.namespace.localeCompare(b.namespace)),
          notes: sortNotes(run.apiServerNotes.map((note) => ({...note, callers: [...note.callers].sort()}))),
          closes: run.closes,
        })
      })
    }
  }
})
