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
 * - Cilium's ingress (class `cilium`, Canonical Kubernetes's `ck-ingress`, or any class whose
 *   IngressClass names Cilium's controller) connects as Cilium's own `ingress` identity, which no
 *   peer names: its backends admit every source on their ports. So does a cloud's load balancer,
 *   and so do the applications routed by gateway-api-integrator and ingress-configurator.
 * Routes of the Gateway API are in reconcile-gateway-routes.test.ts.
 */
import {readFile, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {runCliInWorker} from '../helpers/cli-in-worker.js'
import {CILIUM_AGENT, type Controller, estateBefore, estateWith, NODE, plannedEstate, writeList} from '../helpers/ingress-estate.js'

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

/** Planned on the estate, with the controller's own pod asked whether it still reaches livepatch on 8080. */
async function planned(dir: string, controller: Controller, policy?: string) {
  const plan = await plannedEstate(dir, policy)
  return {...plan, controllerReaches: plan.podReaches((controller.pod as {metadata: {name: string}}).metadata.name)}
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
 * Cilium's ingress controller: its chart's IngressClass is `cilium` (cilium/cilium
 * install/kubernetes/cilium/templates/cilium-ingress-class.yaml@02515d1e); Canonical Kubernetes's
 * `k8s enable ingress` (canonical/k8s-snap src/k8s/pkg/k8sd/features/cilium/ingress.go@73b7dac9,
 * `ingressController.enabled`) installs its own, `ck-ingress`, as k8s-snap's chart makes it
 * (k8s/manifests/charts/ck-ingress-cilium/ingresscontroller.yaml@958a6ec2: no default-class
 * annotation), with the fields the API server adds. Cilium's agent (CILIUM_AGENT) runs.
 */
const CK_INGRESS_CLASS = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'IngressClass',
  metadata: {name: 'ck-ingress', uid: '6c1e3a5b-7d9f-4b2c-8e4a-1c3e5a7b9d0f', resourceVersion: '1893', generation: 1, creationTimestamp: '2025-09-01T08:00:12Z'},
  spec: {controller: 'cilium.io/ingress-controller'},
}

/** The Cilium estate with the example's Ingress naming `ingressClass` (none when undefined), and `ingressClasses` read. */
async function ciliumEstateWithIngressClass(ingressClass: string | undefined, ingressClasses: unknown[] = []): Promise<string> {
  return estateWithIngressClass(await estateWith({...CILIUM_AGENT, ingressClasses}), ingressClass)
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

describe("an Ingress backend behind Cilium's ingress (class cilium, Cilium's chart)", () => {
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

describe("an Ingress backend behind Canonical Kubernetes's ingress (class ck-ingress, Cilium's)", () => {
  // Expected before the first run: with its IngressClass read, the class's controller
  // (cilium.io/ingress-controller) makes it Cilium's: every source on 8080, as for class cilium.
  // Before IngressClasses were read, only the name `cilium` was known, and `ck-ingress` fell to
  // "every namespace", which Cilium's identity does not match: the Ingress was cut.
  const read = estateBefore(() => ciliumEstateWithIngressClass('ck-ingress', [CK_INGRESS_CLASS]))
  it('with its IngressClass read: Cilium by the class\'s controller, every source on the backend port', async () => {
    const {text, fromAddress} = await planned(read(), CILIUM_AGENT)
    expect(text).toContain("Ingress relation-4-livepatch-ingress (class ck-ingress) routes to livepatch: Cilium's ingress connects as its own identity")
    expect(text).not.toContain("no ingress controller's pods were read")
    expect(fromAddress('203.0.113.9')).toBe(true)
  }, 60_000)

  // A snapshot from before IngressClasses were listed: Canonical Kubernetes's class name alone says it.
  const unread = estateBefore(async () => {
    const dir = await ciliumEstateWithIngressClass('ck-ingress')
    await rm(join(dir, 'kubernetes', 'ingressclasses.json'))
    return dir
  })
  it('with no IngressClass read: Cilium by the class\'s name', async () => {
    const {text, fromAddress} = await planned(unread(), CILIUM_AGENT)
    expect(text).toContain("Ingress relation-4-livepatch-ingress (class ck-ingress) routes to livepatch: Cilium's ingress connects as its own identity")
    expect(fromAddress('203.0.113.9')).toBe(true)
  }, 60_000)

  // Cilium's chart marks its class the default with ingressController.default: a class-less
  // Ingress is then Cilium's by the IngressClass read, not by guessing.
  const byDefault = estateBefore(() =>
    ciliumEstateWithIngressClass(undefined, [{...CK_INGRESS_CLASS, metadata: {...CK_INGRESS_CLASS.metadata, name: 'cilium', annotations: {'ingressclass.kubernetes.io/is-default-class': 'true'}}}]),
  )
  it("an Ingress naming no class, where the default IngressClass is Cilium's: every source, and the plan says which class", async () => {
    const {text, fromAddress} = await planned(byDefault(), CILIUM_AGENT)
    expect(text).toContain("Ingress relation-4-livepatch-ingress (no class; the default class cilium is Cilium's) routes to livepatch")
    expect(text).toContain('Ingress relation-4-livepatch-ingress names no ingress class, and the default IngressClass cilium is Cilium\'s ingress controller')
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

  // The AWS Load Balancer Controller's IngressClass takes any name (helm value ingressClass;
  // helm/aws-load-balancer-controller/templates/ingressclass.yaml@0dfe2a59): its controller says it
  // is the ALB. Before IngressClasses were read, a class not named `alb` fell to ingress-nginx's
  // namespace, which the ALB's addresses are not in.
  const renamed = estateBefore(async () =>
    estateWithIngressClass(
      await estateWith({
        ...UPSTREAM_CONTROLLER,
        ingressClasses: [{apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: {name: 'internet-facing', uid: '4e6a8c0e-2a4c-4e6a-8c0e-2a4c6e8a0c2e', generation: 1}, spec: {controller: 'ingress.k8s.aws/alb'}}],
      }),
      'internet-facing',
    ),
  )
  it('a class of another name whose IngressClass names the ALB controller: the same', async () => {
    const {text, fromAddress} = await planned(renamed(), UPSTREAM_CONTROLLER)
    expect(text).toContain('Ingress relation-4-livepatch-ingress (class internet-facing) routes to livepatch: the AWS Application Load Balancer connects from addresses hardenctl does not know')
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
 * Kubernetes, Cilium's Envoy as its `ingress` identity. The estate is Canonical Kubernetes's:
 * Cilium's agent runs, and the integrator's Gateway (class `ck-gateway`) and HTTPRoutes are there
 * as it makes them (src/resource_manager/gateway.py@059640f6, http_route.py@4adf68b0): the
 * relation's rule covers them, so the plan adds no second rule for the HTTPRoute. With `ingress-configurator` in the
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
  if (charm === 'gateway-api-integrator') await addIntegratorGatewayObjects(dir)
  return dir
}

/** gateway-api-integrator `ingress` in model livepatch, gateway-class ck-gateway, external-hostname livepatch.example.com. */
async function addIntegratorGatewayObjects(dir: string): Promise<void> {
  const labels = {'gateway-api-integrator.charm.juju.is/managed-by': 'ingress'}
  const metadata = (name: string, uid: string) => ({name, namespace: 'livepatch', uid, labels, generation: 1, creationTimestamp: '2025-09-02T10:00:00Z'})
  const listener = (type: 'http' | 'https') => ({
    name: `ingress-${type}-listener`,
    hostname: 'livepatch.example.com',
    port: type === 'http' ? 80 : 443,
    protocol: type === 'http' ? 'HTTP' : 'HTTPS',
    allowedRoutes: {namespaces: {from: 'All'}},
    ...(type === 'https' ? {tls: {certificateRefs: [{kind: 'Secret', name: 'ingress-secret--livepatch.example.com'}]}} : {}),
  })
  await writeList(dir, 'gatewayclasses', [{apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: {name: 'ck-gateway', uid: '0a2c4e6a-8c0e-4a2c-9e6a-8c0e2a4c6e8a', generation: 1}, spec: {controllerName: 'io.cilium/gateway-controller'}}])
  await writeList(dir, 'gateways', [{apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: metadata('ingress', '1b3d5f7a-9c1e-4b3d-8f7a-9c1e3b5d7f9a'), spec: {gatewayClassName: 'ck-gateway', listeners: [listener('http'), listener('https')]}}])
  const route = (type: 'http' | 'https', uid: string) => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: metadata(`ingress-${type}`, uid),
    spec: {
      parentRefs: [{name: 'ingress', namespace: 'livepatch', sectionName: `ingress-${type}-listener`}],
      rules: [{matches: [{path: {type: 'PathPrefix', value: '/livepatch-livepatch'}}], backendRefs: [{name: 'livepatch-gateway-service', port: 8080}]}],
    },
  })
  await writeList(dir, 'httproutes', [route('http', '2c4e6a8c-0e2a-4c4e-9a8c-0e2a4c6e8a0c'), route('https', '3d5f7a9c-1e3b-4d5f-8a9c-1e3b5d7f9a1c')])
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
    // The integrator's own HTTPRoutes are read now, and left to the relation's rule.
    expect(text).not.toContain('HTTPRoute ingress-https')
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
