import {Command} from '@oclif/core/command'
import * as Errors from '@oclif/core/errors'
import type * as Interfaces from '@oclif/core/interfaces'

import {ExitCode, IncompleteError, InputError} from '../errors.js'
import {checkOutputFile} from './output.js'

export const EXIT_CODES_HELP = `EXIT CODES
  0  nothing at or above --fail-on (or --fail-on never)
  1  findings at or above --fail-on
  2  bad input or usage (the message names the file, the path in it and what was expected)
  3  could not complete
  141  the reader of stdout stopped reading (| head)`

/**
 * Owns error handling for every command: errors the user can fix become one line on stderr with
 * the documented exit code; a stack trace only with HARDENCTL_DEBUG=1.
 */
export abstract class BaseCommand extends Command {
  public override async init(): Promise<void> {
    await super.init()
    // `hardenctl audit --format json | head`: once the reader is gone nothing more can be said;
    // end quietly as a shell tool killed by SIGPIPE would, not with an "internal error".
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(ExitCode.outputClosed)
      throw error
    })
  }

  /** Every command's `-o/--output FILE` is checked before any work, so a bad one costs nothing. */
  // oclif's FlagOutput/ArgOutput (`{[name: string]: any}`) are not exported; these are the same.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  protected override async parse<F extends Record<string, any>, B extends Record<string, any>, A extends Record<string, any>>(
    options?: Interfaces.Input<F, B, A>,
    argv?: string[],
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    const parsed = await super.parse(options, argv)
    const output: unknown = (parsed.flags as Record<string, unknown>).output
    if (typeof output === 'string') await checkOutputFile(output)
    return parsed
  }

  protected override async catch(error: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    if (error instanceof Errors.ExitError) throw error
    if (stdoutClosed(error)) this.exit(ExitCode.outputClosed)
    const debug = process.env.HARDENCTL_DEBUG === '1'
    if (debug && error.stack) process.stderr.write(`${error.stack}\n`)
    if (error instanceof InputError || error instanceof IncompleteError) {
      this.exitWith(error.message, error.exitCode)
    }
    // oclif's own flag and argument parsing errors (CLIError subclasses) are usage errors.
    if (error.oclif?.exit !== undefined) {
      this.exitWith(usageMessage(error.message, this.id), ExitCode.badInputOrUsage)
    }
    this.exitWith(`internal error: ${firstLine(error.message)} (set HARDENCTL_DEBUG=1 for details)`, ExitCode.couldNotComplete)
  }

  /** A message of several lines (every problem of a policy) prints each with the `hardenctl: ` prefix. */
  private exitWith(message: string, code: number): never {
    for (const line of message.split('\n')) process.stderr.write(`hardenctl: ${line}\n`)
    this.exit(code)
  }
}

/**
 * oclif's parse errors span several lines ("The following error occurred:", the reasons, "See more
 * help with --help"); the reasons are what the user needs, on one line, with where to read more.
 */
export function usageMessage(message: string, commandId: string | undefined): string {
  const lines = message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^The following errors? occurred:$/.test(line) && !/^See more help with --help$/.test(line))
  // "Parsing --max-changes" then the reason: one clause, "--max-changes: reason".
  const parsing = /^Parsing (--[\w-]+)$/.exec(lines[0] ?? '')
  if (parsing && lines.length > 1) lines.splice(0, 2, `${parsing[1]}: ${lines[1]!.replace(/^./, (first) => first.toLowerCase())}`)
  const multiple = lines.find((line) => line.startsWith('Note: '))?.match(/^Note: (.*) allows? multiple values/)?.[1]
  const reasons = lines
    .filter((line) => !line.startsWith('Note: ') && !line.startsWith('Alternatively, you can use'))
    // "Missing 1 required arg:" is followed by "NAME  description".
    .reduce((out, line) => (out.endsWith(':') ? `${out} ${line.replace(/^(\S+)\s{2,}(.+)$/, '$1 ($2)')}` : out === '' ? line : `${out}; ${line}`), '')
  const hint = multiple ? `; ${multiple} take several values, so give the arguments before them (or end the flags with --)` : ''
  const help = commandId ? ` (see hardenctl ${commandId.replaceAll(':', ' ')} --help)` : ''
  return `${reasons || firstLine(message)}${hint}${help}`
}

/** EPIPE on stdout itself, not on a socket of the live path (those are the transport's to name). */
function stdoutClosed(error: Error): boolean {
  return (error as NodeJS.ErrnoException).code === 'EPIPE' && process.stdout.errored === error
}

function firstLine(message: string): string {
  return message.split('\n').find((line) => line.trim() !== '')?.trim() ?? message
}
