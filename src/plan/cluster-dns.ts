/**
 * Where the cluster's DNS answers: the pods behind the kube-system Services that serve port 53
 * (`kube-dns` on kubeadm, MicroK8s, Charmed Kubernetes and k3s alike), by each Service's own
 * selector. CoreDNS Helm charts label their pods `app.kubernetes.io/name: coredns`, not
 * `k8s-app: kube-dns`, so a hard-coded label would cut DNS off under egress isolation.
 * The planner's egress rules and the check of what a plan closes both ask here, so they agree.
 */
import type {KubernetesView, KubeService} from '../inventory/kubernetes.js'

export const DNS_NAMESPACE = 'kube-system'
export const DNS_PORT = 53
/** The label kube-dns and most CoreDNS deployments carry; used when no DNS Service was read. */
const CONVENTIONAL_SELECTOR = {'k8s-app': 'kube-dns'}

export interface ClusterDns {
  /** Pod label selectors (matchLabels) of the DNS servers, in kube-system. */
  selectors: Record<string, string>[]
  /** The Services they come from, `kube-system/kube-dns`; empty when falling back to the convention. */
  services: string[]
}

export function clusterDns(view: KubernetesView): ClusterDns {
  const services = view.services.filter(servesDns).sort((a, b) => Number(b.metadata.name === 'kube-dns') - Number(a.metadata.name === 'kube-dns') || a.metadata.name.localeCompare(b.metadata.name))
  const selectors: Record<string, string>[] = []
  const names: string[] = []
  for (const service of services) {
    const selector = service.spec.selector ?? {}
    if (Object.keys(selector).length === 0) continue
    if (!selectors.some((known) => JSON.stringify(known) === JSON.stringify(selector))) selectors.push({...selector})
    names.push(`${DNS_NAMESPACE}/${service.metadata.name}`)
  }
  return selectors.length > 0 ? {selectors, services: names} : {selectors: [{...CONVENTIONAL_SELECTOR}], services: []}
}

function servesDns(service: KubeService): boolean {
  return service.metadata.namespace === DNS_NAMESPACE && (service.spec.ports ?? []).some((port) => port.port === DNS_PORT)
}
