/**
 * The applications a remediation's command line deploys, for the check across one audit's findings:
 * a user who runs the fix of each finding in turn must not meet "application already exists" because
 * two findings each deploy the same provider. A deploy guarded by a probe for the application
 * (`juju show-application -m M APP || juju deploy -m M CHARM ...`) runs only where it is missing.
 * `juju consume` needs no such guard: consuming an offer again under the same name reuses the SAAS
 * application already there (apiserver/facades/client/application, saveRemoteApplication:
 * "If a remote application with the same name and endpoints from the same source model already
 * exists, we will use that one").
 */
import {extractCommands} from './extract.js'
import {flagValues, jujuCommand, parseJuju} from './juju-syntax.js'
import type {Segment, Word} from './shell.js'

export interface Deploy {
  /** The -m value as written, or '' for the current model. */
  model: string
  application: string
  /** Run only when `juju show-application` of the same application failed just before. */
  guarded: boolean
  command: string
}

export function deploysOf(remediation: string): Deploy[] {
  const deploys: Deploy[] = []
  // Commands in comments are alternatives, not steps: only the command line itself is run.
  for (const run of extractCommands(remediation).runs.filter((r) => r.origin === 'line')) {
    run.segments.forEach((segment, index) => {
      const deployed = jujuApplication(segment.words, 'deploy')
      if (!deployed) return
      const previous: Segment | undefined = run.segments[index - 1]
      const probed = previous?.separator === '||' ? jujuApplication(previous.words, 'show-application') : undefined
      deploys.push({
        ...deployed,
        guarded: probed !== undefined && probed.application === deployed.application && probed.model === deployed.model,
        command: run.text.slice(segment.start, segment.end).trim(),
      })
    })
  }
  return deploys
}

/** For `juju deploy CHARM [NAME]` the application's name; for `juju show-application APP` the application. */
function jujuApplication(words: readonly Word[], subcommand: 'deploy' | 'show-application'): {model: string; application: string} | undefined {
  if (words[0]?.value !== 'juju' || words[1]?.value !== subcommand) return undefined
  const spec = jujuCommand(subcommand)
  if (!spec) return undefined
  const parsed = parseJuju(spec, words.slice(2))
  const [first, second] = parsed.positionals.map((w) => w.value)
  if (first === undefined) return undefined
  const application = subcommand === 'deploy' ? (second ?? first.replace(/^(ch|local):/, '').replace(/\.charm$/, '').split('/').at(-1)!) : first
  return {model: flagValues(parsed, 'm', 'model').at(-1) ?? '', application}
}
