/**
 * Juju's own pods, which are neither a charm's workload nor something a user deployed: the model
 * operator (Deployment `modeloperator` in every model namespace, labelled
 * `operator.juju.is/name: modeloperator`, `operator.juju.is/target: model`; `juju-modeloperator`
 * on models with legacy labels), the operators of old podspec charms (`operator.juju.is/target:
 * application`, legacy `juju-operator`), and the controller (StatefulSet `controller` in the
 * controller namespace). Facts from caas/kubernetes/provider in juju/juju (modeloperator.go,
 * bootstrap.go, constants/labels.go).
 */
import type {KubeScope} from '../../inventory/kube-scope.js'
import {APP_NAME_LABEL} from '../../inventory/kubernetes.js'
import type {PodSubject} from './pod-specs.js'

const OPERATOR_NAME_LABEL = 'operator.juju.is/name'
const OPERATOR_TARGET_LABEL = 'operator.juju.is/target'
const LEGACY_MODEL_OPERATOR_LABEL = 'juju-modeloperator'
const LEGACY_OPERATOR_LABEL = 'juju-operator'

const MODEL_OPERATOR = 'modeloperator'
const CONTROLLER = 'controller'

/** What the pod is when it is Juju's own (`the Juju model operator`), else undefined. */
export function jujuOwnPod(subject: PodSubject, scope: KubeScope): string | undefined {
  const labels = subject.labels
  const role = scope.role(subject.namespace)
  if (role !== 'model' && role !== 'controller') return undefined
  if (labels[OPERATOR_NAME_LABEL] !== undefined) {
    return labels[OPERATOR_TARGET_LABEL] === 'application' ? `the Juju operator of application ${labels[OPERATOR_NAME_LABEL]}` : 'the Juju model operator'
  }
  if (labels[LEGACY_MODEL_OPERATOR_LABEL] !== undefined) return 'the Juju model operator'
  if (labels[LEGACY_OPERATOR_LABEL] !== undefined) return `the Juju operator of application ${labels[LEGACY_OPERATOR_LABEL]}`
  // Juju reserves the name: a workload, its ReplicaSet (`modeloperator-HASH`) or a bare pod of it.
  if (subject.name === MODEL_OPERATOR || subject.name.startsWith(`${MODEL_OPERATOR}-`) || labels[APP_NAME_LABEL] === MODEL_OPERATOR) return 'the Juju model operator'
  if (role === 'controller' && (subject.name === CONTROLLER || /^controller-\d+$/.test(subject.name) || labels[APP_NAME_LABEL] === CONTROLLER)) return 'the Juju controller'
  return undefined
}
