/**
 * DaemonSets whose host access, root and capabilities are what they are for: the cluster network
 * (flannel, Calico, Cilium), kube-proxy and the node exporter; the node plugins of CSI storage
 * drivers; the log and telemetry shippers that read the node's log files; and the node agents of
 * load balancers (MetalLB's speaker, kube-vip) and the NVIDIA device plugin; and one Deployment,
 * MicroK8s's hostpath provisioner, which makes every volume of the default storage class as a
 * directory on the host. Taking them away (the generic fixes of K8S-HOST-ACCESS, K8S-RUN-AS-ROOT
 * and K8S-PRIVILEGED) takes down pod networking, volumes, logs or the node's metrics on every node
 * the change rolls to. The finding stands, as the catalog asks; the fix is to waive it knowingly and
 * keep its namespace narrow.
 *
 * Each entry names only what its upstream manifests show (test/fixtures/node-agents/ holds several):
 * its pod labels, and which of the three findings its upstream DaemonSet has by design. An agent
 * upstream runs as non-root does not have K8S-RUN-AS-ROOT by design, and one upstream runs without
 * privileges does not have K8S-PRIVILEGED: those keep the generic fix.
 */
import {containersOf, type PodSubject, podWaiver} from './pod-specs.js'

interface NodeAgent {
  /** The workload kind it runs as; a DaemonSet unless said. */
  kind?: 'Deployment'
  /** Label values that name it (`app.kubernetes.io/name`, `k8s-app`, `app` or `name`): distinctive ones only. */
  names: readonly string[]
  /** For a name that is also a common word: the agent's image, which one of the pod's containers must run too. */
  image?: RegExp
  what: string
  needs: string
  /** The rules whose finding is what it is for; the others keep their own fix. */
  byDesign: readonly string[]
  /** What taking that away breaks, when not "changing that breaks it on every node". */
  breaks?: string
}

/** The cluster network, a CSI node plugin (privileged, bidirectional mount propagation), a load balancer's node agent. */
const ALL = ['K8S-HOST-ACCESS', 'K8S-RUN-AS-ROOT', 'K8S-PRIVILEGED']
/** Host paths used as root, without privileges: a log shipper, the NVIDIA device plugin. */
const HOST_AS_ROOT = ['K8S-HOST-ACCESS', 'K8S-RUN-AS-ROOT']

const NODE_AGENTS: readonly NodeAgent[] = [
  {names: ['flannel'], what: 'flannel, the cluster network (CNI)', needs: 'the host network, NET_ADMIN/NET_RAW, root and its host paths to set up pod networking on each node', byDesign: ALL},
  {names: ['calico-node'], what: 'calico-node, the cluster network (CNI)', needs: 'the host network, privileges and its host paths to program each node', byDesign: ALL},
  {names: ['cilium'], what: 'cilium, the cluster network (CNI)', needs: 'the host network, privileges and its host paths to program each node', byDesign: ALL},
  // The Cilium chart's cilium-envoy DaemonSet: the host network, and NET_ADMIN and SYS_ADMIN for its container
  // (values envoy.securityContext.capabilities.envoy; its starter drops them after forking Envoy).
  {names: ['cilium-envoy'], what: "cilium-envoy, Cilium's L7 proxy (ingress, Gateway API, L7 policies)", needs: 'the host network, NET_ADMIN and SYS_ADMIN and root to proxy for the Cilium agent on each node', byDesign: ALL},
  {names: ['kube-proxy'], what: 'kube-proxy', needs: "the host network and privileges to program each node's Service routing", byDesign: ALL},
  // It runs as nobody upstream (kube-prometheus, the Helm chart): only its host access is by design.
  {names: ['node-exporter', 'prometheus-node-exporter'], what: 'node-exporter', needs: "the host's network, PID namespace and filesystem to report the node's metrics", byDesign: ['K8S-HOST-ACCESS']},

  // Storage: CSI node plugins and the storage daemons that mount on each node.
  // kubernetes-sigs/aws-ebs-csi-driver deploy/kubernetes/base/node.yaml (also app.kubernetes.io/name: aws-ebs-csi-driver, shared with its controller Deployment).
  {names: ['ebs-csi-node'], what: 'ebs-csi-node, the AWS EBS CSI node plugin', needs: "privileges, root, the host's /dev and bidirectional mount propagation into the kubelet's directory to attach and mount volumes on each node", byDesign: ALL},
  // ceph/ceph-csi deploy/rbd/kubernetes/csi-rbdplugin.yaml, deploy/cephfs/kubernetes/csi-cephfsplugin.yaml.
  {names: ['csi-rbdplugin', 'csi-cephfsplugin'], what: 'ceph-csi, the Ceph RBD/CephFS CSI node plugin', needs: "the host network and PID namespace, privileges (SYS_ADMIN), root, the host's /dev, /sys and /lib/modules and bidirectional mount propagation into the kubelet's directories to map and mount Ceph volumes on each node", byDesign: ALL},
  // longhorn/longhorn deploy/longhorn.yaml (the pods also carry app.kubernetes.io/name: longhorn, as do Longhorn's Deployments).
  {names: ['longhorn-manager'], what: 'longhorn-manager, the Longhorn storage manager on each node', needs: "privileges, root, the host's /dev and /proc and bidirectional mount propagation into /var/lib/longhorn to run Longhorn's engines and replicas on each node", byDesign: ALL},
  // longhorn/longhorn-manager csi/deployment.go: the DaemonSet longhorn-manager creates.
  {names: ['longhorn-csi-plugin'], what: 'longhorn-csi-plugin, the Longhorn CSI node plugin', needs: "privileges (SYS_ADMIN), root, the host's /dev, /proc and /sys and bidirectional mount propagation into the kubelet's directories to mount Longhorn volumes on each node", byDesign: ALL},
  // openebs/lvm-localpv deploy/yamls/lvm-driver.yaml, openebs/zfs-localpv deploy/yamls/zfs-driver.yaml.
  {names: ['openebs-lvm-node', 'openebs-zfs-node'], what: 'the OpenEBS LocalPV (LVM, ZFS) CSI node plugin', needs: "the host network, privileges, root, the host's /dev and bidirectional mount propagation into the kubelet's directory to create and mount local volumes on each node", byDesign: ALL},
  // canonical/rawfile-localpv deploy/charts/rawfile-csi/templates/01-node-plugin.yaml@65b0e432: Canonical Kubernetes's
  // local storage (`ck-storage-rawfile-csi-node` in kube-system; canonical/k8s-snap's localpv feature labels its pods
  // app.kubernetes.io/name: rawfile-csi, component: node). The controller is a StatefulSet, so no node agent.
  {names: ['rawfile-csi'], what: "rawfile-csi's node plugin (Canonical Kubernetes's local storage)", needs: "privileges, root, its host data directory and bidirectional mount propagation into the kubelet's directory to create and mount local volumes on each node", byDesign: ALL},
  // kubernetes-csi/csi-driver-nfs deploy/csi-nfs-node.yaml.
  {names: ['csi-nfs-node'], what: 'csi-nfs-node, the NFS CSI node plugin', needs: "the host network, privileges (SYS_ADMIN), root and bidirectional mount propagation into the kubelet's directory to mount NFS shares on each node", byDesign: ALL},

  // Logs and telemetry read from the node's files.
  // fluent/helm-charts charts/fluent-bit (app.kubernetes.io/name), fluent/fluent-bit-kubernetes-logging (k8s-app); the image sets no USER.
  {names: ['fluent-bit', 'fluent-bit-logging'], what: 'fluent-bit, the node log shipper', needs: "the node's log directories (/var/log, the container logs) and root to read every pod's logs", byDesign: HOST_AS_ROOT},
  // fluent/fluentd-kubernetes-daemonset (k8s-app), fluent/helm-charts charts/fluentd (app.kubernetes.io/name); its image switches to USER root to read /var/log.
  {names: ['fluentd-logging', 'fluentd'], what: 'fluentd, the node log shipper', needs: "the node's log directories (/var/log, the container logs) and root to read every pod's logs and keep its read positions", byDesign: HOST_AS_ROOT},
  // grafana/helm-charts charts/promtail: runAsUser 0 upstream, no privileges.
  {names: ['promtail'], what: 'promtail, the node log shipper for Loki', needs: "the node's container log directories and root to read every pod's logs and keep its read positions", byDesign: HOST_AS_ROOT},
  // grafana/alloy operations/helm (and the grafana-agent chart before it): the images create a non-root user but do not run as it.
  {names: ['alloy', 'grafana-agent'], image: /grafana\/(alloy|agent)\b/, what: 'Grafana Alloy (or Grafana Agent), the node telemetry collector', needs: "the node's log directories and root to read every pod's logs", byDesign: HOST_AS_ROOT},
  // vectordotdev/helm-charts charts/vector, role Agent: /var/log, /var/lib, /proc, /sys and its data directory on the host.
  {names: ['vector'], image: /(^|\/)vector([:@]|$)/, what: 'vector, the node log and metrics agent', needs: "the node's /var/log, /var/lib, /proc and /sys and root to read every pod's logs and keep its state on the host", byDesign: HOST_AS_ROOT},
  // open-telemetry/opentelemetry-helm-charts, mode daemonset with logsCollection: the image runs as uid 10001, so root is not by design.
  {names: ['opentelemetry-collector'], what: 'the OpenTelemetry Collector agent', needs: "the node's container log directories to read every pod's logs", byDesign: ['K8S-HOST-ACCESS']},

  // Other node agents.
  // NVIDIA/k8s-device-plugin deployments/static/nvidia-device-plugin.yml (name: ...-ds) and its Helm chart: no privileges by default, root for the kubelet's socket directory.
  {names: ['nvidia-device-plugin', 'nvidia-device-plugin-ds'], what: 'the NVIDIA device plugin', needs: "the kubelet's device-plugins directory and root to register the node's GPUs", byDesign: HOST_AS_ROOT},
  // metallb/metallb config/manifests/metallb-native.yaml: the speaker is the only MetalLB DaemonSet (app: metallb, component: speaker).
  {names: ['metallb'], what: "metallb's speaker, the load balancer's node agent", needs: 'the host network, NET_RAW and root to announce Service addresses (ARP/NDP, BGP) from each node', byDesign: ALL},
  // kube-vip/helm-charts charts/kube-vip, kube-vip/kube-vip docs/manifests (name: kube-vip-ds).
  {names: ['kube-vip', 'kube-vip-ds'], what: 'kube-vip, the virtual IP and load balancer node agent', needs: 'the host network, NET_ADMIN/NET_RAW and root to hold and announce its virtual addresses on each node', byDesign: ALL},

  // canonical/microk8s-core-addons addons/hostpath-storage/storage.yaml@0bcda42d (test/real-world/kubernetes/):
  // the hostPath $SNAP_COMMON/default-storage mounted at the same path, no securityContext; it is the
  // provisioner of the microk8s-hostpath storage class, where Juju's charm storage lives on MicroK8s.
  {
    kind: 'Deployment',
    names: ['hostpath-provisioner'],
    image: /(^|\/)cdkbot\/hostpath-provisioner[:@]/,
    what: "MicroK8s's hostpath provisioner",
    needs: "its host directory and root to create and delete each volume's directory in it",
    byDesign: HOST_AS_ROOT,
    breaks: "without them the microk8s-hostpath storage class (where Juju keeps charm storage on MicroK8s) can neither create nor delete volumes",
  },
]

/** The pod labels that name an agent; `name` for manifests that label only that (NVIDIA's, kube-vip's). */
const NAME_LABELS = ['app.kubernetes.io/name', 'k8s-app', 'app', 'name']

/** The node agent a workload is, by its kind and pod labels, when `rule`'s finding is what it is for. */
function nodeAgentOf(subject: PodSubject, rule: string): NodeAgent | undefined {
  const values = NAME_LABELS.map((label) => subject.labels[label]).filter((value): value is string => value !== undefined)
  const images = containersOf(subject.spec).map(({container}) => container.image ?? '')
  const runs = (agent: NodeAgent) => !agent.image || images.some((image) => agent.image?.test(image))
  return NODE_AGENTS.find(
    (agent) => subject.kind === (agent.kind ?? 'DaemonSet') && agent.byDesign.includes(rule) && agent.names.some((name) => values.includes(name)) && runs(agent),
  )
}

/**
 * The fix for a node agent's `rule` finding: waive it in hardenctl.yaml rather than change the
 * agent. Undefined when the subject is no node agent (or `rule` is not by design for it).
 */
export function nodeAgentFix(rule: string, subject: PodSubject): string | undefined {
  const agent = nodeAgentOf(subject, rule)
  if (!agent) return undefined
  const waiver = podWaiver(rule, subject, `${agent.what} needs it`)
  return `${agent.what} needs ${agent.needs}: ${agent.breaks ?? 'changing that breaks it on every node'}. Waive the finding in hardenctl.yaml (waivers: [${waiver}]) and keep who may change the ${subject.namespace} namespace narrow.`
}
