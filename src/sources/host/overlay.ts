/**
 * `.hardenctl-host.json` at the top of a collected host root: the modes and owners of the files
 * the collection stat'ed on the machine (a collected root is written by whoever runs hardenctl,
 * who cannot give files their real owners). Validated like every input.
 */
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {z} from 'zod'

export const HOST_OVERLAY_FILE = '.hardenctl-host.json'

const overlaySchema = z.strictObject({
  apiVersion: z.literal('hardenctl.io/v1'),
  kind: z.literal('HostCollection'),
  /** The machine it was collected from (a snapshot's hosts/MODEL/MACHINE/ names it by this). */
  machine: z.strictObject({controller: z.string().min(1), model: z.string().min(1), name: z.string().min(1)}).optional(),
  stats: z.record(z.string().startsWith('/'), z.strictObject({mode: z.number().int().min(0).max(0o7777), uid: z.number().int().min(0), gid: z.number().int().min(0)})),
})

export type HostOverlay = z.infer<typeof overlaySchema>

/** A collected host root (snapshot hosts/MODEL/MACHINE/): a directory walk of --from leaves it to the host readers. */
export async function isCollectedHostRoot(dir: string): Promise<boolean> {
  try {
    await readFile(join(dir, HOST_OVERLAY_FILE))
    return true
  } catch {
    return false
  }
}

/** The overlay of a root, or undefined when it has none; a bad one is a warning. */
export async function readOverlay(dir: string, shown: string, warnings: string[]): Promise<HostOverlay | undefined> {
  let text: string
  try {
    text = await readFile(join(dir, HOST_OVERLAY_FILE), 'utf8')
  } catch {
    return undefined
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    warnings.push(`${shown}: not JSON; file owners and modes come from the files themselves`)
    return undefined
  }
  const parsed = overlaySchema.safeParse(data)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const problem = issue.code === 'invalid_key' ? 'expected a host path starting with /' : issue.message
    warnings.push(`${shown} at ${issue.path.join('.') || '(top level)'}: ${problem}; file owners and modes come from the files themselves`)
    return undefined
  }
  return parsed.data
}
