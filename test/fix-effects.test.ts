/**
 * The fixes findings print do what they say, for every input the repository holds and the
 * real-world cases: fix-commands.test.ts checks that the commands run as printed; this checks that
 * running them fixes what they were printed for.
 * - Every `kubectl patch`, applied by the real kubectl (`patch --local`, the merge the API server
 *   does) to the object as the input holds it, and to that workload's pods as its rollout would
 *   replace them: the input audited again no longer has the finding.
 * - Every fix whose command line is `juju` commands, run against the inventory by a model of what
 *   each command does (fix-effects/juju-simulator.ts, with bash's `&&`, `||` and `;`): the rule run
 *   again no longer reports the target.
 */
import {copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {basename, join} from 'node:path'

import {parse, parseAllDocuments, stringify} from 'yaml'
import {afterAll, describe, expect, it} from 'vitest'

import {loadInventory, runAudit} from '../src/audit/run-audit.js'
import type {Finding} from '../src/findings/types.js'
import type {Inventory, Model} from '../src/inventory/types.js'
import {loadPolicy} from '../src/policy/load.js'
import {ALL_RULES} from '../src/rules/catalog.js'
import {evaluateRules} from '../src/rules/engine.js'
import {extractCommands} from './fix-commands/extract.js'
import {NotSimulated, PLACEHOLDER_VALUES, simulateJuju} from './fix-effects/juju-simulator.js'
import {auditInput, REPO, removeTemporaryInputs, repositoryInputs} from './fix-commands/inputs.js'
import {kubectlPatchLocal, type PrintedPatch, printedPatch, printedPatches} from './helpers/kubectl-patch.js'

const NOW = new Date('2026-11-23T00:00:00Z')

interface KubeObject {
  apiVersion?: string
  kind: string
  metadata: {name: string; namespace?: string; ownerReferences?: {kind: string; name: string}[]}
  spec?: Record<string, unknown>
}

/** A file of the input with its documents, and where in them each Kubernetes object sits. */
interface InputFile {
  path: string
  format: 'json' | 'yaml'
  documents: unknown[]
}

const temporary: string[] = []
afterAll(async () => {
  await Promise.all(temporary.splice(0).map((dir) => rm(dir, {recursive: true, force: true})))
  await removeTemporaryInputs()
})

function isKubeObject(value: unknown): value is KubeObject {
  const v = value as KubeObject | null
  return typeof v === 'object' && v !== null && typeof v.kind === 'string' && typeof v.apiVersion === 'string' && typeof v.metadata?.name === 'string'
}

async function readInputFile(path: string): Promise<InputFile | undefined> {
  const text = await readFile(path, 'utf8')
  if (path.endsWith('.json')) {
    try {
      return {path, format: 'json', documents: [JSON.parse(text) as unknown]}
    } catch {
      return undefined
    }
  }
  const documents = parseAllDocuments(text)
  if (!Array.isArray(documents) || documents.some((d) => d.errors.length > 0)) return undefined
  return {path, format: 'yaml', documents: documents.map((d) => d.toJS() as unknown)}
}

/** Each Kubernetes object of a file, in place: a document, or an item of a List document. */
function objectsOf(file: InputFile): {object: KubeObject; replace: (next: KubeObject) => void}[] {
  const out: {object: KubeObject; replace: (next: KubeObject) => void}[] = []
  file.documents.forEach((document, index) => {
    const items = (document as {items?: unknown} | null)?.items
    if (Array.isArray(items) && typeof (document as {kind?: unknown}).kind === 'string' && /List$/.test((document as {kind: string}).kind)) {
      items.forEach((item, i) => {
        if (isKubeObject(item)) out.push({object: item, replace: (next) => (items[i] = next)})
      })
    } else if (isKubeObject(document)) {
      out.push({object: document, replace: (next) => (file.documents[index] = next)})
    }
  })
  return out
}

async function writeInputFile(file: InputFile): Promise<void> {
  const text = file.format === 'json' ? JSON.stringify(file.documents[0], null, 2) : file.documents.map((d) => stringify(d)).join('---\n')
  await writeFile(file.path, text)
}

/** The pod spec part of a workload patch (`spec.template.spec`, a CronJob's under `jobTemplate`), as a patch of its pods. */
function podPatchBody(patch: PrintedPatch): string | undefined {
  if (patch.type !== 'strategic') return undefined
  const body = JSON.parse(patch.body) as {spec?: {template?: {spec?: unknown}; jobTemplate?: {spec?: {template?: {spec?: unknown}}}}}
  const podSpec = body.spec?.template?.spec ?? body.spec?.jobTemplate?.spec?.template?.spec
  return podSpec === undefined ? undefined : JSON.stringify({spec: podSpec})
}

/** Pods the workload runs: owned by it, or (a Deployment's) by one of its ReplicaSets. */
function ownedBy(pod: KubeObject, workload: Pick<KubeObject, 'kind' | 'metadata'>): boolean {
  if (pod.kind !== 'Pod' || (pod.metadata.namespace ?? 'default') !== workload.metadata.namespace) return false
  return (pod.metadata.ownerReferences ?? []).some(
    (owner) => (owner.kind === workload.kind && owner.name === workload.metadata.name) || (workload.kind === 'Deployment' && owner.kind === 'ReplicaSet' && owner.name.startsWith(`${workload.metadata.name}-`)),
  )
}

const sameTarget = (a: Finding, b: Finding) => a.rule === b.rule && a.target.kind === b.target.kind && a.target.name === b.target.name && a.target.namespace === b.target.namespace

interface Outcome {
  where: string
  finding: Finding
  problem?: string
}

/** An audit as a user runs it: what to read, and the policy. */
interface AuditCase {
  where: string
  from: string[]
  policyFile: string | undefined
}

/** What a fix's placeholders stand for when the test runs it: the admins' networks. */
const ADMIN_CIDRS = '192.0.2.0/24'
/** A fix that narrows a Service to networks the policy does not name yet says to list them too. */
const LIST_UNDER_ALLOW = /then list the same networks under exposure\.allow\["([^"]+)"\] in hardenctl\.yaml/

/**
 * Applies the finding's printed patches to a copy of the case's inputs (every copy of the object a
 * file holds, and the workload's pods as its rollout would replace them; only the pods when the
 * input holds them and not their workload), takes the policy step the fix names, and audits the
 * copy again.
 */
async function applyAndAudit(audit: AuditCase, finding: Finding, patches: PrintedPatch[]): Promise<Outcome> {
  const {where} = audit
  const dir = await mkdtemp(join(tmpdir(), 'hardenctl-fix-effect-'))
  temporary.push(dir)
  const copies: string[] = []
  for (const [i, path] of audit.from.entries()) {
    const copy = join(dir, String(i), basename(path))
    await mkdir(join(dir, String(i)))
    await cp(path, copy, {recursive: true})
    copies.push(copy)
  }
  const files: InputFile[] = []
  for (const copy of copies) {
    for (const path of await filesUnder(copy)) {
      const file = await readInputFile(path)
      if (file) files.push(file)
    }
  }
  const located = files.flatMap((file) => objectsOf(file).map((entry) => ({file, ...entry})))
  const changed = new Set<InputFile>()
  for (const patch of patches) {
    const body = patch.body.replaceAll('ADMIN-CIDRS', ADMIN_CIDRS)
    const named = (object: KubeObject) => object.kind === patch.kind && object.metadata.name === patch.name && (object.metadata.namespace ?? 'default') === (patch.namespace ?? 'default')
    const targets = located.filter(({object}) => named(object))
    const podBody = podPatchBody({...patch, body})
    const pods = located.filter(({object}) => podBody !== undefined && object.kind === 'Pod' && ownedBy(object, {kind: patch.kind, metadata: {name: patch.name, namespace: patch.namespace ?? 'default'}}))
    if (targets.length === 0 && pods.length === 0) return {where, finding, problem: `the input holds no ${patch.kind} ${patch.namespace ?? 'default'}/${patch.name} (nor pods of it) to patch`}
    try {
      for (const target of targets) {
        target.replace(kubectlPatchLocal(target.object, patch.type, body))
        changed.add(target.file)
      }
      for (const pod of pods) {
        pod.replace(kubectlPatchLocal(pod.object, 'strategic', podBody!))
        changed.add(pod.file)
      }
    } catch (error) {
      return {where, finding, problem: `kubectl refused the patch: ${(error as {stderr?: Buffer}).stderr?.toString().trim() ?? String(error)}`}
    }
  }
  for (const file of changed) await writeInputFile(file)
  const policyFile = await policyAfterFix(audit, finding.remediation ?? '', dir)
  const again = await runAudit({from: copies, toolVersion: 'test', now: NOW, policyFile})
  const left = again.report.findings.find((f) => sameTarget(f, finding))
  return left ? {where, finding, problem: `still reported after the patch: ${left.message}`} : {where, finding}
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

async function filesUnder(path: string): Promise<string[]> {
  if (!(await stat(path)).isDirectory()) return [path]
  const out: string[] = []
  for (const entry of await readdir(path, {withFileTypes: true})) out.push(...(await filesUnder(join(path, entry.name))))
  return out.filter((file) => /\.(ya?ml|json)$/i.test(file))
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
      const dir = await mkdtemp(join(tmpdir(), 'hardenctl-fix-effect-case-'))
      temporary.push(dir)
      for (const [file, source] of Object.entries(input.directory)) {
        await mkdir(join(dir, file, '..'), {recursive: true})
        await copyFile(join(root, source), join(dir, file))
      }
      from.push(dir)
    }
    let policyFile: string | undefined
    if (spec.policy !== undefined) {
      const dir = await mkdtemp(join(tmpdir(), 'hardenctl-fix-effect-policy-'))
      temporary.push(dir)
      policyFile = join(dir, 'hardenctl.yaml')
      await writeFile(policyFile, stringify(spec.policy))
    }
    cases.push({where: `test/real-world/expected/${name}`, from, policyFile})
  }
  return cases
}

async function findingsOf(audit: AuditCase): Promise<Finding[]> {
  return (await runAudit({from: audit.from, toolVersion: 'test', now: NOW, policyFile: audit.policyFile})).report.findings
}

describe('fix effects', () => {
  it('every printed kubectl patch, applied to the object it names (and its pods), clears the finding it was printed for', async () => {
    const cases: {audit: AuditCase; findings: Finding[]}[] = []
    // Every input the repository holds, as fix-commands.test.ts audits it (no policy)...
    for (const input of (await repositoryInputs()).inputs) {
      const {results} = await auditInput(input)
      for (const audited of results.filter((r) => r.mode === 'audit')) cases.push({audit: {where: input.name, from: [input.path], policyFile: undefined}, findings: audited.findings})
    }
    // ...and the real-world cases with the policies that bring their namespaces into scope.
    for (const audit of await realWorldCases()) cases.push({audit, findings: await findingsOf(audit)})
    const outcomes: Outcome[] = []
    for (const {audit, findings} of cases) {
      for (const finding of findings) {
        // A fix that starts with a kubectl patch: every patch of its command line runs, in order.
        if (!printedPatch(finding.remediation ?? '')) continue
        outcomes.push(await applyAndAudit(audit, finding, printedPatches(finding.remediation ?? '')))
      }
    }
    const problems = outcomes.filter((o) => o.problem)
    console.log(`${outcomes.length} printed patches applied; ${problems.length} problems`)
    expect(outcomes.length).toBeGreaterThan(10)
    expect(problems.map((o) => `${o.where}: ${o.finding.rule} ${o.finding.target.kind}/${o.finding.target.namespace}/${o.finding.target.name}: ${o.problem}\n    fix: ${o.finding.remediation}`).join('\n')).toBe('')
  }, 240_000)

  it('every fix made of juju commands, run against the inventory, leaves the rule nothing to report on its target', async () => {
    const cases = await allCases()
    const outcomes: Outcome[] = []
    const notSimulated = new Map<string, number>()
    for (const {audit, findings} of cases) {
      for (const finding of findings) {
        const segments = jujuLine(finding.remediation ?? '')
        if (!segments) continue
        const outcome = await runJujuFix(audit, finding, segments)
        if (outcome instanceof NotSimulated) notSimulated.set(outcome.message.split(':')[0]!, (notSimulated.get(outcome.message.split(':')[0]!) ?? 0) + 1)
        else outcomes.push(outcome)
      }
    }
    const problems = outcomes.filter((o) => o.problem)
    console.log(`${outcomes.length} juju fixes simulated; ${problems.length} problems; not simulated: ${JSON.stringify(Object.fromEntries(notSimulated))}`)
    expect(outcomes.length).toBeGreaterThan(100)
    expect(problems.map((o) => `${o.where}: ${o.finding.rule} ${o.finding.target.kind}/${o.finding.target.model ?? o.finding.target.namespace ?? ''}/${o.finding.target.name}: ${o.problem}\n    fix: ${o.finding.remediation}`).join('\n')).toBe('')
  }, 240_000)
})

let everyCase: Promise<{audit: AuditCase; findings: Finding[]}[]> | undefined

/** Every input the repository holds, as fix-commands.test.ts audits it (no policy), and the real-world cases with their policies. */
function allCases(): Promise<{audit: AuditCase; findings: Finding[]}[]> {
  everyCase ??= (async () => {
    const cases: {audit: AuditCase; findings: Finding[]}[] = []
    for (const input of (await repositoryInputs()).inputs) {
      const {results} = await auditInput(input)
      for (const audited of results.filter((r) => r.mode === 'audit')) cases.push({audit: {where: input.name, from: [input.path], policyFile: undefined}, findings: audited.findings})
    }
    for (const audit of await realWorldCases()) cases.push({audit, findings: await findingsOf(audit)})
    return cases
  })()
  return everyCase
}

type JujuSegment = {words: import('./fix-commands/shell.js').Word[]; separator: string}

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

/** Runs the fix's juju commands as bash would (`a || b && c` is `(a || b) && c`) and the finding's rule again. */
async function runJujuFix(audit: AuditCase, finding: Finding, segments: JujuSegment[]): Promise<Outcome | NotSimulated> {
  const {inventory} = await loadInventory({from: audit.from})
  const {policy} = await loadPolicy(audit.policyFile)
  const model = modelOfFinding(inventory, finding)
  try {
    let ok = true
    let previous = ';'
    for (const segment of segments) {
      const run = previous === ';' || (previous === '&&' && ok) || (previous === '||' && !ok)
      if (run) ok = simulateJuju(segment.words, inventory, model)
      previous = segment.separator
    }
    if (!ok) return {where: audit.where, finding, problem: 'a command of the fix fails'}
  } catch (error) {
    if (error instanceof NotSimulated) return error
    throw error
  }
  // The step a fix names besides its commands: networks narrowed to ADMIN-CIDRS listed under exposure.allow.
  const admin = PLACEHOLDER_VALUES['ADMIN-CIDRS']!
  if (/exposure\.allow/.test(finding.remediation ?? '') && (finding.remediation ?? '').includes('ADMIN-CIDRS') && finding.target.kind === 'application') {
    policy.exposure.allow[finding.target.name] = [admin]
  }
  const rule = ALL_RULES.find((r) => r.id === finding.rule)
  if (!rule) throw new Error(`no rule ${finding.rule}`)
  const again = evaluateRules([rule], inventory, policy, {now: NOW}).findings.map((f) => f.finding)
  const left = again.find((f) => sameTarget(f, finding))
  return left ? {where: audit.where, finding, problem: `still reported after the fix: ${left.message}`} : {where: audit.where, finding}
}
