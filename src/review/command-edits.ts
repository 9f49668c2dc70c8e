/**
 * A rule's post-deploy fix (`juju integrate A:certificates B`, `juju config APP key=value`, ...)
 * read as the bundle edit that has the same effect before deploy. The rules know which endpoint
 * and which provider a relation needs; this keeps `review` saying the same thing in bundle terms.
 */

import {DEPLOY_UNLESS_PRESENT_NOTE} from '../rules/helpers/fix-line.js'

/**
 * One change to what `juju deploy` reads (the bundle, an overlay, the charm's metadata) or to
 * hardenctl.yaml. Applications are named as in the bundle; a change names no file, since the
 * review's text says where each goes.
 */
export type BundleChange =
  | {kind: 'add-relation'; ends: [string, string]}
  | {kind: 'remove-relation'; ends: [string, string]}
  /** `units`: the key a bundle counts them by (`scale` on Kubernetes, `num_units` on machines) and how many; none for a subordinate. */
  | {kind: 'add-application'; charm: string; name?: string; channel?: string; base?: string; trust?: true; units?: {key: 'scale' | 'num_units'; count: number}}
  | {kind: 'set-options'; app: string; options: Record<string, string>}
  | {kind: 'unset-options'; app: string; options: string[]}
  | {kind: 'unexpose'; app: string}
  /**
   * These endpoints' entries of `exposed-endpoints` (none: all endpoints, `""`), in place of what
   * they had; `inOverlay`: the text says to write them in an overlay.
   */
  | {kind: 'expose-to'; app: string; endpoints: string[]; cidrs: string[]; spaces?: string[]; inOverlay?: true}
  | {kind: 'untrust'; app: string}
  | {kind: 'channel'; app: string; channel: string; charm?: string}
  /** Another charm for the application, with this channel or (none given) no channel: Charmhub's default. */
  | {kind: 'replace-charm'; app: string; charm: string; channel?: string}
  | {kind: 'base'; app: string; base: string}
  /** The user's access in the offer's acl; none: the entry removed. */
  | {kind: 'offer-access'; app: string; offer: string; user: string; access?: string}
  | {kind: 'remove-offers'; app: string; offers: string[]}
  /** A `saas` entry: another model's offer, consumed under `name`. */
  | {kind: 'add-saas'; name: string; url: string}
  /** Keys set in the charm's own metadata (metadata.yaml or charmcraft.yaml), by path. */
  | {kind: 'charm-metadata'; charm: string; set: {path: string[]; value: string | number}[]}
  /** Config options the charm declares, given `type: secret`. */
  | {kind: 'secret-options'; charm: string; options: string[]}
  /** An entry added to a list or map of hardenctl.yaml. */
  | {kind: 'policy'; entry: PolicyEntry}

export type PolicyEntry =
  | {list: 'trust.allow'; name: string}
  | {list: 'exposure.allow'; name: string; cidrs: string[]}
  | {list: 'livepatch.adminCidrs'; cidrs: string[]}

/** The `juju` commands of a remediation, as bundle changes; commands that have none are left out. */
export function bundleChanges(remediation: string): BundleChange[] {
  const changes: BundleChange[] = []
  for (const command of jujuCommands(remediation)) {
    const change = toChange(command)
    if (change) changes.push(change)
  }
  return changes
}

/**
 * What a remediation says after its commands (`   # configure lego …; mysql-k8s then refuses …`):
 * the same holds before deploy. Alternatives (`# or: juju …`) and steps against a running model
 * (`restart …: kubectl -n … rollout restart …`) are not notes for a bundle, and are left out.
 */
export function remediationNotes(remediation: string): string[] {
  const comment = /#\s*(.*)$/m.exec(remediation)?.[1]
  if (!comment) return []
  return comment
    .split(/;\s+/)
    .map((note) => note.trim())
    .filter((note) => note !== '' && note !== DEPLOY_UNLESS_PRESENT_NOTE && !/^or\b/.test(note) && !RUNS_AGAINST_A_MODEL.test(note))
}

/** A command that acts on what is deployed; `juju info` only reads Charmhub, `juju find-offers` the controller's offers. */
const RUNS_AGAINST_A_MODEL = /\b(kubectl|sudo|systemctl)\b|\bjuju (?!info\b|find-offers\b)[a-z-]+/

/** `juju …` invocations in a remediation, split into words (quotes kept together), flags included. */
function jujuCommands(remediation: string): string[][] {
  const commands: string[][] = []
  // A comment (`# or: ...`) offers alternatives, not more steps.
  const code = remediation.replace(/#.*$/gm, ' ')
  for (const match of code.matchAll(/\bjuju\s+([^;`&|]+)/g)) {
    const words = [...match[1]!.matchAll(/(?:"[^"]*"|'[^']*'|[^\s"'])+/g)].map((word) => word[0])
    // Prose after the command ("then restart ...") is not part of it.
    const end = words.findIndex((word) => /^(then|or|and)$/.test(word) || word.endsWith(','))
    commands.push(end === -1 ? words : words.slice(0, words[end]!.endsWith(',') ? end + 1 : end).map((word) => word.replace(/,$/, '')))
  }
  return commands
}

function toChange(words: string[]): BundleChange | undefined {
  const [verb, ...rest] = words
  const {positional, flags} = parseArgs(rest)
  switch (verb) {
    case 'integrate':
    case 'relate':
      return positional.length >= 2 ? {kind: 'add-relation', ends: [positional[0]!, positional[1]!]} : undefined
    case 'remove-relation':
      return positional.length >= 2 ? {kind: 'remove-relation', ends: [positional[0]!, positional[1]!]} : undefined
    case 'deploy': {
      // What the deploy pins carries into the bundle: a track (vault's 1.8 speaks another protocol than its latest), a base, trust.
      if (!positional[0]) return undefined
      const channel = flags.get('--channel')
      const base = flags.get('--base')
      // `juju deploy CHARM NAME`: the application's name, when not the charm's.
      const name = positional[1] !== undefined && positional[1] !== positional[0] ? {name: positional[1]} : {}
      return {kind: 'add-application', charm: positional[0], ...name, ...(channel ? {channel} : {}), ...(base ? {base} : {}), ...(flags.has('--trust') ? {trust: true as const} : {})}
    }
    case 'unexpose':
      return positional[0] ? {kind: 'unexpose', app: positional[0]} : undefined
    case 'consume': {
      // `juju consume URL [NAME]`: the saas entry is named after the offer unless NAME is given.
      const url = positional[0]
      if (!url) return undefined
      return {kind: 'add-saas', url, name: positional[1] ?? url.slice(url.lastIndexOf('.') + 1)}
    }
    case 'expose': {
      const app = positional[0]
      if (!app) return undefined
      const spaces = splitList(flags.get('--to-spaces'))
      return {kind: 'expose-to', app, endpoints: splitList(flags.get('--endpoints')), cidrs: splitList(flags.get('--to-cidrs')), ...(spaces.length > 0 ? {spaces} : {})}
    }
    case 'trust':
      return positional[0] && flags.has('--remove') ? {kind: 'untrust', app: positional[0]} : undefined
    case 'refresh': {
      const app = positional[0]
      const channel = flags.get('--channel')
      if (!app || !channel) return undefined
      const charm = flags.get('--switch')
      return {kind: 'channel', app, channel, ...(charm ? {charm} : {})}
    }
    case 'set-application-base':
      return positional.length >= 2 ? {kind: 'base', app: positional[0]!, base: positional[1]!} : undefined
    case 'config': {
      const [app, ...settings] = positional
      if (!app) return undefined
      const reset = flags.get('--reset')
      if (reset) return {kind: 'unset-options', app, options: splitList(reset)}
      const options = Object.fromEntries(settings.filter((s) => s.includes('=')).map((s) => [s.slice(0, s.indexOf('=')), unquote(s.slice(s.indexOf('=') + 1))]))
      // `trust` is application config, not a charm option.
      if (options.trust === 'false') return {kind: 'untrust', app}
      return Object.keys(options).length > 0 ? {kind: 'set-options', app, options} : undefined
    }
    default:
      return undefined
  }
}

const VALUE_FLAGS = new Set(['-m', '--model', '-c', '--controller', '--channel', '--switch', '--endpoints', '--to-cidrs', '--to-spaces', '--reset', '--scope', '--base'])

function parseArgs(words: string[]): {positional: string[]; flags: Map<string, string>} {
  const positional: string[] = []
  const flags = new Map<string, string>()
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!
    if (word.startsWith('-')) {
      const eq = word.indexOf('=')
      if (eq !== -1) flags.set(word.slice(0, eq), word.slice(eq + 1))
      else if (VALUE_FLAGS.has(word)) flags.set(word, words[++i] ?? '')
      else flags.set(word, '')
    } else positional.push(word)
  }
  return {positional, flags}
}

function splitList(value: string | undefined): string[] {
  return value ? value.split(',').filter(Boolean) : []
}

function unquote(value: string): string {
  return /^(["']).*\1$/.test(value) ? value.slice(1, -1) : value
}
