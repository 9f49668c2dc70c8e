/**
 * Every fix command in every finding, for every input the repository holds (examples, corpus,
 * valid fixtures, test/real-world when present), checked against the real syntax of Juju 3.x and
 * kubectl and against the inventory the finding came from (test/fix-commands/: the checker, its
 * syntax tables with their sources, and its own unit tests).
 */
import {buildInventory} from '../src/inventory/build.js'
import {ALL_RULES} from '../src/rules/catalog.js'
import {afterAll, describe, expect, it} from 'vitest'

import {checkFinding, checkRemediation, type Violation} from './fix-commands/check.js'
import {sharedStepProblems} from './fix-commands/shared-steps.js'
import {type AuditedInput, auditInput, removeTemporaryInputs, repositoryInputs} from './fix-commands/inputs.js'

interface Found {
  where: string
  rule: string
  target: string
  violation: Violation
}

async function auditEverything(): Promise<{audited: AuditedInput[]; refused: string[]}> {
  const {inputs} = await repositoryInputs()
  const audited: AuditedInput[] = []
  const refused: string[] = []
  for (const input of inputs) {
    const result = await auditInput(input)
    audited.push(...result.results)
    if (result.refused) refused.push(input.name)
  }
  return {audited, refused}
}

function describeFound(found: Found[]): string {
  return found
    .map((f) => `${f.rule} ${f.target} (${f.where}): \`${f.violation.command}\`\n    ${f.violation.check}: ${f.violation.problem}`)
    .join('\n')
}

describe('fix commands', () => {
  let everything: Promise<{audited: AuditedInput[]; refused: string[]}> | undefined
  const audit = () => (everything ??= auditEverything())
  afterAll(removeTemporaryInputs)

  it('every input the repository holds is audited, and bundles and charms are reviewed', async () => {
    const {audited, refused} = await audit()
    const names = new Set(audited.map((a) => a.input.name))
    expect(names.size).toBeGreaterThanOrEqual(30)
    expect([...names]).toEqual(expect.arrayContaining(['examples/livepatch-k8s', 'examples/landscape-machines', 'test/corpus/bundles/livepatch-k8s-operator__bundle__bundle.yaml']))
    expect(audited.some((a) => a.mode === 'review')).toBe(true)
    expect(audited.reduce((n, a) => n + a.findings.length, 0)).toBeGreaterThan(100)
    // Only fixtures of bad input are refused (and, under test/real-world, files that are not inputs).
    expect(refused.filter((name) => !name.startsWith('test/real-world/') && !name.startsWith('test/fixtures/'))).toEqual([])
    expect(refused).toEqual(expect.arrayContaining(['test/fixtures/bad-input/malformed.json', 'test/fixtures/kubernetes/bad-containers.json']))
  })

  // Each violation names the command and what is wrong with it (issue 11's list of them is in git history: VIOLATIONS.md, removed once every one was fixed).
  it('every command in every finding runs as written: real syntax, names that exist', async () => {
    const {audited} = await audit()
    const found: Found[] = []
    for (const {input, mode, findings, inventory, policy} of audited) {
      for (const finding of findings) {
        for (const violation of checkFinding(finding, {inventory, policy, mode})) {
          found.push({where: `${mode} ${input.name}`, rule: finding.rule, target: `${finding.target.kind} ${finding.target.name}`, violation})
        }
      }
    }
    expect(describeFound(found), `${found.length} problems in fix commands`).toBe('')
  })

  // Each finding's fix is run on its own, in any order: a step two fixes share (a provider deployed, a relation added)
  // must not fail the second time and stop what that fix's `&&` chain does next.
  it('the fixes of one audit can each be run as printed, in any order: no shared step fails the second time', async () => {
    const {audited} = await audit()
    const found: string[] = []
    for (const {input, mode, findings} of audited) {
      const problems = sharedStepProblems(findings.map((f) => ({label: `${f.rule} ${f.target.name}`, remediation: f.remediation})))
      for (const problem of problems) found.push(`${mode} ${input.name}: ${problem}`)
    }
    expect(found.join('\n'), `${found.length} shared steps that fail when every fix is run`).toBe('')
  })

  // A rule's own remediation text is shown by `hardenctl rules` and used when a finding has no exact command.
  it("every rule's default remediation holds commands that parse", () => {
    const inventory = buildInventory([], {files: [], locators: new Map()})
    const found: Found[] = []
    for (const rule of ALL_RULES) {
      const estate = {inventory, mode: 'audit' as const, target: {kind: 'model', name: 'MODEL'}}
      // The catalog text describes the fix in general; prose is fine there, commands must still parse.
      for (const violation of checkRemediation(rule.remediation, estate, rule.id).filter((v) => v.check !== 'prose-only')) {
        found.push({where: 'catalog', rule: rule.id, target: '(default remediation)', violation})
      }
    }
    expect(describeFound(found)).toBe('')
  })
})
