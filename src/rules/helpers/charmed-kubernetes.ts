/**
 * Charmed Kubernetes's own ingress controller. The kubernetes-worker charm renders
 * `templates/ingress-daemon-set.yaml` (DaemonSet `nginx-ingress-controller-<app>` in namespace
 * `ingress-nginx-<app>`, on the host network) and `kubectl apply`s it on every reconcile while its
 * `ingress` option is true (the default): an edit of the DaemonSet lasts until the charm's next
 * hook (charmed-kubernetes/charm-kubernetes-worker src/charm.py@ae94ba87,
 * `_configure_nginx_ingress_controller`).
 */
import {charmedKubernetesIngressApplication} from '../../inventory/kubernetes.js'
import type {PodSubject} from './pod-specs.js'

export interface CharmedKubernetesIngress {
  /** The kubernetes-worker application (`juju config APP ingress=false` switches its controller off). */
  application: string
  /** "Charmed Kubernetes's kubernetes-worker charm applies this DaemonSet and re-applies it" */
  appliedBy: string
  /** The charm's own switch, once another controller serves the Ingresses. */
  switchOff: string
}

export function charmedKubernetesIngress(subject: PodSubject): CharmedKubernetesIngress | undefined {
  if (subject.kind !== 'DaemonSet') return undefined
  const application = charmedKubernetesIngressApplication(subject.labels)
  if (!application) return undefined
  return {
    application,
    appliedBy: `Charmed Kubernetes's kubernetes-worker charm${application === 'kubernetes-worker' ? '' : ` (application ${application})`} applies this DaemonSet and re-applies it`,
    switchOff: `run another ingress controller behind a LoadBalancer Service, move the Ingresses to it, then switch this one off with \`juju config ${application} ingress=false\` (in the model that runs Charmed Kubernetes)`,
  }
}
