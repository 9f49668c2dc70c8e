/**
 * The real-world corpus (test/real-world/, see its README): public Juju files, and for each case the
 * findings a Juju reviewer would accept, written by hand before the tool was run on them. Each case
 * runs the whole audit and compares (rule, target, severity, file, line) exactly: a missing finding
 * and an extra finding both fail, with the difference listed.
 */
import {readdirSync} from 'node:fs'
import {copyFile, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {parse, stringify} from 'yaml'
import {z} from 'zod'

import {runAudit} from '../src/audit/run-audit.js'
import type {Finding} from '../src/findings/types.js'
import {findingDifference, type ReportedFinding} from './helpers/finding-difference.js'

const CORPUS = new URL('./real-world/', import.meta.url).pathname
const EXPECTED = join(CORPUS, 'expected')
const NOW = new Date('2026-11-23T00:00:00Z')

/**
 * Relation passwords in the show-unit fixtures (a throw-away LXD test deployment): whatever the tool
 * does with those files, none of these may appear in what it reports.
 */
const FIXTURE_SECRETS = [
  'R8Uq7ec71jGUF20RiJjvAVlFGvFkMDoY',
  'NxUqfnhuaxNGPHVPjOJD4zWpv1yZLF1z',
  'ffE2s04EmaesrrQy98E4fN2R83WNFvBs',
  'z0vAlPc7cg5la5Fzl1IVOF4c1B0vu4qv',
  '0WQGb9Eyyp3NT26vIkK9JCLNS3pDKxdr',
  // The unit and machine agents' password hashes in the dump-model (Juju 2.1 test model).
  'Il/M2+WlhkUA5zASHj+QvE66',
  'bynwWY8+0lUvTpNwjeKI0JUl',
  // The line standing in for the dump-model's cloud-credential client-key: no credential attribute may be printed.
  'REDACTED-FOR-THE-HARDENCTL-CORPUS',
]

const expectedFindingSchema = z.strictObject({
  rule: z.string(),
  /** `<kind>/<name>`; `model/*` accepts any model name. */
  target: z.string().regex(/^[^/]+\/.+$/),
  severity: z.enum(['critical', 'high', 'medium', 'low', 'info']),
  /** Relative to test/real-world/. */
  file: z.string(),
  /** The line, or the lines any of which is acceptable. */
  line: z.union([z.number().int().positive(), z.array(z.number().int().positive()).min(1)]),
  /** Documentation only: where in the document the line is. */
  at: z.string().optional(),
})

const caseSchema = z
  .strictObject({
    inputs: z.array(z.union([z.string(), z.strictObject({directory: z.record(z.string(), z.string())})])).min(1),
    /** A hardenctl.yaml for this case, inline: written to a temporary file and passed as the policy. */
    policy: z.record(z.string(), z.unknown()).optional(),
    findings: z.array(expectedFindingSchema).optional(),
    /** Each entry: substrings one warning must contain. */
    warnings: z.array(z.array(z.string()).min(1)).optional(),
    /** Substrings the refusal must contain, instead of findings. */
    error: z.array(z.string()).min(1).optional(),
    notes: z.string().optional(),
  })
  .refine((c) => (c.findings === undefined) !== (c.error === undefined), {error: 'a case has either findings or error'})

type Case = z.infer<typeof caseSchema>
type ExpectedFinding = z.infer<typeof expectedFindingSchema>

type ActualFinding = ReportedFinding

const temporary: string[] = []
afterEach(async () => {
  await Promise.all(temporary.splice(0).map((dir) => rm(dir, {recursive: true, force: true})))
})

/** The case's inline policy as a temporary hardenctl.yaml, or undefined (the guides' defaults). */
async function preparePolicy(policy: Case['policy']): Promise<string | undefined> {
  if (policy === undefined) return undefined
  const dir = await mkdtemp(join(tmpdir(), 'hardenctl-real-world-policy-'))
  temporary.push(dir)
  const file = join(dir, 'hardenctl.yaml')
  await writeFile(file, stringify(policy))
  return file
}

/** The `--from` paths for a case, and a map from temporary files back to their corpus names. */
async function prepareInputs(inputs: Case['inputs']): Promise<{from: string[]; aliases: Map<string, string>}> {
  const from: string[] = []
  const aliases = new Map<string, string>()
  for (const input of inputs) {
    if (typeof input === 'string') {
      from.push(join(CORPUS, input))
      continue
    }
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-real-world-'))
    temporary.push(dir)
    for (const [name, corpusFile] of Object.entries(input.directory)) {
      await copyFile(join(CORPUS, corpusFile), join(dir, name))
      aliases.set(join(dir, name), corpusFile)
    }
    from.push(dir)
  }
  return {from, aliases}
}

function corpusName(file: string | undefined, aliases: Map<string, string>): string {
  if (file === undefined) return '(no location)'
  return aliases.get(file) ?? (file.startsWith(CORPUS) ? relative(CORPUS, file) : file)
}

function toActual(finding: Finding, aliases: Map<string, string>): ActualFinding {
  return {
    rule: finding.rule,
    target: `${finding.target.kind}/${finding.target.name}`,
    severity: finding.severity,
    file: corpusName(finding.location?.file, aliases),
    line: finding.location?.line,
  }
}

function matches(expected: ExpectedFinding, actual: ActualFinding): boolean {
  const lines = Array.isArray(expected.line) ? expected.line : [expected.line]
  const target = expected.target === 'model/*' ? actual.target.startsWith('model/') : actual.target === expected.target
  return (
    expected.rule === actual.rule &&
    target &&
    expected.severity === actual.severity &&
    expected.file === actual.file &&
    actual.line !== undefined &&
    lines.includes(actual.line)
  )
}

function describeExpected(f: ExpectedFinding): string {
  const line = Array.isArray(f.line) ? f.line.join('|') : String(f.line)
  return `${f.rule} ${f.target} ${f.severity} ${f.file}:${line}${f.at ? `  (${f.at})` : ''}`
}

function describeActual(f: ActualFinding): string {
  return `${f.rule} ${f.target} ${f.severity} ${f.file}:${f.line ?? '?'}`
}

/**
 * Pairs expected and reported findings one to one, the most precise expectations first (a single
 * line and a named target) so a looser one cannot take a finding a precise one needs.
 */
function difference(expected: ExpectedFinding[], actual: ActualFinding[]): string {
  return findingDifference(expected, actual, {
    looseness: (f) => (Array.isArray(f.line) ? 1 : 0) + (f.target.endsWith('/*') ? 1 : 0),
    matches,
    describeExpected,
    describeActual,
  })
}

/**
 * Whether a message says all of these. Directories are dropped from the paths it names first, so the
 * corpus folder a file sits in (`templates/`) cannot say a word the message itself does not.
 */
function includesAll(text: string, substrings: string[]): boolean {
  const lower = text.replace(/(?:[\w.@~+-]*\/)+(?=[\w.@~+-])/g, '').toLowerCase()
  return substrings.every((s) => lower.includes(s.toLowerCase()))
}

function assertNoFixtureSecret(text: string): void {
  const leaked = FIXTURE_SECRETS.filter((secret) => text.includes(secret))
  expect(leaked, 'a secret from the corpus reached the output').toEqual([])
}

async function runCase(name: string): Promise<void> {
  const expected = caseSchema.parse(parse(await readFile(join(EXPECTED, name), 'utf8')))
  const {from, aliases} = await prepareInputs(expected.inputs)
  const policyFile = await preparePolicy(expected.policy)

  let result: Awaited<ReturnType<typeof runAudit>> | undefined
  let refusal: Error | undefined
  try {
    result = await runAudit({from, toolVersion: 'test', now: NOW, policyFile})
  } catch (error) {
    refusal = error as Error
  }

  if (expected.error) {
    const findings = result ? result.report.findings.map((f) => describeActual(toActual(f, aliases))).join('\n  ') : ''
    expect(refusal, `the audit should refuse this input (${expected.error.join(', ')}), but it ran and reported:\n  ${findings || '(nothing)'}`).toBeDefined()
    assertNoFixtureSecret(refusal!.message)
    expect(includesAll(refusal!.message, expected.error), `the refusal should say ${expected.error.map((s) => `"${s}"`).join(' and ')}; it said:\n  ${refusal!.message}`).toBe(true)
    return
  }

  if (refusal) {
    assertNoFixtureSecret(refusal.message)
    throw new Error(`the audit refused the input: ${refusal.message}`)
  }
  const {report, warnings} = result!
  assertNoFixtureSecret(JSON.stringify(report) + warnings.join('\n'))
  for (const want of expected.warnings ?? []) {
    expect(
      warnings.some((warning) => includesAll(warning, want)),
      `expected a warning saying ${want.map((s) => `"${s}"`).join(' and ')}; warnings were:\n  ${warnings.join('\n  ') || '(none)'}`,
    ).toBe(true)
  }
  expect(difference(expected.findings ?? [], report.findings.map((f) => toActual(f, aliases)))).toBe('')
}

describe('real-world corpus', () => {
  const cases = readdirSync(EXPECTED).filter((file) => file.endsWith('.yaml')).sort()

  it('has a case for every corpus file', async () => {
    const used = new Set<string>()
    for (const name of cases) {
      const expected = caseSchema.parse(parse(await readFile(join(EXPECTED, name), 'utf8')))
      for (const input of expected.inputs) {
        for (const file of typeof input === 'string' ? [input] : Object.values(input.directory)) used.add(file)
      }
    }
    // Every folder of the corpus but expected/ itself: a new kind of input is covered as soon as it lands.
    const folders = readdirSync(CORPUS, {withFileTypes: true}).filter((entry) => entry.isDirectory() && entry.name !== 'expected')
    const corpus = folders.flatMap((folder) => readdirSync(join(CORPUS, folder.name)).map((file) => `${folder.name}/${file}`))
    expect(corpus.filter((file) => !used.has(file))).toEqual([])
  })

  for (const name of cases) {
    it(name.replace(/\.yaml$/, ''), () => runCase(name))
  }
})
