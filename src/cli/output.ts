import {constants} from 'node:fs'
import {access, stat, writeFile} from 'node:fs/promises'
import {dirname} from 'node:path'

import {IncompleteError, InputError} from '../errors.js'
import {type AuditReport, type RenderOptions, renderReportChunks, type ReportFormat} from '../report/index.js'
import {createStylize} from '../report/style.js'
import {summaryLine} from '../report/table.js'
import type {RuleMetadata} from '../rules/rule.js'

/** Colour only when writing to a terminal and the user has not asked for none (https://no-color.org). */
export function useColor(toFile: boolean): boolean {
  if (toFile) return false
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false
  return process.stdout.isTTY === true
}

/**
 * `-o FILE` is checked before any work: a missing directory, a directory given as the file or
 * one that cannot be written to would otherwise fail only after the whole audit ran.
 */
export async function checkOutputFile(outputFile: string | undefined): Promise<void> {
  if (outputFile === undefined) return
  if (outputFile === '') throw new InputError(undefined, '-o/--output: expected a file name')
  const existing = await stat(outputFile).catch(() => undefined)
  if (existing?.isDirectory()) throw new InputError(outputFile, '-o/--output is a directory; expected a file to write to')
  const directory = dirname(outputFile)
  const parent = await stat(directory).catch(() => undefined)
  if (!parent) throw new InputError(outputFile, `-o/--output: the directory ${directory} does not exist`)
  if (!parent.isDirectory()) throw new InputError(outputFile, `-o/--output: ${directory} is not a directory`)
  try {
    await access(existing ? outputFile : directory, constants.W_OK)
  } catch {
    throw new InputError(outputFile, `-o/--output: cannot write ${existing ? 'the file' : `in ${directory}`} (permission denied)`)
  }
}

/** Writes the rendered report to `--output FILE` or stdout. */
export async function emit(text: string, outputFile: string | undefined): Promise<void> {
  await emitChunks([text.endsWith('\n') ? text : `${text}\n`], outputFile)
}

/** Writes a report made in pieces (see `renderReportChunks`) as they come, each before the next is made. */
async function emitChunks(chunks: Iterable<string>, outputFile: string | undefined): Promise<void> {
  if (outputFile === undefined) {
    // Each piece is written before the next is made, and the run does not end with a write still
    // queued: a reader that went away (`| head`) is then seen here (BaseCommand ends with 141),
    // not after the command returned.
    for (const chunk of chunks) await new Promise<void>((resolve, reject) => process.stdout.write(chunk, (error) => (error ? reject(error) : resolve())))
    return
  }
  try {
    await writeFile(outputFile, chunks)
  } catch (error) {
    throw new IncompleteError(`cannot write ${outputFile} (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
  }
}

/**
 * The width to wrap the table to when it goes to stdout: `COLUMNS` when it is a positive number
 * (as ls and kubectl honour it), else the terminal's width. None when neither is known: a terminal
 * that reports 0 columns, or no terminal, gets unwrapped lines rather than a 40-column column.
 */
export function terminalWidth(env: NodeJS.ProcessEnv = process.env, stdout: {isTTY?: boolean; columns?: number} = process.stdout): number | undefined {
  const fromEnv = env.COLUMNS === undefined ? Number.NaN : Number(env.COLUMNS.trim())
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv
  if (stdout.isTTY === true && typeof stdout.columns === 'number' && stdout.columns > 0) return stdout.columns
  return undefined
}

/**
 * Renders an audit or review report for `--format` and writes it to `--output` or stdout: colour
 * and width only on a terminal. `fallbackArtifactUri` anchors SARIF results that have no file (GitHub
 * code scanning rejects those) to the first input. When the report goes to a file, its one-line
 * summary goes to stderr, so a CI log (or a person) sees the outcome and why the exit code is 1.
 */
export async function emitReport(
  report: AuditReport,
  rules: readonly RuleMetadata[],
  options: {
    format: ReportFormat
    output: string | undefined
    fallbackArtifactUri: string
    /** `--quiet`: only the summary line on stdout (the report still goes to `output`). */
    quiet?: boolean
    table?: RenderOptions['table']
    /** `--format html`: the page's kind and the inventory its graph is drawn from. */
    html?: RenderOptions['html']
  },
): Promise<void> {
  const toFile = options.output !== undefined
  if (options.quiet && !toFile) {
    process.stdout.write(`${summaryLine(report, createStylize(useColor(false)))}\n`)
    return
  }
  const chunks = renderReportChunks(options.format, report, rules, {
    color: useColor(toFile),
    width: toFile ? undefined : terminalWidth(),
    fallbackArtifactUri: options.fallbackArtifactUri,
    ...(options.table === undefined ? {} : {table: options.table}),
    ...(options.html === undefined ? {} : {html: options.html}),
  })
  await emitChunks(withFinalNewline(chunks), options.output)
  if (toFile) process.stderr.write(`${summaryLine(report)} · report written to ${options.output}\n`)
}

function* withFinalNewline(chunks: Iterable<string>): Generator<string> {
  let last = ''
  for (const chunk of chunks) {
    if (chunk === '') continue
    yield chunk
    last = chunk
  }
  if (!last.endsWith('\n')) yield '\n'
}
