/**
 * Juju API answers → the documents the juju CLI prints for the same thing (`juju status
 * --format=json`, `show-model`, `users`, `offers`, `disabled-commands`). The live source writes
 * these so the file readers build the inventory, and a snapshot is a directory of ordinary CLI
 * outputs. Field names follow juju/juju `cmd/juju/status/formatter.go` and friends; times stay
 * RFC 3339 (the CLI's "2 hours ago" loses precision, and the readers accept both).
 */
import {type ApiApplication, type ApiFullStatus, type ApiMachine, type ApiModelInfo, type ApiOffer, type ApiUnit, type ApiUserInfo, apiModelQualifier} from './api-shapes.js'

type Json = Record<string, unknown>

/** Drops undefined, null, empty strings, empty arrays and empty objects, like Juju's `omitempty`. */
function omitEmpty(object: Json): Json {
  const out: Json = {}
  for (const [key, value] of Object.entries(object)) {
    if (value === undefined || value === null || value === '') continue
    if (Array.isArray(value) && value.length === 0) continue
    if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) continue
    out[key] = value
  }
  return out
}

/** The API sends `22.04/stable`; the CLI prints a stable channel as its track alone (`22.04`). */
function baseOf(base: {name: string; channel: string} | undefined): Json | undefined {
  return base ? {name: base.name, channel: base.channel.replace(/\/stable$/, '')} : undefined
}

function statusOf(status: {status?: string | undefined; info?: string | undefined; since?: string | null | undefined; version?: string | undefined} | undefined): Json | undefined {
  if (!status) return undefined
  return omitEmpty({current: status.status, message: status.info, since: status.since, version: status.version})
}

/** `cloud-microk8s` → `microk8s`; `user-admin` → `admin`; `model-<uuid>` → `<uuid>`. */
export function untag(tag: string | undefined, kind: string): string | undefined {
  if (tag === undefined) return undefined
  return tag.startsWith(`${kind}-`) ? tag.slice(kind.length + 1) : tag
}

const ORIGINS: Record<string, string> = {ch: 'charmhub', local: 'local', cs: 'charmstore'}

/** `ch:amd64/focal/alertmanager-k8s-69` → origin charmhub, name alertmanager-k8s, revision 69. */
export function parseCharmUrl(url: string): {origin?: string; name: string; revision?: number} {
  const colon = url.indexOf(':')
  const schema = colon < 0 ? undefined : url.slice(0, colon)
  const last = url.slice(colon + 1).split('/').pop() ?? url
  const match = /^(.*)-(\d+)$/.exec(last)
  const result: {origin?: string; name: string; revision?: number} = {name: match ? match[1]! : last}
  if (schema !== undefined) result.origin = ORIGINS[schema] ?? schema
  if (match) result.revision = Number(match[2])
  return result
}

export function statusDocument(status: ApiFullStatus, controller: string): Json {
  const modelType = status.model.type
  const relations = status.relations ?? []
  const relationFor = (application: string, endpoint: string, related: string) =>
    relations.find((relation) => {
      const endpoints = relation.endpoints ?? []
      const mine = endpoints.find((candidate) => candidate.application === application && candidate.name === endpoint)
      if (mine === undefined) return false
      // A peer relation has one endpoint; any other relation names the related application at its other end.
      return (related === application && endpoints.length === 1) || endpoints.some((other) => other !== mine && other.application === related)
    })
  // The list shape Juju 3.4+ prints; it carries the interface, which pairing the halves needs.
  const relationList = (application: string, map: Record<string, string[]> | null | undefined): Json | undefined => {
    if (!map) return undefined
    const out: Json = {}
    for (const [endpoint, relatedApplications] of Object.entries(map)) {
      out[endpoint] = relatedApplications.map((related) => {
        const relation = relationFor(application, endpoint, related)
        return omitEmpty({'related-application': related, interface: relation?.interface, scope: relation?.scope})
      })
    }
    return out
  }

  const applications: Json = {}
  for (const [name, app] of Object.entries(status.applications ?? {})) {
    applications[name] = applicationDocument(app, modelType, relationList(name, app.relations))
  }
  const remote: Json = {}
  for (const [name, app] of Object.entries(status['remote-applications'] ?? {})) {
    remote[name] = omitEmpty({
      url: app['offer-url'],
      endpoints: Object.fromEntries((app.endpoints ?? []).map((endpoint) => [endpoint.name, omitEmpty({interface: endpoint.interface, role: endpoint.role})])),
      'application-status': statusOf(app.status),
      relations: relationList(name, app.relations),
    })
  }
  const offers: Json = {}
  for (const [name, offer] of Object.entries(status.offers ?? {})) {
    offers[name] = omitEmpty({
      application: offer['application-name'],
      charm: offer.charm,
      endpoints: Object.fromEntries(Object.entries(offer.endpoints ?? {}).map(([alias, endpoint]) => [alias, omitEmpty({interface: endpoint.interface, role: endpoint.role})])),
      'active-connected-count': offer['active-connected-count'],
      'total-connected-count': offer['total-connected-count'],
    })
  }
  const machines: Json = {}
  for (const [id, machine] of Object.entries(status.machines ?? {})) machines[id] = machineDocument(machine)

  const document: Json = {
    model: omitEmpty({
      name: status.model.name,
      type: modelType,
      controller,
      cloud: untag(status.model['cloud-tag'], 'cloud'),
      region: status.model.region,
      version: status.model.version,
      'model-status': statusOf(status.model['model-status']),
    }),
    machines,
    applications,
  }
  if (Object.keys(remote).length > 0) document['application-endpoints'] = remote
  if (Object.keys(offers).length > 0) document.offers = offers
  return document
}

function applicationDocument(app: ApiApplication, modelType: string | undefined, relations: Json | undefined): Json {
  const charm = parseCharmUrl(app.charm)
  const units: Json = {}
  for (const [name, unit] of Object.entries(app.units ?? {})) units[name] = unitDocument(unit)
  return omitEmpty({
    charm: charm.name,
    base: baseOf(app.base),
    'charm-origin': charm.origin,
    'charm-name': charm.name,
    'charm-rev': app['charm-rev'] ?? charm.revision,
    'charm-channel': app['charm-channel'],
    'can-upgrade-to': app['can-upgrade-to'],
    // The CLI prints scale for Kubernetes models only.
    scale: modelType === 'caas' ? (app.int ?? 0) : undefined,
    'provider-id': app['provider-id'],
    address: app['public-address'],
    exposed: app.exposed ?? false,
    'exposed-endpoints': app['exposed-endpoints'] ? exposedEndpointsDocument(app['exposed-endpoints']) : undefined,
    'application-status': statusOf(app.status),
    relations,
    'subordinate-to': app['subordinate-to'] ?? undefined,
    units,
    version: app['workload-version'],
    'endpoint-bindings': app['endpoint-bindings'] ?? undefined,
  })
}

function exposedEndpointsDocument(endpoints: NonNullable<ApiApplication['exposed-endpoints']>): Json {
  const out: Json = {}
  for (const [endpoint, details] of Object.entries(endpoints)) {
    out[endpoint] = omitEmpty({'expose-to-cidrs': details['expose-to-cidrs'] ?? undefined, 'expose-to-spaces': details['expose-to-spaces'] ?? undefined})
  }
  return out
}

function unitDocument(unit: ApiUnit): Json {
  const subordinates: Json = {}
  for (const [name, subordinate] of Object.entries(unit.subordinates ?? {})) subordinates[name] = unitDocument(subordinate)
  return omitEmpty({
    'workload-status': statusOf(unit['workload-status']),
    'juju-status': statusOf(unit['agent-status']),
    leader: unit.leader === true ? true : undefined,
    machine: unit.machine,
    'open-ports': unit['opened-ports'] ?? undefined,
    address: unit.address,
    'public-address': unit['public-address'],
    'provider-id': unit['provider-id'],
    subordinates,
  })
}

function machineDocument(machine: ApiMachine): Json {
  const containers: Json = {}
  for (const [id, container] of Object.entries(machine.containers ?? {})) containers[id] = machineDocument(container)
  return omitEmpty({
    'juju-status': statusOf(machine['agent-status']),
    hostname: machine.hostname,
    'dns-name': machine['dns-name'],
    'ip-addresses': machine['ip-addresses'] ?? undefined,
    'instance-id': machine['instance-id'],
    'machine-status': statusOf(machine['instance-status']),
    base: baseOf(machine.base),
    containers,
    constraints: machine.constraints,
    hardware: machine.hardware,
  })
}

/** `juju show-model --format=json`. */
export function showModelDocument(info: ApiModelInfo, controller: string): Json {
  // Juju 3 names the model's owner; Juju 4 only qualifies its name, and its show-model prints no owner
  // (juju/juju cmd/juju/model/show_test.go@7c74445b: `name: production/mymodel`, no owner key).
  const owner = info.qualifier === undefined ? untag(info['owner-tag'], 'user') : undefined
  const qualifier = apiModelQualifier(info)
  const users: Json = {}
  for (const user of info.users ?? []) {
    users[user.user] = omitEmpty({'display-name': user['display-name'], access: user.access, 'last-connection': user['last-connection'] ?? 'never connected'})
  }
  return {
    [info.name]: omitEmpty({
      name: qualifier === undefined ? info.name : `${qualifier}/${info.name}`,
      'short-name': info.name,
      'model-uuid': info.uuid,
      'model-type': info.type,
      'controller-uuid': info['controller-uuid'],
      'controller-name': controller,
      'is-controller': info['is-controller'],
      owner,
      cloud: untag(info['cloud-tag'], 'cloud'),
      region: info['cloud-region'],
      type: info['provider-type'],
      life: info.life,
      status: info.status ? omitEmpty({current: info.status.status, since: info.status.since}) : undefined,
      users,
      'agent-version': info['agent-version'],
      credential: credentialOf(info['cloud-credential-tag']),
    }),
  }
}

/** `cloudcred-<cloud>_<owner>_<name>` (juju/names CloudCredentialTag). */
function credentialOf(tag: string | undefined): Json | undefined {
  const id = untag(tag, 'cloudcred')
  if (id === undefined) return undefined
  const [cloud, owner, ...name] = id.split('_')
  return omitEmpty({name: name.join('_'), owner, cloud})
}

/** `juju users --format=json`. */
export function usersDocument(users: ApiUserInfo[]): Json[] {
  return users.map((user) =>
    omitEmpty({
      'user-name': user.username,
      'display-name': user['display-name'],
      access: user.access,
      'date-created': user['date-created'],
      'last-connection': user['last-connection'] ?? 'never connected',
      disabled: user.disabled === true ? true : undefined,
    }),
  )
}

/** `juju offers --format=json` for one model. */
export function offersDocument(offers: ApiOffer[], controller: string): Json {
  const out: Json = {}
  for (const offer of offers) {
    out[offer['offer-name']] = omitEmpty({
      application: offer['application-name'],
      store: controller,
      charm: offer['charm-url'],
      'offer-url': offer['offer-url'],
      endpoints: Object.fromEntries((offer.endpoints ?? []).map((endpoint) => [endpoint.name, omitEmpty({interface: endpoint.interface, role: endpoint.role})])),
      connections: (offer.connections ?? []).map((connection) =>
        omitEmpty({
          'source-model-uuid': untag(connection['source-model-tag'], 'model'),
          username: connection.username,
          'relation-id': connection['relation-id'],
          endpoint: connection.endpoint,
          status: connection.status?.status,
        }),
      ),
      users: Object.fromEntries((offer.users ?? []).map((user) => [user.user, omitEmpty({'display-name': user['display-name'], access: user.access})])),
    })
  }
  return out
}

/** `juju config APP --format=json`: the same entries Application.Get returns, under `settings`. */
export function configDocument(answer: {application: string; charm?: string | undefined; config?: Record<string, unknown> | null | undefined; 'application-config'?: Record<string, unknown> | null | undefined}): Json {
  return omitEmpty({application: answer.application, charm: answer.charm, 'application-config': answer['application-config'] ?? {}, settings: answer.config ?? {}})
}

/** Block types (Juju API) → the command sets `juju disable-command` takes. */
const COMMAND_SETS: Record<string, string> = {BlockDestroy: 'destroy-model', BlockRemove: 'remove-object', BlockChange: 'all'}

/** `juju disabled-commands --format=json`. */
export function disabledCommandsDocument(blocks: {type: string; message?: string | undefined}[]): Json[] {
  return blocks.map((block) => omitEmpty({'command-set': COMMAND_SETS[block.type] ?? block.type, message: block.message}))
}
