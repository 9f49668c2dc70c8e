/**
 * Build step: bundles every command tsc wrote to `dist/commands/` with the engine and its
 * libraries (zod, yaml, …) into `dist/bundle/`, which `package.json` points oclif at.
 *
 * Why: Node 20 has no compile cache, and an unbundled `hardenctl audit` loaded about 600 files,
 * spending most of a small run resolving, reading and linking modules. The bundle is a few
 * dozen: one file per command plus the chunks the commands share (esbuild's code splitting), so
 * each command still loads only what it imports, and the live path's `import()`s stay lazy.
 *
 * Left outside the bundle: @oclif/core (bin/run.js and oclif's plugins must share one copy), and
 * the live path's client libraries (loaded only by a live run, from node_modules as installed).
 * It is built from tsc's output, so the bundle runs the JavaScript the type checker saw.
 */
import {readdir, rm} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {build} from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..')
const commandsDir = join(root, 'dist/commands')
const outdir = join(root, 'dist/bundle')

const entryPoints = (await readdir(commandsDir, {recursive: true}))
  .filter((path) => path.endsWith('.js'))
  .map((path) => join(commandsDir, path))

await rm(outdir, {force: true, recursive: true})
await build({
  absWorkingDir: root,
  // CommonJS libraries inside an ES module bundle call require() for Node's built-ins.
  banner: {js: "import {createRequire as createRequireForBundle} from 'node:module'; const require = createRequireForBundle(import.meta.url);"},
  bundle: true,
  chunkNames: 'chunks/[name]-[hash]',
  entryNames: 'commands/[dir]/[name]',
  entryPoints,
  external: ['@oclif/core', '@kubernetes/client-node', '@canonical/jujulib'],
  format: 'esm',
  logLevel: 'warning',
  // jsonc-parser's "main" is a UMD build whose require() of its own parts a bundler cannot follow.
  mainFields: ['module', 'main'],
  outbase: commandsDir,
  outdir,
  platform: 'node',
  sourcemap: 'linked',
  splitting: true,
  target: 'node20',
})
