/** Controller rules from "Harden the controller(s)" (002). */
import {kubeScope} from '../inventory/kube-scope.js'
import {controllerSshServerPorts} from '../inventory/kubernetes.js'
import {cite} from './guides.js'
import {describeService, isExternalService, servicePorts} from '../policy/kube-exposure.js'
import {annotationsOf, controllerTarget, kubeTarget, list} from './helpers/targets.js'
import type {Rule} from './rule.js'

const CONTROLLERS = cite('juju', 'Harden the controller(s)')

const API_PORT = 17070
const MONGO_PORT = 37017

export const jujuControllerPorts: Rule = {
  id: 'JUJU-CONTROLLER-PORTS',
  title: 'Controller reachable on ports beyond the API',
  severity: 'high',
  // It reads a controller's Kubernetes Service: an estate of machine controllers has nothing for it.
  profile: 'k8s',
  guide: CONTROLLERS,
  rationale:
    'Clients and agents need only the controller API on 17070 (and, on Juju 4, the controller\'s SSH server, its Service\'s `ssh-server` port, 17022 by default, which `juju ssh` connects to); the guide lists mongo and controller-api-port as the only other ports, for high availability, and both are for controllers talking to each other. Mongo (37017) holds the whole model state and must never be reachable from outside.',
  remediation:
    'Remove the ports beyond the API (and a Juju 4 controller\'s SSH server) from the controller Service with a JSON patch (`kubectl -n controller-NAME patch service controller-service --type=json -p \'[{"op":"remove","path":"/spec/ports/N"}]\'`), not by making it ClusterIP, which cuts juju clients off; then admit only those ports to the controller pods with a NetworkPolicy.',
  autoFixable: true,
  needs: [['k8s-services']],
  evaluate({inventory, policy, report}) {
    const scope = kubeScope(inventory, policy)
    for (const service of inventory.kubernetes.services) {
      const namespace = service.metadata.namespace
      if (!scope.isController(namespace)) continue
      const ports = servicePorts(service)
      const external = isExternalService(service)
      const clientPorts = new Set([API_PORT, ...controllerSshServerPorts(service).map((port) => port.port)])
      const extra = ports.filter((p) => !clientPorts.has(p))
      const mongo = ports.includes(MONGO_PORT)
      if (!(external && extra.length > 0) && !mongo) continue
      const model = scope.modelOf(namespace)
      const annotations = annotationsOf(service)
      report({
        target: kubeTarget(service, model),
        severity: external ? 'high' : 'medium',
        message: external
          ? `${describeService(service)} makes controller port${extra.length === 1 ? '' : 's'} ${list(extra.map(String))} reachable from outside the cluster; only ${API_PORT} should be.`
          : `Service ${namespace}/${service.metadata.name} publishes mongo (${MONGO_PORT}) to every pod in the cluster.`,
        evidence: {type: service.spec.type ?? 'ClusterIP', ports, externalIPs: service.spec.externalIPs ?? [], loadBalancerSourceRanges: service.spec.loadBalancerSourceRanges ?? []},
        remediation: external
          ? `${dropPorts(service, extra)}   # the API (${API_PORT})${clientPorts.size > 1 ? ' and the SSH server' : ''} stay${clientPorts.size > 1 ? '' : 's'} reachable for juju clients and agents (making the Service ClusterIP would cut them off); then admit only those with a NetworkPolicy`
          : dropPorts(service, [MONGO_PORT]),
        ref: service.ref,
        ...(annotations ? {annotations} : {}),
      })
    }
  },
}

/**
 * A JSON patch removing the Service's ports with these numbers, by index from the last (each
 * removal shifts the ones after it), so the API port stays exactly as it is.
 */
function dropPorts(service: {metadata: {name: string; namespace?: string | undefined}; spec: {ports?: {port: number}[] | undefined}}, numbers: number[]): string {
  const indices = (service.spec.ports ?? []).flatMap((port, index) => (numbers.includes(port.port) ? [index] : [])).reverse()
  const ops = indices.map((index) => `{"op":"remove","path":"/spec/ports/${index}"}`).join(',')
  return `kubectl -n ${service.metadata.namespace} patch service ${service.metadata.name} --type=json -p '[${ops}]'`
}

export const jujuControllerApiPort: Rule = {
  id: 'JUJU-CONTROLLER-API-PORT',
  title: 'controller-api-port enabled',
  severity: 'low',
  profile: 'juju',
  guide: CONTROLLERS,
  rationale:
    'controller-api-port opens a second API port for controller-to-controller traffic in high-availability setups. Every open port is attack surface; the guide notes it can be turned off.',
  remediation: 'Turn it off unless a heavily loaded HA controller needs it: `juju controller-config controller-api-port=0`.',
  autoFixable: false,
  needs: [['juju-controller-config']],
  evaluate({inventory, report, notEvaluated}) {
    for (const controller of inventory.controllers.values()) {
      if (!controller.config) {
        notEvaluated(controllerTarget(controller), ['juju-controller-config'])
        continue
      }
      const value = controller.config['controller-api-port']
      const port = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : undefined
      if (port === undefined || Number.isNaN(port) || port === 0) continue
      report({
        target: controllerTarget(controller),
        message: `controller ${controller.name} has controller-api-port ${port} enabled: a second API port besides api-port.`,
        evidence: {'controller-api-port': value, 'api-port': controller.config['api-port']},
        remediation: `juju controller-config -c ${controller.name} controller-api-port=0`,
        ...(controller.refs[0] ? {ref: controller.refs[0]} : {}),
      })
    }
  },
}

/** Cloud types on which Juju can use an instance profile (AWS) or a managed identity (Azure). */
const IDENTITY_CLOUDS: Record<string, string> = {ec2: 'an AWS instance profile', azure: 'an Azure managed identity'}
/** Default cloud names of those providers, used when the controller's cloud type is not known. */
const DEFAULT_CLOUD_TYPES: Record<string, string> = {aws: 'ec2', azure: 'azure'}

export const jujuCloudCredential: Rule = {
  id: 'JUJU-CLOUD-CREDENTIAL',
  title: 'Stored cloud credential where an instance identity could be used',
  severity: 'low',
  profile: 'juju',
  guide: CONTROLLERS,
  rationale:
    'A credential copied to the controller can be stolen from it and used anywhere. On AWS and Azure Juju can instead use an instance profile or a managed identity, so neither client nor controller needs to know the credential; the guide recommends this workflow.',
  remediation:
    'Bootstrap with an instance identity: `juju bootstrap aws --bootstrap-constraints instance-role=auto` (AWS) or `juju bootstrap azure --constraints instance-role=auto` (Azure), migrate the models, then `juju remove-credential -c CONTROLLER CLOUD CREDENTIAL`.',
  autoFixable: false,
  needs: [['juju-controller-config', 'juju-show-model', 'juju-status']],
  evaluate({inventory, report, notEvaluated}) {
    const names = new Set<string>([...inventory.controllers.keys()])
    for (const model of inventory.models.values()) if (model.controller) names.add(model.controller)
    for (const name of names) {
      const controller = inventory.controllers.get(name)
      const models = [...inventory.models.values()].filter((m) => m.controller === name)
      const cloudType = controller?.cloudType ?? models.map((m) => DEFAULT_CLOUD_TYPES[m.cloud ?? '']).find((t) => t !== undefined)
      if (cloudType === undefined || IDENTITY_CLOUDS[cloudType] === undefined) continue
      const known = models.filter((m) => m.credential !== undefined)
      if (known.length === 0) {
        notEvaluated(controllerTarget(name), ['juju-show-model'], 'needs juju show-model to see the models\' credentials')
        continue
      }
      const withCredential = known.filter((m) => m.credential?.name)
      if (withCredential.length === 0) continue
      const credentials = [...new Set(withCredential.map((m) => `${m.credential?.cloud ?? m.cloud ?? cloudType}/${m.credential?.owner ? `${m.credential.owner}/` : ''}${m.credential?.name}`))]
      report({
        target: controllerTarget(name),
        message: `controller ${name} runs on ${cloudType} and its models use stored credential${credentials.length === 1 ? '' : 's'} ${list(credentials)}; ${IDENTITY_CLOUDS[cloudType]} could replace ${credentials.length === 1 ? 'it' : 'them'}.`,
        evidence: {cloudType, credentials, models: withCredential.map((m) => m.name)},
        ...(withCredential[0]?.refs[0] ? {ref: withCredential[0].refs[0]} : {}),
      })
    }
  },
}

export const JUJU_CONTROLLER_RULES: Rule[] = [jujuControllerPorts, jujuControllerApiPort, jujuCloudCredential]
