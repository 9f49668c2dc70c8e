/**
 * The Prometheus Operator's pods: it labels the pods of every Prometheus it runs
 * `app.kubernetes.io/name: prometheus` and `app.kubernetes.io/managed-by: prometheus-operator`
 * (with `operator.prometheus.io/name`; seen so in public `kubectl get pods --show-labels` listings
 * of kube-prometheus-stack). A Juju unit of an application named prometheus is never one.
 */
import {JUJU_MODEL_ID_LABEL} from './kubernetes.js'

export const PROMETHEUS_POD_LABELS: Readonly<Record<string, string>> = {'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/managed-by': 'prometheus-operator'}

/** Whether a pod is one of the operator's Prometheus pods, by its labels (and not a Juju unit). */
export function isPrometheusOperatorPod(metadata: {labels?: unknown; annotations?: unknown}): boolean {
  const annotations = (typeof metadata.annotations === 'object' && metadata.annotations !== null ? metadata.annotations : {}) as Record<string, unknown>
  if (annotations[JUJU_MODEL_ID_LABEL] !== undefined) return false
  const labels = (typeof metadata.labels === 'object' && metadata.labels !== null ? metadata.labels : {}) as Record<string, unknown>
  return Object.entries(PROMETHEUS_POD_LABELS).every(([key, value]) => labels[key] === value)
}
