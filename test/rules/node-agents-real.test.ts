/**
 * Node agents on their real DaemonSets (test/fixtures/node-agents/, each with its repository, path and
 * commit in a header comment), and MicroK8s's hostpath provisioner Deployment (the real-world corpus's
 * copy of the add-on), through the whole audit as a user runs it: the host-access, root and
 * privilege findings stand, and for exactly the rules that are what the agent is for the fix is a
 * waiver, not a patch that breaks it on every node. A rule that is not by design for it keeps the
 * generic fix, and a DaemonSet with generic labels is no node agent.
 */
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runAudit} from '../../src/audit/run-audit.js'
import type {Finding} from '../../src/findings/types.js'
import {k8sHostAccess, k8sRunAsRoot} from '../../src/rules/kubernetes-workloads.js'
import {findings as ruleFindings, inventory, policy, workload} from './factories.js'

const FIXTURES = new URL('../fixtures/node-agents/', import.meta.url).pathname
const NOW = new Date('2026-11-23T00:00:00Z')

const HOST = 'K8S-HOST-ACCESS'
const ROOT = 'K8S-RUN-AS-ROOT'
const PRIVILEGED = 'K8S-PRIVILEGED'
const RULES = [HOST, ROOT, PRIVILEGED] as const
type RuleId = (typeof RULES)[number]

interface AgentCase {
  /** In test/fixtures/node-agents/, or a path from there. */
  file: string
  kind?: 'Deployment'
  /** `namespace/name` of the DaemonSet (or Deployment). */
  target: string
  /** The agent's `what` in src/rules/helpers/node-agents.ts. */
  what: string
  /** The findings whose fix is the waiver. */
  waived: readonly RuleId[]
  /** The findings the upstream manifest raises that are not by design: they keep the generic fix. */
  generic: readonly RuleId[]
}

const CASES: readonly AgentCase[] = [
  // runAsUser 0 on the pod, ebs-plugin privileged with Bidirectional /var/lib/kubelet, /dev.
  {file: 'aws-ebs-csi-driver__node.yaml', target: 'default/ebs-csi-node', what: 'ebs-csi-node, the AWS EBS CSI node plugin', waived: [HOST, ROOT, PRIVILEGED], generic: []},
  // hostNetwork, hostPID, privileged + SYS_ADMIN, no runAsUser.
  {file: 'ceph-csi__csi-rbdplugin.yaml', target: 'default/csi-rbdplugin', what: 'ceph-csi, the Ceph RBD/CephFS CSI node plugin', waived: [HOST, ROOT, PRIVILEGED], generic: []},
  {file: 'openebs-lvm-localpv__lvm-node.yaml', target: 'kube-system/openebs-lvm-node', what: 'the OpenEBS LocalPV (LVM, ZFS) CSI node plugin', waived: [HOST, ROOT, PRIVILEGED], generic: []},
  // Labelled app.kubernetes.io/name: longhorn too (as are Longhorn's Deployments): matched by app: longhorn-manager.
  {file: 'longhorn__longhorn-manager.yaml', target: 'longhorn-system/longhorn-manager', what: 'longhorn-manager, the Longhorn storage manager on each node', waived: [HOST, ROOT, PRIVILEGED], generic: []},
  // No securityContext: root is by design (it reads every pod's logs), privileges are not.
  {file: 'fluent-bit-kubernetes-logging__fluent-bit-ds.yaml', target: 'logging/fluent-bit', what: 'fluent-bit, the node log shipper', waived: [HOST, ROOT], generic: [PRIVILEGED]},
  {file: 'fluentd-kubernetes-daemonset__elasticsearch-rbac.yaml', target: 'kube-system/fluentd', what: 'fluentd, the node log shipper', waived: [HOST, ROOT], generic: [PRIVILEGED]},
  // The collector image runs as uid 10001: runAsNonRoot is the right fix, only its host paths are by design.
  {file: 'opentelemetry-collector__daemonset-collector-logs.yaml', target: 'default/example-opentelemetry-collector-agent', what: 'the OpenTelemetry Collector agent', waived: [HOST], generic: [ROOT, PRIVILEGED]},
  // hostNetwork and NET_RAW (drop ALL, no escalation), no runAsUser.
  {file: 'metallb__speaker.yaml', target: 'metallb-system/speaker', what: "metallb's speaker, the load balancer's node agent", waived: [HOST, ROOT, PRIVILEGED], generic: []},
  // Labelled only `name:`; drop ALL and no escalation upstream, so no K8S-PRIVILEGED finding at all.
  {file: 'nvidia-k8s-device-plugin__static.yml', target: 'kube-system/nvidia-device-plugin-daemonset', what: 'the NVIDIA device plugin', waived: [HOST, ROOT], generic: []},
  {file: 'kube-vip__arp-ds.yaml', target: 'kube-system/kube-vip-ds', what: 'kube-vip, the virtual IP and load balancer node agent', waived: [HOST, ROOT, PRIVILEGED], generic: []},
  // A Deployment: its hostPath and root are the storage class's volumes; no securityContext, so escalation is allowed, which it does not need.
  {
    file: '../../real-world/kubernetes/canonical__microk8s-core-addons__addons__hostpath-storage__storage.yaml',
    kind: 'Deployment',
    target: 'kube-system/hostpath-provisioner',
    what: "MicroK8s's hostpath provisioner",
    waived: [HOST, ROOT],
    generic: [PRIVILEGED],
  },
]

let policyDir = ''
let policyFile = ''

beforeAll(async () => {
  policyDir = await mkdtemp(join(tmpdir(), 'hardenctl-node-agents-'))
  policyFile = join(policyDir, 'hardenctl.yaml')
  const namespaces = ['default', 'kube-system', 'logging', 'longhorn-system', 'metallb-system']
  await writeFile(policyFile, `apiVersion: hardenctl.io/v1\nkubernetes:\n  namespaces: [${namespaces.join(', ')}]\n`)
})

afterAll(async () => {
  await rm(policyDir, {recursive: true, force: true})
})

async function agentFindings(file: string, target: string, kind = 'DaemonSet'): Promise<Map<string, Finding>> {
  const {report} = await runAudit({from: [join(FIXTURES, file)], toolVersion: 'test', now: NOW, policyFile})
  const [namespace, name] = target.split('/')
  const found = report.findings.filter(
    (f) => (RULES as readonly string[]).includes(f.rule) && f.target.kind === kind && f.target.namespace === namespace && f.target.name === name,
  )
  const byRule = new Map<string, Finding>()
  for (const f of found) {
    expect(byRule.has(f.rule), `${f.rule} reported once for ${target}`).toBe(false)
    byRule.set(f.rule, f)
  }
  return byRule
}

/** The generic fix of each rule, as a workload gets it when it is no node agent. */
function expectGenericFix(rule: string, remediation: string, target: string, resource = 'daemonset'): void {
  const [namespace, name] = target.split('/')
  expect(remediation, rule).not.toContain('waivers:')
  if (rule === HOST) expect(remediation).toBe(k8sHostAccess.remediation)
  if (rule === ROOT) {
    expect(remediation).toContain(`kubectl -n ${namespace} patch ${resource} ${name}`)
    expect(remediation).toContain('"runAsNonRoot":true')
  }
  if (rule === PRIVILEGED) {
    expect(remediation).toContain(`kubectl -n ${namespace} patch ${resource} ${name}`)
    expect(remediation).toContain('"allowPrivilegeEscalation":false')
  }
}

describe('node agents on their upstream manifests', () => {
  for (const agent of CASES) {
    it(`${agent.file}: ${agent.waived.join(', ')} waived${agent.generic.length > 0 ? `; ${agent.generic.join(', ')} keep the generic fix` : ''}`, async () => {
      const kind = agent.kind ?? 'DaemonSet'
      const findings = await agentFindings(agent.file, agent.target, kind)
      // The findings stand: exactly the ones the upstream manifest raises, waived or not.
      expect([...findings.keys()].sort()).toEqual([...agent.waived, ...agent.generic].sort())
      for (const rule of agent.waived) {
        const remediation = findings.get(rule)?.remediation ?? ''
        expect(remediation, rule).toContain('waivers:')
        expect(remediation, rule).toContain(`waivers: [{"rule":"${rule}","target":"${agent.target}","reason":"${agent.what} needs it"}]`)
        expect(remediation, rule).toMatch(new RegExp(`^${agent.what.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} needs `))
        expect(remediation, rule).not.toContain('kubectl')
      }
      for (const rule of agent.generic) expectGenericFix(rule, findings.get(rule)?.remediation ?? '', agent.target, kind.toLowerCase())
    })
  }
})

describe('a DaemonSet with generic labels', () => {
  it('is no node agent: app: agent, app.kubernetes.io/name: node-agent, k8s-app: logging and name: node keep every generic fix', async () => {
    const findings = await agentFindings('generic-labels__daemonset.yaml', 'logging/log-agent')
    // The same pod spec as fluent-bit's: host paths, no securityContext.
    expect([...findings.keys()].sort()).toEqual([HOST, ROOT, PRIVILEGED].sort())
    for (const [rule, finding] of findings) expectGenericFix(rule, finding.remediation ?? '', 'logging/log-agent')
  })
})

describe('names that are also common words', () => {
  // The Vector chart's agent (vectordotdev/helm-charts charts/vector, role Agent) and Alloy's
  // (grafana/alloy operations/helm) mount host paths and set no user; their names are plain words.
  const logSpec = (image: string) => ({
    containers: [{name: 'agent', image, volumeMounts: [{name: 'var-log', mountPath: '/var/log/', readOnly: true}]}],
    volumes: [{name: 'var-log', hostPath: {path: '/var/log/'}}],
  })
  const only = <T>(list: T[]): T | undefined => {
    expect(list).toHaveLength(1)
    return list[0]
  }
  /** The K8S-HOST-ACCESS and K8S-RUN-AS-ROOT fixes of one workload in `logging`. */
  const fixes = (labels: Record<string, string>, image: string, kind: 'DaemonSet' | 'Deployment' = 'DaemonSet') => {
    const inv = inventory({inputs: ['k8s-workloads'], kube: {workloads: [workload(kind, 'logging', 'collector', {labels, spec: logSpec(image)})]}})
    const scoped = policy({kubernetes: {namespaces: ['logging']}})
    return [k8sHostAccess, k8sRunAsRoot].map((rule) => only(ruleFindings(rule, inv, scoped))?.remediation ?? '')
  }

  it('take the waiver only with the agent\'s own image', () => {
    for (const remediation of fixes({'app.kubernetes.io/name': 'vector'}, 'timberio/vector:0.46.1-distroless-libc')) expect(remediation).toContain('waivers:')
    for (const remediation of fixes({'app.kubernetes.io/name': 'alloy'}, 'docker.io/grafana/alloy:v1.12.1')) expect(remediation).toContain('waivers:')
    for (const remediation of fixes({'app.kubernetes.io/name': 'vector'}, 'registry.example/vector-search/indexer:2.1')) expect(remediation).not.toContain('waivers:')
    for (const remediation of fixes({app: 'alloy'}, 'registry.example/metallurgy/alloy-sim:1')) expect(remediation).not.toContain('waivers:')
  })

  it('never for a Deployment named like a DaemonSet agent, nor for another hostpath-provisioner than MicroK8s\'s', () => {
    for (const remediation of fixes({'app.kubernetes.io/name': 'fluent-bit'}, 'cr.fluentbit.io/fluent/fluent-bit:3.2', 'Deployment')) expect(remediation).not.toContain('waivers:')
    for (const remediation of fixes({'k8s-app': 'hostpath-provisioner'}, 'registry.example/storage/hostpath-provisioner:2', 'Deployment')) expect(remediation).not.toContain('waivers:')
    for (const remediation of fixes({'k8s-app': 'hostpath-provisioner'}, 'cdkbot/hostpath-provisioner:1.4.2', 'DaemonSet')) expect(remediation).not.toContain('waivers:')
    for (const remediation of fixes({'k8s-app': 'hostpath-provisioner'}, 'cdkbot/hostpath-provisioner:1.4.2', 'Deployment')) expect(remediation).toContain('waivers:')
  })
})
