/**
 * oclif's `command_not_found` hook: an unknown command is one `hardenctl:` line naming the closest
 * commands, exit 127, as juju and kubectl answer. (oclif's not-found plugin, which this replaces,
 * cannot be configured: its warning and error use oclif's own prefixes, and on a terminal it
 * offers to run its guess.)
 */
import type {Hook} from '@oclif/core/hooks'
import type * as Interfaces from '@oclif/core/interfaces'
import {toConfiguredId} from '@oclif/core/util/ids'

import {closestNames} from './closest.js'

const hook: Hook<'command_not_found'> = async function ({id: joined, config}) {
  const id = typedCommand(joined, config)
  const known = config.commands.filter((command) => !command.hidden).flatMap((command) => [command.id, ...command.aliases])
  const closest = closestNames(id, known).map((name) => toConfiguredId(name, config))
  const suggestion = closest.length === 0 ? '' : `; did you mean ${closest.join(' or ')}?`
  process.stderr.write(`${config.bin}: ${JSON.stringify(toConfiguredId(id, config))} is not a ${config.bin} command${suggestion} (${config.bin} --help lists the commands)\n`)
  this.exit(127)
}

export default hook

/**
 * With a space as topic separator, oclif joins the arguments into the id (`netpol explan a b 80`
 * arrives as netpol:explan:a:b:80): the command typed is the topics, then one word.
 */
function typedCommand(joined: string, config: Interfaces.Config): string {
  const words = joined.split(':')
  let topics = 0
  while (topics < words.length - 1 && config.findTopic(words.slice(0, topics + 1).join(':'))) topics++
  return words.slice(0, topics + 1).join(':')
}
