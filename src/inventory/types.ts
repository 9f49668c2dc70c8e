/**
 * The normalized inventory: one model of a Juju + Kubernetes estate that every rule reads.
 *
 * Sources (files now, the live Juju and Kubernetes APIs later) only ever produce `Contribution`s
 * (see contributions.ts); `buildInventory` merges and joins them into this shape. Rules never look
 * at raw inputs, so a new source slots in without touching a rule.
 *
 * Optional fields mean "not known": a rule that needs one reports "not evaluated", it does not
 * treat undefined as false.
 */
import type {Location, SourceRef} from '../sources/document.js'
import type {CharmMetadata} from './charm.js'
import type {HostInventory} from './host.js'
import type {KubePod, KubeRole, KubeService, KubeServiceAccount, KubernetesView, KubeWorkload} from './kubernetes.js'

/** The kinds of input a rule can need. Used to say "not evaluated: needs X". */
export type InputKind =
  | 'juju-status'
  | 'juju-bundle'
  | 'juju-config'
  | 'juju-show-application'
  | 'juju-show-model'
  | 'juju-users'
  | 'juju-show-user'
  | 'juju-offers'
  | 'juju-disabled-commands'
  | 'juju-controller-config'
  | 'charm-metadata'
  | 'k8s-namespaces'
  | 'k8s-pods'
  | 'k8s-workloads'
  | 'k8s-services'
  | 'k8s-ingresses'
  | 'k8s-networkpolicies'
  | 'k8s-rbac'
  | 'k8s-serviceaccounts'
  | 'k8s-webhooks'
  | 'k8s-gateway-api'
  | 'k8s-prometheus-monitors'
  | 'host'

export const INPUT_KIND_DESCRIPTIONS: Record<InputKind, string> = {
  'juju-status': '`juju status --format=json`',
  'juju-bundle': 'a bundle (`juju export-bundle`; on Juju 4, which removed it, `hardenctl snapshot`)',
  'juju-config': '`juju config APP --format=json`',
  'juju-show-application': '`juju show-application APP --format=json`',
  'juju-show-model': '`juju show-model --format=json`',
  'juju-users': '`juju users --format=json`',
  'juju-show-user': '`juju show-user USER --format=json`',
  'juju-offers': '`juju offers --format=json`',
  'juju-disabled-commands': '`juju disabled-commands --format=json`',
  'juju-controller-config': '`juju controller-config --format=json`',
  'charm-metadata': 'charm metadata (charmcraft.yaml or metadata.yaml)',
  'k8s-namespaces': '`kubectl get namespaces -o json`',
  'k8s-pods': '`kubectl get pods -A -o json`',
  'k8s-workloads': '`kubectl get deployments,statefulsets,daemonsets,cronjobs -A -o json`',
  'k8s-services': '`kubectl get services -A -o json`',
  'k8s-ingresses': '`kubectl get ingresses,ingressclasses -A -o json`',
  'k8s-networkpolicies': '`kubectl get networkpolicies -A -o json`',
  'k8s-rbac': '`kubectl get roles,rolebindings,clusterroles,clusterrolebindings -A -o json`',
  'k8s-serviceaccounts': '`kubectl get serviceaccounts -A -o json`',
  'k8s-webhooks': '`kubectl get validatingwebhookconfigurations,mutatingwebhookconfigurations,apiservices -o json`',
  // Qualified: with Istio installed, a bare `gateways` names Istio's own kind.
  'k8s-gateway-api': '`kubectl get gatewayclasses.gateway.networking.k8s.io,gateways.gateway.networking.k8s.io,httproutes.gateway.networking.k8s.io,grpcroutes.gateway.networking.k8s.io -A -o json`',
  'k8s-prometheus-monitors': '`kubectl get servicemonitors.monitoring.coreos.com,podmonitors.monitoring.coreos.com -A -o json`',
  host: "a host's files (`hardenctl host`, or hosts/ in a snapshot)",
}

export interface Inventory {
  controllers: Map<string, Controller>
  /** Keyed by `modelKey(controller, name)`. */
  models: Map<string, Model>
  /** Charm metadata by charm name (`postgresql-k8s`), from charm directories. */
  charms: Map<string, CharmMetadata>
  kubernetes: KubernetesView
  /** Which kinds of input were read at all (any file, any model). */
  inputs: Set<InputKind>
  /** Entities that could not be read (`status-error` entries, forbidden kinds). */
  gaps: InventoryGap[]
  /** Hosts read by `hardenctl host` or from a snapshot's hosts/ (absent: none). */
  hosts?: HostInventory[]
  /** Every file read, with what it was recognised as. */
  files: {file: string; kind: string}[]
  /** Turns a SourceRef into file:line:column (undefined for live sources). */
  locate(ref: SourceRef | undefined): Location | undefined
  /**
   * `locate` for many refs at once, in the refs' order: each file is read and indexed once for
   * all its refs and then released, so only one big file's text is held at a time.
   */
  locateAll(refs: readonly (SourceRef | undefined)[]): (Location | undefined)[]
}

export interface InventoryGap {
  target: {kind: string; controller?: string; model?: string; namespace?: string; name: string}
  message: string
  ref?: SourceRef
}

export interface Controller {
  name: string
  users?: ControllerUser[]
  config?: Record<string, unknown>
  /** The cloud type (`ec2`, `azure`, `kubernetes`, `lxd`, ...), where known. */
  cloudType?: string
  refs: SourceRef[]
}

export interface ControllerUser {
  name: string
  access?: string
  /** Human text as Juju prints it ("never connected", "2 hours ago") or an ISO time. */
  lastConnection?: string
  disabled?: boolean
  ref?: SourceRef
}

export type ModelType = 'iaas' | 'caas'

export interface Model {
  /** Controller name; `''` when no input named it (a bare bundle). */
  controller: string
  name: string
  /**
   * Set when no input named the model (a bundle without a `name:` key, read on its own): `name`
   * is then only a label for reports (the bundle file's name), never a Juju model name, and fix
   * commands say `-m MODEL`.
   */
  unnamed?: true
  uuid?: string
  type?: ModelType
  cloud?: string
  region?: string
  version?: string
  /** Juju 3's model owner (Juju 4 models have none). */
  owner?: string
  /**
   * What qualifies the model's name (`QUALIFIER/NAME`, as `juju models` and `-m` spell it): Juju 3's
   * owner, Juju 4's qualifier, which is not a user (`prod`, or one derived from the creator's name).
   */
  qualifier?: string
  /** The model's credential/cloud details from show-model, when known. */
  credential?: {name?: string; owner?: string; cloud?: string}
  applications: Map<string, Application>
  relations: Relation[]
  /** Offers this model makes. */
  offers: Offer[]
  /** Remote applications this model consumes (status `application-endpoints`). */
  consumed: ConsumedOffer[]
  machines: Machine[]
  /** From show-model; undefined when not known. */
  users?: ModelUser[]
  /** From disabled-commands; undefined when not known. */
  disabledCommands?: DisabledCommand[]
  /** Where the disabled-commands list was read. */
  disabledCommandsRef?: SourceRef
  /** The Kubernetes namespace of a caas model, when Kubernetes objects were read. */
  namespace?: string
  /** Which kinds of input described this model. */
  inputs: Set<InputKind>
  refs: SourceRef[]
}

export interface ModelUser {
  name: string
  access: string
  lastConnection?: string
  displayName?: string
  ref?: SourceRef
}

export interface DisabledCommand {
  commandSet: string
  message?: string
}

export interface Machine {
  id: string
  base?: {name: string; channel: string}
  series?: string
  ref?: SourceRef
}

export interface ExposedEndpoint {
  cidrs: string[]
  spaces: string[]
}

export interface Application {
  model: string
  controller: string
  /** Copied from the model: its name is only a label (see `Model.unnamed`). */
  modelUnnamed?: true
  /** Copied from the model when known: what qualifies its name (`Model.qualifier`, else its owner). */
  modelQualifier?: string
  name: string
  /** Charm name as Charmhub knows it (`postgresql-k8s`), or the local path for local charms. */
  charm: string
  charmOrigin?: 'charmhub' | 'local' | string
  channel?: string
  revision?: number
  canUpgradeTo?: string
  base?: {name: string; channel: string}
  series?: string
  scale?: number
  /** `exposed` in status, `expose` in a bundle; undefined when not known. */
  exposed?: boolean
  /** Per-endpoint exposure; key `""` is "all endpoints". */
  exposedEndpoints?: Record<string, ExposedEndpoint>
  /** Undefined when no input said (status alone does not carry trust). */
  trust?: boolean
  /** Charm options from a bundle or `juju config`. */
  options: Record<string, unknown>
  /** Where each option came from, for locations. */
  optionRefs: Record<string, SourceRef>
  subordinateTo?: string[]
  /** Every endpoint the charm has, by name (the keys of `juju status` `endpoint-bindings`); no interfaces. */
  endpointNames?: string[]
  units: Unit[]
  /** The charm's metadata, joined by charm name. */
  metadata?: CharmMetadata
  /** Kubernetes objects that belong to this application (joined on `app.kubernetes.io/name`). */
  kubernetes?: ApplicationKubernetes
  /** Where each fact came from, keyed by fact (`definition`, `trust`, `expose`, `exposed-endpoints`, `charm`, `channel`). */
  refs: Partial<Record<ApplicationFact, SourceRef>>
}

export type ApplicationFact = 'definition' | 'trust' | 'expose' | 'exposed-endpoints' | 'charm' | 'channel' | 'base' | 'can-upgrade-to'

export interface ApplicationKubernetes {
  namespace: string
  workloads: KubeWorkload[]
  pods: KubePod[]
  services: KubeService[]
  serviceAccounts: KubeServiceAccount[]
  /** Roles bound to the application's ServiceAccounts (Juju creates Role `APP`). */
  roles: KubeRole[]
  /** ClusterRoles bound to its ServiceAccounts (Juju creates ClusterRole `MODEL-APP`). */
  clusterRoles: KubeRole[]
}

export interface Unit {
  name: string
  machine?: string
  openPorts: string[]
  address?: string
  publicAddress?: string
  /** The pod name on Kubernetes. */
  providerId?: string
}

export type RelationRole = 'provider' | 'requirer' | 'peer'

export interface RelationEndpoint {
  application: string
  endpoint?: string
  role?: RelationRole
  /** Set when the application lives in another model (cross-model relation). */
  remote?: boolean
}

export interface Relation {
  /** Endpoints sorted so the same relation read from two shapes compares equal. */
  endpoints: RelationEndpoint[]
  interface?: string
  scope?: 'global' | 'container'
  ref?: SourceRef
}

export interface Offer {
  name: string
  application: string
  url?: string
  endpoints: {name: string; interface?: string; role?: string}[]
  /** Offer users and their access (`read`, `consume`, `admin`); undefined when not known. */
  users?: {name: string; access: string}[]
  connections?: {sourceModel?: string; username?: string; endpoint?: string}[]
  /** How many relations consumers have with the offer (`juju status`'s total-connected-count), when known. */
  connectedCount?: number
  ref?: SourceRef
}

export interface ConsumedOffer {
  /** The local name of the remote application. */
  name: string
  url: string
  endpoints: {name: string; interface?: string; role?: string}[]
  ref?: SourceRef
}

export function modelKey(controller: string, model: string): string {
  return `${controller}/${model}`
}
