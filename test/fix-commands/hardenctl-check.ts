/**
 * `hardenctl` commands in a fix, checked against the CLI's own manifest (oclif.manifest.json, which
 * the build writes and the CLI loads): the command exists, each flag is one it takes, long or
 * short, with a value where it takes one, and a namespace given with `-n` is one the estate has.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import type {CommandContext} from './context.js'
import {REPO} from './inputs.js'
import {namespaceArg} from './kubectl-check.js'
import type {Word} from './shell.js'

interface ManifestFlag {
  name: string
  char?: string
  type: 'boolean' | 'option'
}

let commands: Record<string, {flags: Record<string, ManifestFlag>}> | undefined

function manifestCommands(): Record<string, {flags: Record<string, ManifestFlag>}> {
  commands ??= (JSON.parse(readFileSync(join(REPO, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {flags: Record<string, ManifestFlag>}>}).commands
  return commands
}

export function checkHardenctl(words: readonly Word[], ctx: CommandContext): void {
  const values = words.map((word) => word.value)
  const firstFlag = values.findIndex((value) => value.startsWith('-'))
  const topics = values.slice(0, firstFlag === -1 ? values.length : firstFlag)
  // Topics are spaced on the command line (`netpol matrix`) and joined by ':' in the manifest.
  let id: string | undefined
  for (let length = topics.length; length > 0 && id === undefined; length--) {
    const candidate = topics.slice(0, length).join(':')
    if (manifestCommands()[candidate]) id = candidate
  }
  if (id === undefined) {
    ctx.report('unknown-subcommand', `"hardenctl ${topics.join(' ')}" is not a hardenctl command`)
    return
  }
  const flags = Object.values(manifestCommands()[id]!.flags)
  const command = id.replaceAll(':', ' ')
  for (let i = firstFlag === -1 ? values.length : firstFlag; i < values.length; i++) {
    const value = values[i]!
    if (!value.startsWith('-')) continue
    const [spelled, inline] = value.split('=', 2) as [string, string | undefined]
    const flag = spelled.startsWith('--') ? flags.find((f) => f.name === spelled.slice(2)) : flags.find((f) => f.char === spelled.slice(1))
    if (!flag) {
      ctx.report('unknown-flag', `hardenctl ${command} has no flag ${spelled}`)
      continue
    }
    if (flag.type === 'boolean') continue
    const argument = inline ?? values[++i]
    if (argument === undefined || argument.startsWith('-')) {
      ctx.report('flag-value', `hardenctl ${command} ${spelled} needs a value`)
      continue
    }
    if (flag.name === 'namespace') namespaceArg(ctx, argument)
  }
}
