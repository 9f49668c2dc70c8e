import {writeFile} from 'node:fs/promises'

import {IncompleteError} from '../errors.js'
import {type AuditReport, renderReport, type ReportFormat} from '../report/index.js'
import type {RuleMetadata} from '../rules/rule.js'

/** Colour only when writing to a terminal and the user has not asked for none (https://no-color.org). */
export function useColor(toFile: boolean): boolean {
  if (toFile) return false
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false
  return process.stdout.isTTY === true
}

/** Writes the rendered report to `--output FILE` or stdout. */
export async function emit(text: string, outputFile: string | undefined): Promise<void> {
  const body = text.endsWith('\n') ? text : `${text}\n`
  if (outputFile === undefined) {
    process.stdout.write(body)
    return
  }
  try {
    await writeFile(outputFile, body)
  } catch (error) {
    throw new IncompleteError(`cannot write ${outputFile} (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
  }
}

/**
 * Renders an audit or review report for `--format` and writes it to `--output` or stdout: colour
 * and width only on a terminal. `fallbackArtifactUri` anchors SARIF results that have no file (GitHub
 * code scanning rejects those) to the first input.
 */
export async function emitReport(
  report: AuditReport,
  rules: readonly RuleMetadata[],
  options: {format: ReportFormat; output: string | undefined; fallbackArtifactUri: string},
): Promise<void> {
  const toTerminal = options.output === undefined && process.stdout.isTTY === true
  const text = renderReport(options.format, report, rules, {
    color: useColor(options.output !== undefined),
    width: toTerminal ? process.stdout.columns : undefined,
    fallbackArtifactUri: options.fallbackArtifactUri,
  })
  await emit(text, options.output)
}
