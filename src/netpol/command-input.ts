/**
 * What the netpol commands do before the engine runs: read --from or the live cluster (and,
 * with --plan, work out the policies a reconcile would leave), build the classes, warn about policies the API would reject, and turn FROM, TO and PORT arguments into
 * endpoints, failing with one line (exit 2) and candidates when they name nothing.
 */
import {InputError} from '../errors.js'
import {podClasses} from './classes.js'
import {type ResolvedPort, resolvePortQuery} from './explain.js'
import {isIpAddress} from './ip-block.js'
import {loadInventory} from '../audit/run-audit.js'
import {planForInventory} from '../plan/plan.js'
import {type LoadedPolicy, loadPolicy} from '../policy/load.js'
import type {Inventory} from '../inventory/types.js'
import type {LiveCollection} from '../sources/live.js'
import {planReachability} from './after-plan.js'
import {policyInput} from './load.js'
import type {Endpoint, PodClass, PolicyInput} from './types.js'
import {OUTSIDE_ID} from './types.js'
import {policyProblems} from './validate.js'

export interface NetpolInput {
  input: PolicyInput
  /** The policies the cluster has now, when `input` holds the planned ones (`--plan`). */
  before?: PolicyInput
  classes: PodClass[]
  /** Namespaces with pods or a Namespace object, sorted. */
  namespaces: string[]
  warnings: string[]
  /** The estate read (the HTML report draws its Juju models). */
  inventory: Inventory
}

export interface NetpolSource {
  from?: string[] | undefined
  live?: LiveCollection | undefined
  /** Judge the policies a reconcile would leave (the live ones with the plan applied). */
  plan?: boolean
  /** The policy, already loaded; else `policyFile` (or ./hardenctl.yaml) is loaded and validated, --plan or not. */
  policy?: LoadedPolicy | undefined
  policyFile?: string | undefined
  /**
   * Read the whole estate: the Juju models, Services and Ingresses the HTML picture draws. --plan
   * reads it too; otherwise only pods, namespaces and NetworkPolicies are read (what the engine
   * judges), as a live netpol without --plan reads no controller.
   */
  estate?: boolean
}

/** The kinds the engine judges reachability from. */
const NETPOL_KINDS: ReadonlySet<string> = new Set(['Pod', 'Namespace', 'NetworkPolicy'])

export async function loadNetpolInput(source: NetpolSource): Promise<NetpolInput> {
  // hardenctl's policy, not a NetworkPolicy: only --plan reads it, every run validates it.
  const {policy: hardenctlPolicy, file: policyInUse} = source.policy ?? (await loadPolicy(source.policyFile))
  const {inventory, warnings} = await loadInventory({from: source.from, live: source.live, policyInUse, ...(source.plan || source.estate ? {} : {kubernetesKindsOnly: NETPOL_KINDS})})
  const view = inventory.kubernetes
  if (view.pods.length === 0) {
    const where = source.from?.join(', ') ?? 'the cluster'
    throw new InputError(where, 'no pods found: netpol needs pods (kubectl get pods -A -o json), NetworkPolicies and namespaces')
  }
  let input = policyInput(view)
  let before: PolicyInput | undefined
  let classes: PodClass[] | undefined
  if (source.plan) {
    const plan = planForInventory(inventory, hardenctlPolicy)
    for (const entry of plan.untouched) if (entry.why !== 'out-of-scope') warnings.push(`the plan leaves ${entry.namespace} as it is: ${entry.reason}`)
    const reach = planReachability(view, plan)
    before = reach.before
    input = reach.after
    classes = reach.classes
  }
  for (const policy of input.policies) {
    const id = `${policy.metadata.namespace ?? 'default'}/${policy.metadata.name}`
    for (const problem of policyProblems(policy)) warnings.push(`NetworkPolicy ${id}: ${problem} (the API server would reject it; treated as matching nothing)`)
  }
  classes ??= podClasses(view, {policies: input.policies})
  const namespaces = [...new Set([...view.namespaces.keys(), ...classes.map((podClass) => podClass.namespace)])].sort()
  return {input, ...(before ? {before} : {}), classes, namespaces, warnings, inventory}
}

export function selectNamespaces(known: readonly string[], wanted: readonly string[] | undefined): string[] {
  if (!wanted || wanted.length === 0) return [...known]
  for (const namespace of wanted) {
    if (!known.includes(namespace)) throw new InputError(undefined, `unknown namespace ${JSON.stringify(namespace)}${candidates(namespace, known)}`)
  }
  return known.filter((namespace) => wanted.includes(namespace))
}

/** `namespace/app` (a class name or one of its pods), `outside`, or an IP address. */
export function parseEndpoint(text: string, classes: readonly PodClass[], role: 'FROM' | 'TO'): Endpoint {
  if (text === OUTSIDE_ID) return {outside: true}
  if (isIpAddress(text)) return {outside: true, ip: text}
  const slash = text.indexOf('/')
  if (slash <= 0) throw new InputError(undefined, `${role} ${JSON.stringify(text)}: expected namespace/app, "outside" or an IP address`)
  const namespace = text.slice(0, slash)
  const name = text.slice(slash + 1)
  const found =
    classes.find((podClass) => podClass.id === text) ??
    classes.find((podClass) => podClass.namespace === namespace && podClass.pods.includes(name))
  if (!found) {
    throw new InputError(undefined, `${role} ${JSON.stringify(text)}: no such application (pod class)${candidates(text, classes.map((podClass) => podClass.id))}`)
  }
  return found
}

/** `5432`, `5432/TCP`, `53/UDP`, or a port name of TO (`postgresql`, `dns/UDP`). */
export function parsePort(text: string, to: Endpoint): ResolvedPort {
  const match = /^([^/\s]+)(?:\/([A-Za-z]+))?$/.exec(text)
  if (!match) throw new InputError(undefined, `PORT ${JSON.stringify(text)}: expected 5432, 5432/TCP, 53/UDP or a port name`)
  const [, port, protocol] = match
  const numeric = /^\d+$/.test(port!)
  if (numeric && (Number(port) < 1 || Number(port) > 65535)) throw new InputError(undefined, `PORT ${JSON.stringify(text)}: not a port (1-65535)`)
  const resolved = resolvePortQuery(to, {port: numeric ? Number(port) : port!, ...(protocol ? {protocol} : {})})
  if (resolved) return resolved
  if (protocol && !['TCP', 'UDP', 'SCTP'].includes(protocol.toUpperCase())) {
    throw new InputError(undefined, `PORT ${JSON.stringify(text)}: protocol must be TCP, UDP or SCTP`)
  }
  if ('outside' in to) throw new InputError(undefined, `PORT ${JSON.stringify(text)}: a port name needs a pod as TO; give a number`)
  const named = to.ports.filter((entry) => entry.name !== undefined).map((entry) => `${entry.name}/${entry.protocol} (${entry.port})`)
  throw new InputError(
    undefined,
    `PORT ${JSON.stringify(text)}: ${to.id} has no container port of that name${named.length > 0 ? `; its named ports: ${named.join(', ')}` : ' (it names none)'}`,
  )
}

/** "; did you mean: a, b, c" with up to five of the closest known names. */
function candidates(text: string, known: readonly string[]): string {
  if (known.length === 0) return ''
  const ranked = [...known].sort((a, b) => distance(text, a) - distance(text, b) || a.localeCompare(b)).slice(0, 5)
  return `; candidates: ${ranked.join(', ')}`
}

/** Edit distance, with a bonus for containing the text (typing the app without its namespace). */
function distance(a: string, b: string): number {
  const bonus = b.includes(a) || a.includes(b.slice(b.indexOf('/') + 1)) ? -100 : 0
  const previous = Array.from({length: b.length + 1}, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!
    previous[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1))
      diagonal = above
    }
  }
  return previous[b.length]! + bonus
}
