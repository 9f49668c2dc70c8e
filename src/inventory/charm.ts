import type {SourceRef} from '../sources/document.js'

/** What hardenctl needs from a charm's metadata (charmcraft.yaml, or metadata.yaml + config.yaml). */
export interface CharmMetadata {
  name: string
  /** Unset means Juju's default: the charm runs as root. */
  charmUser?: 'root' | 'sudoer' | 'non-root' | string
  containers: CharmContainer[]
  /** `provides`, `requires` and `peers`, flattened. */
  endpoints: CharmEndpoint[]
  /** `config.options`, when the charm's config was read. */
  options?: Record<string, CharmOption>
  assumes: string[]
  subordinate?: boolean
  /** The directory or files it was read from. */
  source: string
  refs: {charmUser?: SourceRef; containers?: SourceRef; definition: SourceRef}
}

export interface CharmContainer {
  name: string
  resource?: string
  uid?: number
  gid?: number
  ref: SourceRef
}

export interface CharmEndpoint {
  name: string
  role: 'provides' | 'requires' | 'peers'
  interface: string
  scope?: string
  optional?: boolean
  ref: SourceRef
}

export interface CharmOption {
  type?: string
  default?: unknown
  description?: string
  ref: SourceRef
}

/**
 * Merges two `charm` contributions for the same charm (say a loose metadata.yaml and a loose
 * config.yaml), the first winning where both say something. An empty list counts as "not said".
 */
export function mergeCharmMetadata(a: CharmMetadata, b: CharmMetadata): CharmMetadata {
  const merged: CharmMetadata = {
    ...a,
    containers: a.containers.length > 0 ? a.containers : b.containers,
    endpoints: [...a.endpoints, ...b.endpoints.filter((e) => !a.endpoints.some((x) => x.role === e.role && x.name === e.name))],
    assumes: a.assumes.length > 0 ? a.assumes : b.assumes,
    source: a.source === b.source ? a.source : `${a.source}, ${b.source}`,
    refs: {...b.refs, ...a.refs},
  }
  if (a.containers.length === 0 && b.refs.containers) merged.refs.containers = b.refs.containers
  if (a.charmUser === undefined && b.charmUser !== undefined) {
    merged.charmUser = b.charmUser
    if (b.refs.charmUser) merged.refs.charmUser = b.refs.charmUser
  }
  if (a.options !== undefined || b.options !== undefined) merged.options = {...b.options, ...a.options}
  if (a.subordinate === undefined && b.subordinate !== undefined) merged.subordinate = b.subordinate
  return merged
}

/**
 * The charm's name as Charmhub and its metadata know it. Readers already turn `ch:postgresql` or
 * `cs:~user/foo-12` into a name, but keep a local charm's path as written, and bundles spell
 * charms many ways: `../landscape-server_ubuntu@22.04-amd64.charm` → `landscape-server`.
 */
export function normalizeCharmName(charm: string): string {
  let name = charm.trim()
  const scheme = /^(ch|cs|local):/.exec(name)?.[1]
  if (scheme) name = name.slice(scheme.length + 1)
  if (isLocalPath(name)) {
    name = name.replace(/\/+$/, '')
    name = name.slice(name.lastIndexOf('/') + 1)
    name = name.replace(/\.charm$/, '')
    // charmcraft names packed charms NAME_BASE-ARCH.charm
    name = name.replace(/_.*$/, '')
    return name
  }
  if (scheme === 'cs' || scheme === 'local') {
    name = name.replace(/^~[^/]+\//, '').replace(/^[^/]+\//, '')
    name = name.replace(/-\d+$/, '')
  }
  return name
}

export function isLocalPath(charm: string): boolean {
  return /^(\.{1,2}\/|\/|~\/)/.test(charm) || charm.endsWith('.charm')
}

