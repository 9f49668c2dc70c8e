/**
 * A parsed input file: its data plus a way back from a path inside the data to the line and
 * column it came from. Every source (files, and the live sources through their documents) hands
 * the inventory `SourceRef`s; only what arrived as text (files, exported bundles) has positions.
 */

/** A path inside a parsed document, e.g. `['applications', 'haproxy', 'expose']`. */
export type DataPath = readonly (string | number)[]

export interface Position {
  line: number
  column: number
}

/** Where an inventory entity came from. `file` is undefined for live sources. */
export interface SourceRef {
  file?: string
  /** Index of the YAML document inside a multi-document file (bundles with overlays). */
  document?: number
  path: DataPath
}

export interface Location {
  file: string
  line?: number
  column?: number
}

/** Resolves a data path to a position; implementations build their index lazily. */
export interface Locator {
  locate(document: number, path: DataPath): Position | undefined
  /**
   * Drops what `locate` built (the text read again, its indexes) once a batch of lookups is done;
   * a later `locate` builds them again. Without it, a big file's text stays for the whole run.
   */
  release?(): void
}

export function formatPath(path: DataPath): string {
  if (path.length === 0) return '(top level)'
  let out = ''
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`
    else if (/^[A-Za-z_][\w-]*$/.test(part)) out += out ? `.${part}` : part
    else out += `[${JSON.stringify(part)}]`
  }
  return out
}
