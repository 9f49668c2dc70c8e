import {writeFile} from 'node:fs/promises'

import {IncompleteError} from '../errors.js'

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
