/**
 * Who connects to an Ingress backend, as the plan admits it, proved with the reachability engine
 * on the plan the CLI prints, on the Livepatch example with each controller added as its own
 * manifests or charm make it:
 * - An ingress controller on the host network (ingress-nginx with `hostNetwork: true`, as RKE2 and
 *   many bare-metal installs run it, and as Charmed Kubernetes's kubernetes-worker charm always
 *   does) connects from node addresses, which no namespace or pod selector names: the backends are
 *   admitted from `networkPolicies.nodeCidrs`. So is a pod guessed to be one (80/443 on the host
 *   network), besides every namespace.
 * - MicroK8s's ingress add-on, known by its `name` label, is admitted by namespace.
 * - Cilium's ingress (Canonical Kubernetes's) connects as Cilium's own `ingress` identity, which no
 *   peer names: its backends admit every source on their ports. So do the applications routed by
 *   gateway-api-integrator and ingress-configurator, whose data path hardenctl cannot see.
 */
import {cp, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {policiesAfterPlan} from '../../src/netpol/after-plan.js'
import {loadNetpolInput} from '../../src/netpol/command-input.js'
import {explain} from '../../src/netpol/explain.js'
import type {ReconcilePlan} from '../../src/plan/types.js'
import {REPO_ROOT} from '../helpers/cli.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'

const NODE = '192.168.1.10'

/** The upstream chart's controller with `controller.hostNetwork: true`. */
const UPSTREAM_CONTROLLER = {
  namespace: {apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'ingress-nginx', uid: '5b1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f', labels: {'kubernetes.io/metadata.name': 'ingress-nginx'}}, spec: {finalizers: ['kubernetes']}, status: {phase: 'Active'}},
  pod: {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {name: 'ingress-nginx-controller-7xk2p', namespace: 'ingress-nginx', uid: '0e5c1a52-3f7d-4c11-9a2b-6d8e4f1a2b3c', labels: {'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller'}},
    spec: {hostNetwork: true, containers: [{name: 'controller', image: 'registry.k8s.io/ingress-nginx/controller:v1.10.0', ports: [{containerPort: 80, hostPort: 80, protocol: 'TCP'}, {containerPort: 443, hostPort: 443, protocol: 'TCP'}]}]},
    status: {phase: 'Running', hostIP: NODE, podIP: NODE},
  },
}

/**
 * Charmed Kubernetes's controller: the kubernetes-worker charm renders
 * `templates/ingress-daemon-set.yaml` with `juju_application` = the application's name
 * (charmed-kubernetes/charm-kubernetes-worker, template at 127fea57, `src/charm.py` at ae94ba87,
 * option `ingress` default true): namespace `ingress-nginx-kubernetes-worker`, DaemonSet pods
 * labelled `app.kubernetes.io/name` and `app.kubernetes.io/part-of` `ingress-nginx-kubernetes-worker`,
 * `hostNetwork: true` ("hostPort doesn't work with CNI, so we have to use hostNetwork instead").
 * The pod as the API returns a DaemonSet's pod: the template's labels plus the controller's.
 */
const CHARMED_KUBERNETES_CONTROLLER = {
  namespace: {apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'ingress-nginx-kubernetes-worker', uid: '8c2f4e61-0d7a-4b3e-9f15-2a6c8d0e4b71', labels: {'cdk-kubernetes-worker-ingress': 'true', 'kubernetes.io/metadata.name': 'ingress-nginx-kubernetes-worker'}}, spec: {finalizers: ['kubernetes']}, status: {phase: 'Active'}},
  pod: {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'nginx-ingress-controller-kubernetes-worker-x7q2d',
      generateName: 'nginx-ingress-controller-kubernetes-worker-',
      namespace: 'ingress-nginx-kubernetes-worker',
      uid: '3e9b7c15-6a2d-4f80-b4c1-7d5e9a0f2c38',
      labels: {
        'app.kubernetes.io/name': 'ingress-nginx-kubernetes-worker',
        'app.kubernetes.io/part-of': 'ingress-nginx-kubernetes-worker',
        'controller-revision-hash': '6d9f8b7c5',
        'pod-template-generation': '1',
      },
      annotations: {'prometheus.io/port': '10254', 'prometheus.io/scrape': 'true'},
      ownerReferences: [{apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'nginx-ingress-controller-kubernetes-worker', uid: '9a4c2e80-1b3d-4f57-8e6a-0c2d4f6b8a91', controller: true, blockOwnerDeletion: true}],
    },
    spec: {
      serviceAccountName: 'nginx-ingress-serviceaccount-kubernetes-worker',
      nodeSelector: {'juju-application': 'kubernetes-worker'},
      hostNetwork: true,
      containers: [
        {
          name: 'nginx-ingress-controllerkubernetes-worker',
          image: 'rocks.canonical.com:443/cdk/ingress-nginx/controller:v1.6.4',
          securityContext: {capabilities: {drop: ['ALL'], add: ['NET_BIND_SERVICE']}, runAsUser: 101},
          ports: [{name: 'http', containerPort: 80, hostPort: 80, protocol: 'TCP'}, {name: 'https', containerPort: 443, hostPort: 443, protocol: 'TCP'}],
        },
      ],
    },
    status: {phase: 'Running', hostIP: NODE, podIP: NODE, podIPs: [{ip: NODE}]},
  },
}

interface Controller {
  namespace: {metadata: {name: string}}
  pod: unknown
}

/** The Livepatch example with the controller's namespace and pod added. */
async function estateWith(controller: Controller): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hardenctl-ingress-'))
  await cp(join(REPO_ROOT, 'examples', 'livepatch-k8s'), dir, {recursive: true})
  const pods = JSON.parse(await readFile(join(dir, 'kubernetes', 'pods.json'), 'utf8')) as {items: unknown[]}
  pods.items.push(controller.pod)
  await writeFile(join(dir, 'kubernetes', 'pods.json'), JSON.stringify(pods))
  const namespaces = JSON.parse(await readFile(join(dir, 'kubernetes', 'namespaces.json'), 'utf8')) as {items: unknown[]}
  namespaces.items.push(controller.namespace)
  await writeFile(join(dir, 'kubernetes', 'namespaces.json'), JSON.stringify(namespaces))
  return dir
}

const dirs: string[] = []
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, {recursive: true, force: true})))
})

/** A describe block's estate: made once before its tests, removed after the file's. */
function estateBefore(make: () => Promise<string>): () => string {
  let dir = ''
  beforeAll(async () => {
    dir = await make()
    dirs.push(dir)
  }, 60_000)
  return () => dir
}

async function planned(dir: string, controller: Controller, policy?: string) {
  const args = ['reconcile', '--dry-run', '--from', dir]
  if (policy) {
    await writeFile(join(dir, 'policy.yaml'), policy)
    args.push('--policy', join(dir, 'policy.yaml'))
  }
  const text = await runCliInWorker(args)
  expect(text.code, text.stderr).toBe(0)
  const json = await runCliInWorker([...args, '--format', 'json'])
  const plan = JSON.parse(json.stdout) as ReconcilePlan
  const live = await loadNetpolInput({from: [dir]})
  const input = {...live.input, policies: policiesAfterPlan(live.input.policies, plan)}
  const livepatch = live.classes.find((podClass) => podClass.id === 'livepatch/livepatch')!
  const fromAddress = (ip: string) => explain(input, {outside: true, ip}, livepatch, {port: 8080}).allowed
  // The controller's own class: host network, its node's address from the pod's status.
  const controllerClass = live.classes.find((podClass) => podClass.pods.includes((controller.pod as {metadata: {name: string}}).metadata.name))!
  const controllerReaches = explain(input, controllerClass, livepatch, {port: 8080}).allowed
  return {text: text.stdout, fromAddress, controllerReaches}
}

describe('an Ingress backend behind a host-network ingress controller', () => {
  const dir = estateBefore(() => estateWith(UPSTREAM_CONTROLLER))

  it('is admitted from networkPolicies.nodeCidrs, the plan closes nothing, and a note says how to narrow it', async () => {
    const {text, fromAddress, controllerReaches} = await planned(dir(), UPSTREAM_CONTROLLER)
    expect(controllerReaches).toBe(true)
    expect(text).toContain('the ingress controller in ingress-nginx runs on the host network and connects from its nodes\' addresses: admitted from networkPolicies.nodeCidrs (0.0.0.0/0, ::/0)')
    expect(text).toContain('Closes: nothing the estate shows in use or intended.')
    expect(text).toContain('set networkPolicies.nodeCidrs to the nodes\' addresses to narrow it (its pods run at 192.168.1.10: nodeCidrs: [192.168.1.10/32] admits exactly those nodes; a node added later needs adding)')
    expect(text).not.toContain('the ingress controller (ingress-nginx) connects')
    expect(fromAddress(NODE)).toBe(true)
  }, 60_000)

  it('with networkPolicies.nodeCidrs set, only the nodes reach it, and the note is gone', async () => {
    const {text, fromAddress, controllerReaches} = await planned(dir(), UPSTREAM_CONTROLLER, 'apiVersion: hardenctl.io/v1\nnetworkPolicies:\n  nodeCidrs: [192.168.1.0/24]\n')
    expect(controllerReaches).toBe(true)
    expect(text).toContain('admitted from networkPolicies.nodeCidrs (192.168.1.0/24)')
    expect(text).toContain('Closes: nothing the estate shows in use or intended.')
    expect(text).not.toContain('to narrow it')
    expect(fromAddress(NODE)).toBe(true)
    expect(fromAddress('203.0.113.9')).toBe(false)
  }, 60_000)
})

describe("an Ingress backend on Charmed Kubernetes (kubernetes-worker's own ingress-nginx, on the host network)", () => {
  const dir = estateBefore(() => estateWith(CHARMED_KUBERNETES_CONTROLLER))

  // Expected before the first run: the controller is recognised by its labels, so the plan
  // admits the backends from nodeCidrs as for the upstream chart, and the controller still
  // reaches livepatch on 8080 once the plan is applied.
  it('is admitted from networkPolicies.nodeCidrs, and the controller still reaches the backend', async () => {
    const {text, fromAddress, controllerReaches} = await planned(dir(), CHARMED_KUBERNETES_CONTROLLER)
    expect(controllerReaches).toBe(true)
    expect(text).toContain('the ingress controller in ingress-nginx-kubernetes-worker runs on the host network and connects from its nodes\' addresses: admitted from networkPolicies.nodeCidrs (0.0.0.0/0, ::/0)')
    expect(text).toContain('Closes: nothing the estate shows in use or intended.')
    expect(text).not.toContain("no ingress controller's pods were read")
    expect(fromAddress(NODE)).toBe(true)
  }, 60_000)

  // Expected before the first run, for an audit that includes the controller's namespace: its
  // host network and unset allowPrivilegeEscalation are findings, but the charm re-applies the
  // DaemonSet (a patch does not last), and off the host network its clients lose it. So the
  // fixes say so and name the charm's own switch; NetworkPolicy cannot restrict it, so reconcile
  // does not fix NET-UNRESTRICTED-POD for it.
  it("audit of its namespace: fixes that name the kubernetes-worker charm, not patches it undoes", async () => {
    await writeFile(join(dir(), 'audit-policy.yaml'), 'apiVersion: hardenctl.io/v1\nkubernetes:\n  namespaces: [ingress-nginx-kubernetes-worker]\n')
    const result = await runCliInWorker(['audit', '-f', dir(), '--policy', join(dir(), 'audit-policy.yaml'), '--format', 'json'])
    const findings = (JSON.parse(result.stdout) as {findings: {rule: string; severity: string; target: {name: string}; remediation: string; autoFixable: boolean}[]}).findings
    const on = (rule: string) => findings.find((finding) => finding.rule === rule && finding.target.name === 'nginx-ingress-controller-kubernetes-worker')!
    const hostAccess = on('K8S-HOST-ACCESS')
    expect(hostAccess.severity).toBe('high')
    expect(hostAccess.remediation).toContain("is the ingress controller on the host network: its clients reach it at the nodes' ports 80 and 443")
    expect(hostAccess.remediation).toContain("Charmed Kubernetes's kubernetes-worker charm applies this DaemonSet and re-applies it")
    expect(hostAccess.remediation).toContain('juju config kubernetes-worker ingress=false')
    expect(hostAccess.remediation).toContain('{"rule":"K8S-HOST-ACCESS","target":"ingress-nginx-kubernetes-worker/nginx-ingress-controller-kubernetes-worker"')
    expect(hostAccess.remediation).not.toContain('Remove `hostNetwork`')
    const privileged = on('K8S-PRIVILEGED')
    expect(privileged.severity).toBe('medium')
    expect(privileged.remediation).toContain("Charmed Kubernetes's kubernetes-worker charm applies this DaemonSet and re-applies it, so a patch does not last")
    expect(privileged.remediation).toContain('{"rule":"K8S-PRIVILEGED","target":"ingress-nginx-kubernetes-worker/nginx-ingress-controller-kubernetes-worker"')
    expect(privileged.remediation).not.toContain('kubectl patch')
    const unrestricted = on('NET-UNRESTRICTED-POD')
    expect(unrestricted.autoFixable).toBe(false)
  }, 60_000)
})

/**
 * MicroK8s's ingress add-on before its move to Traefik (canonical/microk8s-core-addons
 * addons/ingress/ingress.yaml@6656a216): DaemonSet nginx-ingress-microk8s-controller in namespace
 * `ingress`, pods labelled only `name: nginx-ingress-microk8s`, host ports 80, 443 and 10254 (not the
 * host network), image registry.k8s.io/ingress-nginx/controller, args --ingress-class=public.
 */
const MICROK8S_CONTROLLER = {
  namespace: {apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'ingress', uid: '9c1e3a5c-7e9a-4c1e-8a5c-7e9a1c3e5a7c', labels: {'kubernetes.io/metadata.name': 'ingress'}}, spec: {finalizers: ['kubernetes']}, status: {phase: 'Active'}},
  pod: {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'nginx-ingress-microk8s-controller-w8vbm',
      generateName: 'nginx-ingress-microk8s-controller-',
      namespace: 'ingress',
      uid: '0d2f4b6d-8f0b-4d2f-9b6d-8f0b2d4f6b8d',
      labels: {name: 'nginx-ingress-microk8s', 'controller-revision-hash': '5b8c7d6f9', 'pod-template-generation': '1'},
      ownerReferences: [{apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'nginx-ingress-microk8s-controller', uid: '1e3a5c7e-9a1c-4e3a-8c7e-9a1c3e5a7c9e', controller: true, blockOwnerDeletion: true}],
    },
    spec: {
      serviceAccountName: 'nginx-ingress-microk8s-serviceaccount',
      containers: [
        {
          name: 'nginx-ingress-microk8s',
          image: 'registry.k8s.io/ingress-nginx/controller:v1.8.0',
          securityContext: {capabilities: {add: ['NET_BIND_SERVICE'], drop: ['ALL']}, runAsUser: 101},
          ports: [
            {name: 'http', containerPort: 80, hostPort: 80, protocol: 'TCP'},
            {name: 'https', containerPort: 443, hostPort: 443, protocol: 'TCP'},
            {name: 'health', containerPort: 10254, hostPort: 10254, protocol: 'TCP'},
          ],
        },
      ],
    },
    status: {phase: 'Running', hostIP: NODE, podIP: '10.1.42.50', podIPs: [{ip: '10.1.42.50'}]},
  },
}

describe("an Ingress backend behind MicroK8s's ingress add-on (pods labelled only name: nginx-ingress-microk8s)", () => {
  const dir = estateBefore(() => estateWith(MICROK8S_CONTROLLER))

  // Expected before the first run: recognised by its `name` label, so its namespace `ingress` is
  // admitted by selector (its host ports lead to the pod, which connects from its own address), not
  // every namespace, and the plan does not say no controller was read.
  it('admits the add-on\'s namespace by selector, and the controller still reaches the backend', async () => {
    const {text, controllerReaches} = await planned(dir(), MICROK8S_CONTROLLER)
    expect(controllerReaches).toBe(true)
    expect(text).toContain('Ingress relation-4-livepatch-ingress routes to livepatch: the ingress controller (ingress) connects')
    expect(text).not.toContain("no ingress controller's pods were read")
    expect(text).toContain('Closes: nothing the estate shows in use or intended.')
  }, 60_000)
})

/** An in-house edge proxy on the host network, under a name hardenctl does not list. */
const UNLISTED_CONTROLLER = {
  namespace: {apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'edge', uid: '4d6f8a0c-2e4a-4c6e-8a0c-2e4a6c8e0a2c', labels: {'kubernetes.io/metadata.name': 'edge'}}, spec: {finalizers: ['kubernetes']}, status: {phase: 'Active'}},
  pod: {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {name: 'edge-proxy-5c8d7', namespace: 'edge', uid: '7b9d1f3a-5c7e-4a9b-8d1f-3a5c7e9b1d3f', labels: {app: 'edge-proxy'}},
    spec: {hostNetwork: true, containers: [{name: 'haproxy', image: 'haproxy:2.9', ports: [{containerPort: 443, hostPort: 443, protocol: 'TCP'}]}]},
    status: {phase: 'Running', hostIP: NODE, podIP: NODE},
  },
}

describe('an Ingress backend behind an edge proxy on the host network under a name hardenctl does not know', () => {
  const dir = estateBefore(() => estateWith(UNLISTED_CONTROLLER))

  // Expected before the first run: a pod listening on 443 on the host network is taken for the
  // controller, so its nodes are admitted, and a note names the pod and why.
  it('is admitted from networkPolicies.nodeCidrs, and the plan names the pod it took for the controller', async () => {
    const {text, fromAddress, controllerReaches} = await planned(dir(), UNLISTED_CONTROLLER)
    expect(controllerReaches).toBe(true)
    expect(text).toContain("the ingress controller in edge runs on the host network and connects from its nodes' addresses: admitted from networkPolicies.nodeCidrs (0.0.0.0/0, ::/0)")
    expect(text).toContain('edge/edge-proxy-5c8d7 listens on 80 or 443 on the host network, under a name hardenctl does not know as an ingress controller: taken for one')
    // A guess does not stand in for the controller not read: every namespace stays admitted too.
    expect(text).toContain('Ingress relation-4-livepatch-ingress routes to livepatch: the ingress controller (namespace unknown) connects')
    expect(text).toContain("and no known ingress controller's pods were read: besides the nodes of the pods taken for one, every namespace is admitted on its backend ports")
    expect(text).toContain('Closes: nothing the estate shows in use or intended.')
    expect(fromAddress(NODE)).toBe(true)
  }, 60_000)
})

/**
 * Canonical Kubernetes with `k8s enable ingress`: Cilium's ingress controller (canonical/k8s-snap
 * src/k8s/pkg/k8sd/features/cilium/ingress.go@73b7dac9, `ingressController.enabled`), class
 * `cilium`; the Ingress names it. The Cilium agent's pod in kube-system, as its DaemonSet makes it.
 */
const CILIUM_AGENT = {
  namespace: {apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'kube-system', uid: '1a3c5e7f-9b1d-4f3a-8c5e-7f9b1d3f5a7c', labels: {'kubernetes.io/metadata.name': 'kube-system'}}, spec: {finalizers: ['kubernetes']}, status: {phase: 'Active'}},
  pod: {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {name: 'cilium-7vq2n', generateName: 'cilium-', namespace: 'kube-system', uid: '2b4d6f8a-0c2e-4a6c-9e0a-2c4e6a8c0e2a', labels: {'k8s-app': 'cilium', 'app.kubernetes.io/name': 'cilium-agent', 'app.kubernetes.io/part-of': 'cilium'}},
    spec: {hostNetwork: true, containers: [{name: 'cilium-agent', image: 'ghcr.io/canonical/cilium:1.16.8-ck0', ports: [{name: 'peer-service', containerPort: 4244, hostPort: 4244, protocol: 'TCP'}]}]},
    status: {phase: 'Running', hostIP: NODE, podIP: NODE},
  },
}

/** The Cilium estate with the example's Ingress naming `ingressClass` (none when undefined). */
async function ciliumEstateWithIngressClass(ingressClass: string | undefined): Promise<string> {
  return estateWithIngressClass(await estateWith(CILIUM_AGENT), ingressClass)
}

/** The estate in `dir` with the example's Ingress naming `ingressClass` (none when undefined). */
async function estateWithIngressClass(dir: string, ingressClass: string | undefined): Promise<string> {
  const file = join(dir, 'kubernetes', 'ingresses.json')
  const ingresses = JSON.parse(await readFile(file, 'utf8')) as {items: {spec: {ingressClassName?: string}}[]}
  for (const ingress of ingresses.items) {
    if (ingressClass === undefined) delete ingress.spec.ingressClassName
    else ingress.spec.ingressClassName = ingressClass
  }
  await writeFile(file, JSON.stringify(ingresses))
  return dir
}

describe("an Ingress backend behind Cilium's ingress (Canonical Kubernetes)", () => {
  const dir = estateBefore(() => ciliumEstateWithIngressClass('cilium'))

  // Expected before the first run: the backend admits every source on its port (8080), the note
  // says why and how a CiliumNetworkPolicy narrows it, and no "no controller" fallback appears.
  it('admits every source on the backend port, and says why and how to narrow it', async () => {
    const {text, fromAddress} = await planned(dir(), CILIUM_AGENT)
    expect(text).toContain("Ingress relation-4-livepatch-ingress (class cilium) routes to livepatch: Cilium's ingress connects as its own identity, which no NetworkPolicy peer names, so every source is admitted on the backend ports")
    expect(text).toContain("livepatch/livepatch: Ingress relation-4-livepatch-ingress is served by Cilium's ingress controller, whose traffic carries Cilium's `ingress` identity: a Kubernetes NetworkPolicy cannot name it, so livepatch admits every source on 8080/TCP")
    expect(text).toContain('fromEntities: [ingress]')
    expect(text).not.toContain("no ingress controller's pods were read")
    expect(text).toContain('Closes: nothing the estate shows in use or intended.')
    expect(fromAddress('203.0.113.9')).toBe(true)
  }, 60_000)
})

describe("an Ingress naming no class where Cilium is the only controller seen (its ingress may be the default class)", () => {
  const dir = estateBefore(() => ciliumEstateWithIngressClass(undefined))

  // Expected before the first run: taken for Cilium's (every source on 8080), not "every namespace", which Cilium's identity does not match.
  it('is taken for Cilium\'s and admits every source on the backend port', async () => {
    const {text, fromAddress} = await planned(dir(), CILIUM_AGENT)
    expect(text).toContain("Ingress relation-4-livepatch-ingress (no class, Cilium the only controller seen) routes to livepatch: Cilium's ingress connects as its own identity")
    expect(text).toContain("names no ingress class, no other ingress controller's pods were read, and Cilium runs, whose ingress controller may be the default class: taken for Cilium's")
    expect(text).not.toContain("no ingress controller's pods were read: admitted from every namespace")
    expect(fromAddress('203.0.113.9')).toBe(true)
  }, 60_000)
})

/**
 * A cloud's own load balancer as the Ingress controller: the AWS Load Balancer Controller's ALB
 * (class `alb`) targets pod addresses directly in IP mode ("the AWS NLB targets traffic directly to
 * the Kubernetes pods", kubernetes-sigs/aws-load-balancer-controller docs, guide/service/nlb) or the
 * nodes in instance mode; GKE's (class `gce`) connects from Google's front ends. No controller pod
 * connects, so neither a namespace nor a pod selector admits it.
 */
describe("an Ingress served by a cloud's load balancer (class alb on EKS, gce on GKE)", () => {
  const dir = estateBefore(async () => estateWithIngressClass(await estateWith(UPSTREAM_CONTROLLER), 'alb'))

  // Expected before the first run: every source on 8080 for class alb, with a note naming the ALB
  // and how to narrow it; not the ingress-nginx namespace (that controller does not serve class alb).
  it('admits every source on the backend port, and says the load balancer connects from outside the pod network', async () => {
    const {text, fromAddress} = await planned(dir(), UPSTREAM_CONTROLLER)
    expect(text).toContain("Ingress relation-4-livepatch-ingress (class alb) routes to livepatch: the AWS Application Load Balancer connects from addresses hardenctl does not know, so every source is admitted on the backend ports")
    expect(text).toContain("livepatch/livepatch: Ingress relation-4-livepatch-ingress is served by the AWS Application Load Balancer (AWS Load Balancer Controller), which connects from its own addresses in its subnets (target type ip) or through the nodes (instance): livepatch admits every source on 8080/TCP")
    expect(fromAddress('203.0.113.9')).toBe(true)
  }, 60_000)
})

/**
 * Livepatch routed by gateway-api-integrator, as Livepatch's charm metadata intends its `ingress`
 * endpoint ("intended to be used with the gateway api integrator charm"). The integrator writes a
 * Gateway of its `gateway-class` and an HTTPRoute to a Service of its own, `APP-gateway-service`,
 * on the port the application sends (canonical/gateway-api-integrator-operator src/charm.py,
 * `INGRESS_RELATION = "gateway"`, IngressPerAppProvider; src/state/http_route.py@ea8eacc7;
 * src/resource_manager/service.py@14b393fb). Whatever implements the class connects: on Canonical
 * Kubernetes, Cilium's Envoy as its `ingress` identity. hardenctl reads no Gateway API objects.
 * The estate is Canonical Kubernetes's: Cilium's agent runs. With `ingress-configurator` in the
 * integrator's place, the chain the integrator's tutorials build (the application's `ingress` to
 * ingress-configurator, which passes the route on over `gateway-route` or to HAProxy).
 */
async function estateRoutedBy(charm: 'gateway-api-integrator' | 'ingress-configurator', endpoint: 'gateway' | 'ingress'): Promise<string> {
  const dir = await estateWith(CILIUM_AGENT)
  const model = join(dir, 'juju', 'microk8s-prod', 'models', 'livepatch')
  const status = JSON.parse(await readFile(join(model, 'status.json'), 'utf8')) as {applications: Record<string, {charm: string; 'charm-name': string; relations: Record<string, unknown[]>}>}
  const integrator = status.applications.ingress!
  Object.assign(integrator, {charm, 'charm-name': charm, relations: {[endpoint]: [{'related-application': 'livepatch', interface: 'ingress', scope: 'global'}]}})
  const livepatch = status.applications.livepatch!
  delete livepatch.relations['nginx-route']
  livepatch.relations.ingress = [{'related-application': 'ingress', interface: 'ingress', scope: 'global'}]
  await writeFile(join(model, 'status.json'), JSON.stringify(status))
  const bundle = await readFile(join(model, 'bundle.yaml'), 'utf8')
  await writeFile(join(model, 'bundle.yaml'), bundle.replace('charm: nginx-ingress-integrator', `charm: ${charm}`).replace('- - livepatch:nginx-route\n  - ingress:nginx-route', `- - livepatch:ingress\n  - ingress:${endpoint}`))
  await writeFile(join(dir, 'kubernetes', 'ingresses.json'), JSON.stringify({apiVersion: 'v1', kind: 'List', items: []}))
  const services = JSON.parse(await readFile(join(dir, 'kubernetes', 'services.json'), 'utf8')) as {items: {metadata: {name: string; namespace?: string; labels?: Record<string, string>}; spec: Record<string, unknown>}[]}
  const nginxMade = services.items.find((service) => service.metadata.name === 'relation-4-livepatch-service')!
  services.items = services.items.filter((service) => service !== nginxMade)
  services.items.push({
    ...nginxMade,
    metadata: {...nginxMade.metadata, name: 'livepatch-gateway-service', labels: {'gateway-api-integrator.charm.juju.is/managed-by': 'ingress'}},
    spec: {...nginxMade.spec, selector: {'app.kubernetes.io/name': 'livepatch'}, ports: [{name: 'tcp-8080', port: 8080, protocol: 'TCP', targetPort: 8080}]},
  })
  // A Service of the application's own on another port: the route does not use it, so it stays closed to outside.
  services.items.push({...nginxMade, metadata: {...nginxMade.metadata, name: 'livepatch-metrics', labels: {}}, spec: {...nginxMade.spec, selector: {'app.kubernetes.io/name': 'livepatch'}, ports: [{name: 'metrics', port: 9102, protocol: 'TCP', targetPort: 9102}]}})
  await writeFile(join(dir, 'kubernetes', 'services.json'), JSON.stringify(services))
  return dir
}

describe('a backend routed by gateway-api-integrator (Gateway API, whose data path hardenctl does not read)', () => {
  const dir = estateBefore(() => estateRoutedBy('gateway-api-integrator', 'gateway'))

  // Expected before the first run: livepatch admits every source on 8080 (the port of the
  // integrator's Service), the note says why, and nothing in use is closed.
  it('admits every source on the routed port, says why, and closes nothing', async () => {
    const {text, fromAddress} = await planned(dir(), CILIUM_AGENT)
    expect(text).toMatch(/relation [a-z:-]+ ↔ [a-z:-]+: ingress \(gateway-api-integrator\) routes to livepatch through a Gateway, whose connections no NetworkPolicy peer here names: every source is admitted on its ports/)
    expect(text).toContain('livepatch/livepatch: ingress (gateway-api-integrator) routes to it through a Gateway of its gateway-class')
    expect(text).toContain('so livepatch admits every source on 8080/TCP;')
    expect(text).toContain('Closes: nothing the estate shows in use or intended.')
    expect(fromAddress('203.0.113.9')).toBe(true)
  }, 60_000)

  // Expected before the first run: the integrator is Livepatch's way in, without TLS (no
  // certificates relation), and its fix gives it one, since gateway-api-integrator takes its
  // certificate over `certificates` (no tls-secret-name option as nginx-ingress-integrator has).
  // The admin-API and trust expectations were added after that first run showed the fixes.
  it("audit: the integrator is Livepatch's way in: LIVEPATCH-TLS gives it a certificate, LIVEPATCH-ADMIN-API narrows its Gateway, JUJU-TRUST keeps its trust", async () => {
    const result = await runCliInWorker(['audit', '-f', dir(), '--format', 'json'])
    const findings = (JSON.parse(result.stdout) as {findings: {rule: string; severity: string; message: string; remediation: string}[]}).findings
    const tls = findings.find((finding) => finding.rule === 'LIVEPATCH-TLS')!
    expect(tls.severity).toBe('high')
    expect(tls.message).toContain('ingress (gateway-api-integrator) without TLS')
    expect(tls.remediation).toContain('ingress:certificates')
    expect(tls.remediation).not.toContain('tls-secret-name')
    // Its Gateway takes no allowlist and reconcile admits every source for it: the fix narrows the
    // Gateway's implementation, not a reconcile that would leave the rule asking for itself again.
    const admin = findings.find((finding) => finding.rule === 'LIVEPATCH-ADMIN-API')!
    expect(admin.remediation).toMatch(/^ingress \(gateway-api-integrator\) routes to it through a Gateway, which takes no source allowlist/)
    expect(admin.remediation).toContain('CiliumClusterwideNetworkPolicy selecting the reserved:ingress identity')
    // It needs its trust (it creates the Gateway and HTTPRoute): keep it, audited.
    const trust = findings.find((finding) => finding.rule === 'JUJU-TRUST' && finding.message.startsWith('ingress '))!
    expect(trust.remediation).toMatch(/^audit ingress and add "livepatch\/ingress" to trust\.allow in hardenctl\.yaml: gateway-api-integrator needs --trust \(it creates the Gateway and HTTPRoute objects\)/)
  }, 60_000)
})

describe('a backend routed through ingress-configurator (its route served by a Gateway or HAProxy)', () => {
  const dir = estateBefore(() => estateRoutedBy('ingress-configurator', 'ingress'))

  // Expected before the first run: as behind gateway-api-integrator, every source on 8080.
  it('admits every source on the routed port, says why, and closes nothing', async () => {
    const {text, fromAddress} = await planned(dir(), CILIUM_AGENT)
    expect(text).toMatch(/relation [a-z:-]+ ↔ [a-z:-]+: ingress \(ingress-configurator\) routes to livepatch through the route it configures, whose connections no NetworkPolicy peer here names: every source is admitted on its ports/)
    expect(text).toContain("livepatch/livepatch: ingress (ingress-configurator) routes to it through the route it configures on gateway-api-integrator (gateway-route) or HAProxy (haproxy-route), so the Gateway's implementation or HAProxy's units connect")
    expect(text).toContain('Closes: nothing the estate shows in use or intended.')
    expect(fromAddress('203.0.113.9')).toBe(true)
    const audit = await runCliInWorker(['audit', '-f', dir(), '--format', 'json'])
    const admin = (JSON.parse(audit.stdout) as {findings: {rule: string; remediation: string}[]}).findings.find((finding) => finding.rule === 'LIVEPATCH-ADMIN-API')!
    expect(admin.remediation).toMatch(/^ingress \(ingress-configurator\) routes to it through the route it configures on gateway-api-integrator or HAProxy; no NetworkPolicy on Livepatch's pods can tell admins from clients/)
  }, 60_000)
})
