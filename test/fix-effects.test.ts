/**
 * The fixes findings print do what they say, for every input the repository holds and the
 * real-world cases: fix-commands.test.ts checks that the commands run as printed; this checks that
 * running them fixes what they were printed for.
 * - Every fix whose command line is kubectl (`patch`, `label`, a manifest piped to `apply`,
 *   `delete`) or `hardenctl reconcile -n NS`, done to a copy of the inputs (fix-effects/kubectl-operations.ts; patches and labels
 *   by the real kubectl, a workload's pods as its rollout would replace them): the copy audited
 *   again no longer has the finding.
 * - Every fix whose command line is `juju` commands, run against the inventory by a model of what
 *   each command does (fix-effects/juju-simulator.ts, with bash's `&&`, `||` and `;`): the rule run
 *   again no longer reports the target.
 * Where a fix says to list networks under `exposure.allow` as well, the policy gets them.
 */
import {copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {parse, stringify} from 'yaml'
import {afterAll, describe, expect, it} from 'vitest'

import {runAudit} from '../src/audit/run-audit.js'
import {buildInventory} from '../src/inventory/build.js'
import type {Finding} from '../src/findings/types.js'
import type {Inventory, Model} from '../src/inventory/types.js'
import {loadPolicy} from '../src/policy/load.js'
import {readFileSources} from '../src/sources/files.js'
import {ALL_RULES} from '../src/rules/catalog.js'
import {evaluateRules} from '../src/rules/engine.js'
import {extractCommands} from './fix-commands/extract.js'
import {auditInput, REPO, removeTemporaryInputs, repositoryInputs} from './fix-commands/inputs.js'
import type {Word} from './fix-commands/shell.js'
import {copyInputs} from './fix-effects/input-copy.js'
import {NotSimulated, simulateJuju} from './fix-effects/juju-simulator.js'
import {applyOperation, type KubectlOperation, kubectlOperations} from './fix-effects/kubectl-operations.js'
import {ADMIN_CIDRS} from './fix-effects/placeholders.js'

const NOW = new Date('2026-11-23T00:00:00Z')

/** A fix that narrows a Service to networks the policy does not name yet says to list them too. */
const LIST_UNDER_ALLOW = /then list the same networks under exposure\.allow\["([^"]+)"\] in hardenctl\.yaml/

/** An audit as a user runs it: what to read, and the policy. */
interface AuditCase {
  where: string
  from: string[]
  policyFile: string | undefined
}

interface Outcome {
  where: string
  finding: Finding
  problem?: string
  /** A first step that did its part: the rule now asks for the next one. */
  staged?: true
}

const temporary: string[] = []
afterAll(async () => {
  await Promise.all(temporary.splice(0).map((dir) => rm(dir, {recursive: true, force: true})))
  await removeTemporaryInputs()
})

async function temporaryDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  temporary.push(dir)
  return dir
}

const sameTarget = (a: Finding, b: Finding) =>
  a.rule === b.rule && a.target.kind === b.target.kind && a.target.name === b.target.name && a.target.namespace === b.target.namespace && a.target.model === b.target.model

function describeProblems(outcomes: Outcome[]): string {
  return outcomes
    .filter((o) => o.problem)
    .map((o) => `${o.where}: ${o.finding.rule} ${o.finding.target.kind}/${o.finding.target.model ?? o.finding.target.namespace ?? ''}/${o.finding.target.name}: ${o.problem}\n    fix: ${o.finding.remediation}`)
    .join('\n')
}

// ---------------------------------------------------------------- the cases

let everyCase: Promise<{audit: AuditCase; findings: Finding[]}[]> | undefined

/** Every input the repository holds, as fix-commands.test.ts audits it (no policy), and the real-world cases with their policies. */
function allCases(): Promise<{audit: AuditCase; findings: Finding[]}[]> {
  everyCase ??= (async () => {
    const cases: {audit: AuditCase; findings: Finding[]}[] = []
    for (const input of (await repositoryInputs()).inputs) {
      const {results} = await auditInput(input)
      for (const audited of results.filter((r) => r.mode === 'audit')) cases.push({audit: {where: input.name, from: [input.path], policyFile: undefined}, findings: audited.findings})
    }
    for (const audit of await realWorldCases()) cases.push({audit, findings: (await runAudit({...audit, toolVersion: 'test', now: NOW})).report.findings})
    return cases
  })()
  return everyCase
}

/**
 * The real-world corpus's cases (test/real-world/expected/), with their policies: most of its
 * Kubernetes files are audited only in the namespaces a case's policy names.
 */
async function realWorldCases(): Promise<AuditCase[]> {
  const root = join(REPO, 'test/real-world')
  const cases: AuditCase[] = []
  for (const name of (await readdir(join(root, 'expected'))).sort()) {
    const spec = parse(await readFile(join(root, 'expected', name), 'utf8')) as {inputs: (string | {directory: Record<string, string>})[]; policy?: unknown; error?: unknown}
    if (spec.error !== undefined) continue
    const from: string[] = []
    for (const input of spec.inputs) {
      if (typeof input === 'string') {
        from.push(join(root, input))
        continue
      }
      const dir = await temporaryDir('hardenctl-fix-effect-case-')
      for (const [file, source] of Object.entries(input.directory)) {
        await mkdir(join(dir, file, '..'), {recursive: true})
        await copyFile(join(root, source), join(dir, file))
      }
      from.push(dir)
    }
    let policyFile: string | undefined
    if (spec.policy !== undefined) {
      policyFile = join(await temporaryDir('hardenctl-fix-effect-policy-'), 'hardenctl.yaml')
      await writeFile(policyFile, stringify(spec.policy))
    }
    cases.push({where: `test/real-world/expected/${name}`, from, policyFile})
  }
  return cases
}

// ---------------------------------------------------------------- kubectl

/** Does the fix's kubectl steps to a copy of the case's inputs, takes the policy step it names, and audits the copy again. */
async function runKubectlFix(audit: AuditCase, finding: Finding, operations: KubectlOperation[]): Promise<Outcome> {
  const {where} = audit
  const dir = await temporaryDir('hardenctl-fix-effect-')
  const copy = await copyInputs(audit.from, dir)
  for (const operation of operations) {
    let problem: string | undefined
    try {
      problem = await applyOperation(copy, operation, {policyFile: audit.policyFile, now: NOW})
    } catch (error) {
      problem = `kubectl refused it: ${(error as {stderr?: Buffer}).stderr?.toString().trim() ?? String(error)}`
    }
    if (problem) return {where, finding, problem}
  }
  await copy.save()
  const policyFile = await policyAfterFix(audit, finding.remediation ?? '', dir)
  const again = await runAudit({from: copy.paths, toolVersion: 'test', now: NOW, policyFile})
  return outcomeAfterFix(where, finding, again.report.findings.find((f) => sameTarget(f, finding)))
}

/** The case's policy with what the fix says to add to it (the networks a Service was narrowed to), or the policy as it was. */
async function policyAfterFix(audit: AuditCase, remediation: string, dir: string): Promise<string | undefined> {
  const key = LIST_UNDER_ALLOW.exec(remediation)?.[1]
  if (key === undefined) return audit.policyFile
  const policy = (audit.policyFile ? parse(await readFile(audit.policyFile, 'utf8')) : {apiVersion: 'hardenctl.io/v1'}) as {exposure?: {allow?: Record<string, string[]>}}
  policy.exposure = {...policy.exposure, allow: {...policy.exposure?.allow, [key]: [ADMIN_CIDRS]}}
  const file = join(dir, 'hardenctl.yaml')
  await writeFile(file, stringify(policy))
  return file
}

// ---------------------------------------------------------------- juju

type JujuSegment = {words: Word[]; separator: string}

/** The fix's command line when every command on it is `juju`; undefined otherwise. */
function jujuLine(remediation: string): JujuSegment[] | undefined {
  const line = extractCommands(remediation).runs.find((run) => run.origin === 'line')
  if (!line || line.segments.length === 0) return undefined
  if (!line.segments.every((segment) => segment.words[0]?.value === 'juju' && !segment.words[0].quoted)) return undefined
  return line.segments.map((segment) => ({words: segment.words.slice(1), separator: segment.separator}))
}

function modelOfFinding(inventory: Inventory, finding: Finding): Model | undefined {
  const models = [...inventory.models.values()]
  return models.find((m) => m.name === finding.target.model && (finding.target.controller === undefined || m.controller === finding.target.controller)) ?? (models.length === 1 ? models[0] : undefined)
}

/** Each case's inputs read once: a fix gets an inventory of its own, built from a copy of what they contribute. */
const readOnce = new Map<AuditCase, Promise<Awaited<ReturnType<typeof readFileSources>>>>()

async function freshInventory(audit: AuditCase): Promise<Inventory> {
  let read = readOnce.get(audit)
  if (!read) readOnce.set(audit, (read = readFileSources(audit.from)))
  const sources = await read
  return buildInventory(structuredClone(sources.contributions), {files: sources.files, locators: sources.locators})
}

/** Runs the fix's juju commands as bash would (`a || b && c` is `(a || b) && c`) and the finding's rule again. */
async function runJujuFix(audit: AuditCase, finding: Finding, segments: JujuSegment[]): Promise<Outcome | NotSimulated> {
  const inventory = await freshInventory(audit)
  const {policy} = await loadPolicy(audit.policyFile)
  const model = modelOfFinding(inventory, finding)
  try {
    let ok = true
    let previous = ';'
    for (const segment of segments) {
      if (previous === ';' || (previous === '&&' && ok) || (previous === '||' && !ok)) ok = simulateJuju(segment.words, inventory, model)
      previous = segment.separator
    }
    if (!ok) return {where: audit.where, finding, problem: 'a command of the fix fails'}
  } catch (error) {
    if (error instanceof NotSimulated) return error
    throw error
  }
  // The step a fix names besides its commands: networks narrowed to ADMIN-CIDRS listed under exposure.allow.
  const remediation = finding.remediation ?? ''
  if (/exposure\.allow/.test(remediation) && remediation.includes('ADMIN-CIDRS') && finding.target.kind === 'application') policy.exposure.allow[finding.target.name] = [ADMIN_CIDRS]
  const rule = ALL_RULES.find((r) => r.id === finding.rule)
  if (!rule) throw new Error(`no rule ${finding.rule}`)
  return outcomeAfterFix(audit.where, finding, evaluateRules([rule], inventory, policy, {now: NOW}).findings.find((f) => sameTarget(f.finding, finding))?.finding)
}

/** Settled when the rule no longer reports the target; a fix in stages when the rule then asks for the next step. */
function outcomeAfterFix(where: string, finding: Finding, left: Finding | undefined): Outcome {
  if (!left) return {where, finding}
  // A fix in stages (a newer base first, then the collector; reconcile's policies, then the ingress's allowlist) has done its part when the rule then asks for the next step.
  const remediation = finding.remediation ?? ''
  if (STAGED.test(remediation)) {
    return left.remediation !== remediation ? {where, finding, staged: true} : {where, finding, problem: 'its first step leaves the rule asking for the same step again'}
  }
  return {where, finding, problem: `still reported after the fix: ${left.message}`}
}

/** A fix whose note says what comes first and what then: it settles its finding only with the later steps. */
const STAGED = /\bfirst\b[^#]*;\s*then\b/

// ---------------------------------------------------------------- the tests

describe('fix effects', () => {
  it('every fix made of kubectl steps, done to a copy of the inputs, clears the finding it was printed for', async () => {
    const outcomes: Outcome[] = []
    for (const {audit, findings} of await allCases()) {
      for (const finding of findings) {
        const operations = kubectlOperations(finding.remediation ?? '')
        if (operations) outcomes.push(await runKubectlFix(audit, finding, operations))
      }
    }
    console.log(`${outcomes.length} kubectl fixes applied (${outcomes.filter((o) => o.staged).length} of them a first step); ${outcomes.filter((o) => o.problem).length} problems`)
    expect(outcomes.length).toBeGreaterThan(40)
    expect(describeProblems(outcomes)).toBe('')
  }, 240_000)

  it('every fix made of juju commands, run against the inventory, leaves the rule nothing to report on its target', async () => {
    const outcomes: Outcome[] = []
    const notSimulated = new Map<string, number>()
    for (const {audit, findings} of await allCases()) {
      for (const finding of findings) {
        const segments = jujuLine(finding.remediation ?? '')
        if (!segments) continue
        const outcome = await runJujuFix(audit, finding, segments)
        if (!(outcome instanceof NotSimulated)) outcomes.push(outcome)
        else notSimulated.set(outcome.message.split(':')[0]!, (notSimulated.get(outcome.message.split(':')[0]!) ?? 0) + 1)
      }
    }
    console.log(`${outcomes.length} juju fixes simulated (${outcomes.filter((o) => o.staged).length} of them a first step); ${outcomes.filter((o) => o.problem).length} problems; not simulated: ${JSON.stringify(Object.fromEntries(notSimulated))}`)
    expect(outcomes.length).toBeGreaterThan(500)
    expect(describeProblems(outcomes)).toBe('')
  }, 240_000)
})
