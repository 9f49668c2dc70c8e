/**
 * Build step: writes `oclif.manifest.json` at the package root with oclif's own Plugin loader, so
 * that a run reads the command list and flags from it and imports only the command it runs.
 * Without it oclif imports every command (and all of the engine) to build the list on each run.
 * `npm run build` runs this after tsc; a manifest older than the build would hide new commands.
 */
import {writeFile} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {Plugin} from '@oclif/core'

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..')
const plugin = new Plugin({root, type: 'core', ignoreManifest: true, errorOnManifestCreate: true})
await plugin.load()
await writeFile(join(root, 'oclif.manifest.json'), `${JSON.stringify(plugin.manifest)}\n`)
