/**
 * A document a live collector produced, named by where it sits in the snapshot layout (README
 * "Input layout"). Live audits read these through the same readers as files, and `hardenctl
 * snapshot` writes them, so a live audit and an audit of its snapshot see the same inventory.
 */
export interface SourceDocument {
  /** Path in the snapshot layout, relative, `/`-separated: `kubernetes/pods.json`, `juju/prod/models/cos/status.json`. */
  path: string
  /** The parsed content, shaped exactly like the CLI output that layout path names. */
  data: unknown
  /** Original text for documents that arrive as text (an exported bundle); snapshot writes it unchanged. */
  text?: string
}

/** Prefix of the file name findings from a live source carry, so they never look like local files. */
export const LIVE_PREFIX = 'live:'
