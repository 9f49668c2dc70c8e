/**
 * The steps of a remediation's command line that must not run twice, for the check across one
 * audit's findings: a user who runs the fix of each finding in turn, in any order, must not meet
 * an error half-way through one.
 * - `juju deploy` fails for an application the model already has ("application already exists"),
 *   so a deploy two fixes share must be guarded by a probe for the application
 *   (`juju show-application -m M APP || juju deploy -m M CHARM ...`), which runs it only where it is missing.
 * - `juju integrate` fails for a relation the model already has (cmd/juju/application/integrate.go:
 *   `params.IsCodeAlreadyExists` is returned as an error), which is harmless as a fix's last
 *   command (the relation is there) but stops whatever its `&&` chain does next.
 * `juju consume` needs no guard: consuming an offer again under the same name reuses the SAAS
 * application already there (apiserver/facades/client/application, saveRemoteApplication:
 * "If a remote application with the same name and endpoints from the same source model already
 * exists, we will use that one").
 */
import {extractCommands} from './extract.js'
import {flagValues, jujuCommand, parseJuju} from './juju-syntax.js'
import type {Segment, Word} from './shell.js'

export interface Step {
  /** `misplaced-guard`: a show-application probe after other commands of its `&&` chain. */
  kind: 'deploy' | 'integrate' | 'misplaced-guard'
  /** The -m value as written, or '' for the current model. */
  model: string
  /** The application deployed, or the two ends of the relation in sorted order. */
  subject: string
  /** A deploy run only when `juju show-application` of the same application failed just before. */
  guarded: boolean
  /** Commands of the same line run after it (and are skipped if it fails). */
  followed: boolean
  command: string
}

export function stepsOf(remediation: string): Step[] {
  const steps: Step[] = []
  // Commands in comments are alternatives, not steps: only the command line itself is run.
  for (const run of extractCommands(remediation).runs.filter((r) => r.origin === 'line')) {
    run.segments.forEach((segment, index) => {
      const command = run.text.slice(segment.start, segment.end).trim()
      const followed = index < run.segments.length - 1
      const deployed = jujuArguments(segment.words, 'deploy')
      if (deployed) {
        const [charm, name] = deployed.positionals
        if (charm === undefined) return
        const application = name ?? charm.replace(/^(ch|local):/, '').replace(/\.charm$/, '').split('/').at(-1)!
        const previous: Segment | undefined = run.segments[index - 1]
        const probe = previous?.separator === '||' ? jujuArguments(previous.words, 'show-application') : undefined
        const guarded = probe !== undefined && probe.positionals[0] === application && probe.model === deployed.model
        // `a && b && probe || deploy` deploys whenever a or b failed: a guard works only at the head of its line.
        if (guarded && index - 1 > 0) steps.push({kind: 'misplaced-guard', model: deployed.model, subject: application, guarded, followed, command})
        steps.push({kind: 'deploy', model: deployed.model, subject: application, guarded, followed, command})
        return
      }
      const integrated = jujuArguments(segment.words, 'integrate')
      if (integrated && integrated.positionals.length === 2) {
        steps.push({kind: 'integrate', model: integrated.model, subject: [...integrated.positionals].sort().join(' '), guarded: false, followed, command})
      }
    })
  }
  return steps
}

function jujuArguments(words: readonly Word[], subcommand: string): {model: string; positionals: string[]} | undefined {
  if (words[0]?.value !== 'juju') return undefined
  const spec = jujuCommand(words[1]?.value ?? '')
  if (spec?.name !== subcommand) return undefined
  const parsed = parseJuju(spec, words.slice(2))
  return {model: flagValues(parsed, 'm', 'model').at(-1) ?? '', positionals: parsed.positionals.map((w) => w.value)}
}

/** What goes wrong when every fix of one audit is run: each problem names the step and the fixes that share it. */
export function sharedStepProblems(fixes: readonly {label: string; remediation: string}[]): string[] {
  const byStep = new Map<string, {step: Step; label: string}[]>()
  for (const {label, remediation} of fixes) {
    for (const step of stepsOf(remediation)) {
      const key = `${step.kind} ${step.model} ${step.subject}`
      byStep.set(key, [...(byStep.get(key) ?? []), {step, label}])
    }
  }
  const problems: string[] = []
  for (const [key, uses] of byStep) {
    if (uses[0]!.step.kind === 'misplaced-guard') {
      problems.push(`${key}: the show-application guard follows other commands of its line, so their failure runs the deploy anyway (bash reads \`a && probe || deploy\` as \`(a && probe) || deploy\`): ${uses.map(({label}) => label).join(', ')}`)
      continue
    }
    if (uses.length < 2) continue
    const failing = uses.filter(({step}) => (step.kind === 'deploy' ? !step.guarded : step.followed))
    if (failing.length === 0) continue
    const why = uses[0]!.step.kind === 'deploy' ? 'the second unguarded deploy fails ("application already exists")' : 'the second integrate fails ("already exists") and stops the commands after it'
    problems.push(`${key}: in ${uses.length} fixes, ${why}:\n    ${uses.map(({step, label}) => `${label}: \`${step.command}\``).join('\n    ')}`)
  }
  return problems
}
