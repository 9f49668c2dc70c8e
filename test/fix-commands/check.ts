/**
 * The fix-command checker: every command in a finding's remediation, checked against the real
 * syntax of Juju 3.x, kubectl and hardenctl itself and against the inventory the finding came from.
 */
import type {Finding} from '../../src/findings/types.js'
import type {CommandContext} from './context.js'
import type {Estate} from './estate.js'
import {extractCommands} from './extract.js'
import {checkHardenctl} from './hardenctl-check.js'
import {checkJuju} from './juju-check.js'
import {checkKubectl} from './kubectl-check.js'
import {segmentText} from './shell.js'

export interface Violation {
  /** What kind of problem (`model-name`, `unknown-flag`, `app-missing`, ...). */
  check: string
  /** The command as written (or the remediation, for problems of the whole text). */
  command: string
  problem: string
}

/**
 * Rules whose findings no command can fix, so prose alone is right: the fix is a different
 * charm revision or image (who runs as root, privileged pods, host access), or depends on what
 * the error says (an unreadable part of the estate), or is an investigation (failed logins).
 */
export const PROSE_ONLY_RULES: Readonly<Record<string, string>> = {
  'JUJU-ROOT-CONTAINER': 'the uid/gid of a container come from the charm (containers.<name>.uid/gid): a charm revision, not a command',
  'JUJU-CHARM-USER': 'charm-user is set in the charm’s charmcraft.yaml: a charm revision, not a command',
  'K8S-PRIVILEGED': 'the securityContext comes from the workload’s spec (for Juju, from the charm and Juju)',
  'K8S-HOST-ACCESS': 'host namespaces and hostPath volumes come from the workload’s spec (for Juju, from the charm)',
  'INVENTORY-INCOMPLETE': 'what to fix depends on the error Juju or Kubernetes returned',
  'MAAS-LOGIN-FAILURES': 'an investigation of the source addresses comes first',
}

/**
 * Findings for which no command exists although the rule usually has one, because the charm has no
 * certificates endpoint: a database (percona-cluster) needs a migration, not a relation; a charm
 * whose key option is its only way to TLS (maas-region) keeps the key, and who reads it is the fix.
 */
function proseOnlyFinding(rule: string, evidence: Record<string, unknown> | undefined): boolean {
  const endpoints = evidence?.certificatesEndpoints
  return (rule === 'TLS-DB-PLAINTEXT' || rule === 'TLS-CONFIG-KEY') && Array.isArray(endpoints) && endpoints.length === 0
}

export function checkRemediation(remediation: string, estate: Estate, rule: string, evidence?: Record<string, unknown>): Violation[] {
  const violations: Violation[] = []
  const extracted = extractCommands(remediation)
  violations.push(...extracted.problems)
  const created = new Set<string>()
  const secrets = new Set<string>()
  let commands = 0
  let firstEstateCommand: string | undefined

  for (const run of extracted.runs) {
    run.segments.forEach((segment, index) => {
      const words = segment.words
      const program = words[0]!.value
      const command = segmentText(run.text, segment)
      const ctx: CommandContext = {estate, created, secrets, report: (check, problem) => violations.push({check, command, problem})}
      commands++
      // `juju info` asks Charmhub about a charm, `juju find-offers` the controller for the offers it
      // has (COS's, which a bundle consumes): neither needs this deployment, so review may suggest them.
      const readsWithoutDeploying = program === 'juju' && (words[1]?.value === 'info' || words[1]?.value === 'find-offers')
      if ((program === 'juju' && !readsWithoutDeploying) || program === 'kubectl') firstEstateCommand ??= command
      if (program === 'juju') checkJuju(words.slice(1), ctx)
      else if (program === 'hardenctl') checkHardenctl(words.slice(1), ctx)
      else if (program === 'kubectl') {
        const previous = run.segments[index - 1]
        checkKubectl(words.slice(1), ctx, previous?.separator === '|' ? previous.words : undefined)
      }
    })
  }

  // A trust grant the remediation itself explains, with the policy entry that allows it, is the
  // honest fix for a charm that needs trust (opentelemetry-collector-k8s), not a hidden finding.
  if (/\btrust\.allow\b/.test(remediation)) removeWhere(violations, (v) => v.check === 'fix-adds-finding')
  if (estate.mode === 'review' && firstEstateCommand) {
    violations.push({
      check: 'review-post-deploy',
      command: firstEstateCommand,
      problem: 'review is pre-deploy: nothing is deployed yet, so the fix is an edit to the bundle or charm (which key, on which line), not a command against a running model',
    })
  }
  if (commands === 0 && estate.mode === 'audit' && !PROSE_ONLY_RULES[rule] && !proseOnlyFinding(rule, evidence)) {
    violations.push({check: 'prose-only', command: remediation, problem: `${rule} can be fixed with a command, but the remediation gives none`})
  }
  return violations
}

export function checkFinding(finding: Finding, estate: Omit<Estate, 'target'>): Violation[] {
  return checkRemediation(finding.remediation, {...estate, target: finding.target}, finding.rule, finding.evidence)
}

function removeWhere<T>(items: T[], drop: (item: T) => boolean): void {
  for (let i = items.length - 1; i >= 0; i--) if (drop(items[i]!)) items.splice(i, 1)
}
