/**
 * Charm references as bundles and `juju status` write them:
 *   `postgresql-k8s`, `ch:postgresql`, `ch:amd64/jammy/kafka-127`  → Charmhub
 *   `cs:~user/foo-12`, `cs:trusty/mysql-38`                         → the retired charm store
 *   `local:jammy/foo-3`                                             → a local charm, by name
 *   `./x.charm`, `../landscape-server_ubuntu@22.04-amd64.charm`, `/srv/charms/foo` → a local charm, by path
 * A trailing `-<digits>` is a revision: Juju charm names cannot end in a digits-only segment.
 */

export interface CharmRef {
  /** The charm name; for a local charm given by path, the path as written. */
  charm: string
  origin?: 'charmhub' | 'charmstore' | 'local'
  revision?: number
}

export function parseCharmRef(text: string): CharmRef {
  if (isPath(text)) return {charm: text, origin: 'local'}
  const colon = text.indexOf(':')
  const schema = colon === -1 ? '' : text.slice(0, colon)
  const rest = colon === -1 ? text : text.slice(colon + 1)
  const origin = schema === 'local' ? 'local' : schema === 'cs' ? 'charmstore' : schema === 'ch' || schema === '' ? 'charmhub' : undefined
  const last = rest.slice(rest.lastIndexOf('/') + 1)
  const revision = /^(.+)-(\d+)$/.exec(last)
  const ref: CharmRef = {charm: revision ? revision[1]! : last}
  if (origin) ref.origin = origin
  if (revision) ref.revision = Number(revision[2])
  return ref
}

function isPath(text: string): boolean {
  return text.startsWith('.') || text.startsWith('/') || text.startsWith('~') || text.endsWith('.charm')
}
