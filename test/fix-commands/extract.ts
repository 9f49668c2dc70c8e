/**
 * Finds the shell commands in a remediation. A remediation is either a command line
 * (`juju unexpose -m M haproxy   # or restrict: juju expose ...`), or prose that names commands in
 * backticks or after a colon (`switch clients to https (or \`juju exec ...\`)`). Commands in a
 * `# comment` are alternatives the user may run, so they are checked too.
 *
 * In a command line every `;`/`&&`/`|`-separated part must be a command: prose there is run by
 * the shell. In prose, a command runs from its first word to the first part that is prose again.
 */
import {jujuCommand} from './juju-syntax.js'
import {KUBECTL_COMMANDS} from './kubectl-syntax.js'
import {parseShell, type Segment, segmentText, type ShellProblem} from './shell.js'

/** Programs a fix command may start with. juju and kubectl are checked against a syntax table, hardenctl against its own manifest. */
export const COMMAND_WORDS = new Set(['juju', 'kubectl', 'hardenctl', 'echo', 'sudo', 'snap', 'ufw', 'maas', 'sunbeam', 'base64', 'cat', 'openssl'])

export interface CommandRun {
  /** The text the segments' offsets refer to. */
  text: string
  /** Where it was found: a command line, a backtick span in prose, prose, or a comment. */
  origin: 'line' | 'backticks' | 'inline' | 'comment'
  segments: Segment[]
}

export interface Extracted {
  runs: CommandRun[]
  /** Shell problems in command text, and prose inside a command line. */
  problems: {check: string; command: string; problem: string}[]
}

export function extractCommands(remediation: string): Extracted {
  const out: Extracted = {runs: [], problems: []}
  const text = remediation.trim()
  if (startsWithCommand(text)) scanCommandLine(text, 'line', out)
  else scanProse(text, 'inline', out)
  return out
}

export function startsWithCommand(text: string): boolean {
  const first = /^\s*([a-z0-9-]+)/.exec(text)?.[1]
  return first !== undefined && COMMAND_WORDS.has(first)
}

function isCommandSegment(text: string, segment: Segment): boolean {
  return segment.words.length > 0 && COMMAND_WORDS.has(segment.words[0]!.value) && !segment.words[0]!.quoted && startsWithCommand(segmentText(text, segment))
}

/** A whole command line: each part must be a command. */
function scanCommandLine(text: string, origin: CommandRun['origin'], out: Extracted): void {
  const line = parseShell(text)
  const commands: Segment[] = []
  for (const segment of line.segments) {
    if (isCommandSegment(text, segment)) {
      commands.push(segment)
      continue
    }
    const prose = segmentText(text, segment)
    if (prose === '') continue
    out.problems.push({
      check: 'prose-in-command-line',
      command: text,
      problem: `"${truncate(prose)}" is not a command: in a command line the shell runs it (put explanations after "#", or write the commands in prose with backticks)`,
    })
    scanProse(prose, 'inline', out)
  }
  reportShellProblems(text, line.problems, commands, out)
  if (commands.length > 0) out.runs.push({text, origin, segments: commands})
  if (line.comment) scanProse(line.comment, 'comment', out)
}

const INLINE_START = /(^|[\s(:;,])(juju|kubectl|sudo|echo)\s+('|-[a-zA-Z-]+|[a-z][a-z-]*)/g

/** Prose: commands in backticks, and commands written inline after a word boundary. */
function scanProse(text: string, origin: 'inline' | 'comment', out: Extracted): void {
  let masked = text
  for (const span of text.matchAll(/`([^`]+)`/g)) {
    const content = span[1]!
    if (startsWithCommand(content)) scanCommandLine(content, 'backticks', out)
    masked = masked.slice(0, span.index) + ' '.repeat(span[0].length) + masked.slice(span.index! + span[0].length)
  }
  INLINE_START.lastIndex = 0
  let match: RegExpExecArray | null
  while ((match = INLINE_START.exec(masked))) {
    const [, lead = '', program, next = ''] = match
    if (program === 'juju' && !jujuCommand(next)) continue
    if (program === 'kubectl' && !next.startsWith('-') && !KUBECTL_COMMANDS.some((c) => c.name.split(' ')[0] === next)) continue
    if (program === 'echo' && next !== "'") continue
    const start = match.index + lead.length
    const line = parseShell(masked, start, {stopAtParen: true})
    const commands: Segment[] = []
    for (const segment of line.segments) {
      if (!isCommandSegment(masked, segment)) break
      commands.push(segment)
    }
    if (commands.length === 0) continue
    reportShellProblems(masked, line.problems, commands, out)
    out.runs.push({text: masked, origin, segments: commands})
    if (line.comment && commands.at(-1) === line.segments.at(-1)) scanProse(line.comment, 'comment', out)
    INLINE_START.lastIndex = Math.max(commands.at(-1)!.end, start + 1)
  }
}

function reportShellProblems(text: string, problems: ShellProblem[], commands: Segment[], out: Extracted): void {
  for (const problem of problems) {
    const segment = commands.find((s) => problem.at >= s.start && problem.at < s.end)
    if (segment) out.problems.push({check: 'shell-syntax', command: segmentText(text, segment), problem: problem.message})
  }
}

function truncate(text: string, max = 100): string {
  return text.length > max ? `${text.slice(0, max)}…` : text
}
