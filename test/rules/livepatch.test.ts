import {describe, expect, it} from 'vitest'

import {livepatchAdminApi, livepatchDbExposed, livepatchDbTls, livepatchTls} from '../../src/rules/livepatch.js'
import type {Application} from '../../src/inventory/types.js'
import {app, findings, ingress, inventory, model, namespace, networkPolicy, pod, policy, relation, run, service} from './factories.js'

function livepatchModel(extra: {ingress?: Partial<Application>; pg?: Partial<Application>} = {}) {
  return model('livepatch', {
    type: 'caas',
    namespace: 'livepatch',
    inputs: ['juju-bundle'],
    apps: [
      app('livepatch', {charm: 'canonical-livepatch-server-k8s'}),
      app('postgresql', {charm: 'postgresql-k8s', trust: true, ...extra.pg}),
      app('ingress', {charm: 'nginx-ingress-integrator', trust: true, ...extra.ingress}),
    ],
    relations: [relation('livepatch:database', 'postgresql:database'), relation('livepatch:nginx-route', 'ingress:nginx-route')],
  })
}
const ns = namespace('livepatch', {'model.juju.is/name': 'livepatch'})
const lpLabels = {'app.kubernetes.io/name': 'livepatch'}

describe('LIVEPATCH-ADMIN-API', () => {
  it('flags a Livepatch server behind an ingress with no NetworkPolicy source allowlist', () => {
    const inv = inventory({models: [livepatchModel()], inputs: ['k8s-networkpolicies'], kube: {namespaces: [ns]}})
    const [f] = findings(livepatchAdminApi, inv, policy({livepatch: {adminCidrs: ['10.20.0.0/16']}}))
    expect(f).toMatchObject({rule: 'LIVEPATCH-ADMIN-API', severity: 'high', target: {kind: 'application', name: 'livepatch', model: 'livepatch'}})
    expect(f?.message).toContain('no NetworkPolicy restricts')
    // A policy of the admin networks alone would cut off the clients coming through the ingress.
    expect(f?.remediation).toMatch(/^hardenctl reconcile -n livepatch {3}# first: admits only the ingress controller and the related applications, .*; then narrow the ingress to the admin networks/)
    expect(f?.remediation).not.toContain('"cidr"')
  })

  it('reached only through a LoadBalancer Service: a policy of the admin networks, which says it cuts clients outside them', () => {
    const m = model('livepatch', {type: 'caas', namespace: 'livepatch', inputs: ['juju-bundle'], apps: [app('livepatch', {charm: 'canonical-livepatch-server-k8s'})]})
    const lb = service('livepatch', 'livepatch-lb', {type: 'LoadBalancer', selector: lpLabels, ports: [{port: 443, targetPort: 8080}]})
    const inv = inventory({models: [m], inputs: ['k8s-networkpolicies', 'k8s-services'], kube: {namespaces: [ns], services: [lb]}})
    const withCidrs = findings(livepatchAdminApi, inv, policy({livepatch: {adminCidrs: ['10.20.0.0/16']}}))[0]
    expect(withCidrs?.remediation).toContain('"ingress":[{"from":[{"ipBlock":{"cidr":"10.20.0.0/16"}}]}]')
    expect(withCidrs?.remediation).toContain('# sources from livepatch.adminCidrs; the client API shares the port, so only if every Livepatch client is in these networks too')
    // Without adminCidrs, the placeholder every fix uses, not a documentation network that would apply silently.
    expect(findings(livepatchAdminApi, inv)[0]?.remediation).toContain('{"ipBlock":{"cidr":"ADMIN-CIDRS"}}')
  })

  it('flags a policy that admits 0.0.0.0/0', () => {
    const open = networkPolicy('livepatch', 'lp', {podSelector: {matchLabels: lpLabels}, ingress: [{from: [{ipBlock: {cidr: '0.0.0.0/0'}}], ports: [{port: 8080}]}]})
    const [f] = findings(livepatchAdminApi, inventory({models: [livepatchModel()], inputs: ['k8s-networkpolicies'], kube: {namespaces: [ns], networkPolicies: [open]}}))
    expect(f?.message).toContain('admits 0.0.0.0/0')
  })

  it('accepts pods restricted to the admin networks', () => {
    const limited = networkPolicy('livepatch', 'lp', {podSelector: {matchLabels: lpLabels}, ingress: [{from: [{ipBlock: {cidr: '10.20.0.0/16'}}]}]})
    expect(findings(livepatchAdminApi, inventory({models: [livepatchModel()], inputs: ['k8s-networkpolicies'], kube: {namespaces: [ns], networkPolicies: [limited]}}))).toEqual([])
  })

  describe('behind an Ingress, with policies that admit in-cluster sources', () => {
    // Livepatch's pod and Service (8080), an Ingress to it, and ingress-nginx's controller pod.
    const withPods = () => {
      const m = livepatchModel()
      const lp = m.applications.get('livepatch')!
      const lpPod = pod('livepatch', 'livepatch-0', {labels: lpLabels})
      const lpService = service('livepatch', 'livepatch', {selector: lpLabels, ports: [{port: 8080, targetPort: 8080}]})
      lp.kubernetes = {namespace: 'livepatch', workloads: [], pods: [lpPod], services: [lpService], serviceAccounts: [], roles: [], clusterRoles: []}
      const route = ingress('livepatch', 'lp', {rules: [{http: {paths: [{backend: {service: {name: 'livepatch'}}}]}}]})
      const controller = pod('ingress-nginx', 'controller-0', {labels: {'app.kubernetes.io/name': 'ingress-nginx'}})
      return {m, lpPod, lpService, route, controller}
    }
    const admitting = (from: {namespaceSelector: {matchLabels?: Record<string, string>}} | {ipBlock: {cidr: string}}) =>
      networkPolicy('livepatch', 'lp', {podSelector: {matchLabels: lpLabels}, ingress: [{from: [from], ports: [{port: 8080}]}]})
    const judge = (policies: ReturnType<typeof admitting>[], options: {annotations?: Record<string, string>; controller?: Partial<ReturnType<typeof pod>>} = {}) => {
      const {m, lpPod, lpService, route, controller} = withPods()
      if (options.annotations) route.metadata.annotations = options.annotations
      Object.assign(controller, options.controller)
      const namespaces = [ns, namespace('ingress-nginx'), namespace('monitoring')]
      return run(
        livepatchAdminApi,
        inventory({models: [m], inputs: ['k8s-networkpolicies', 'k8s-ingresses', 'k8s-services', 'k8s-pods'], kube: {namespaces, pods: [lpPod, controller], services: [lpService], ingresses: [route], networkPolicies: policies}}),
        policy({livepatch: {adminCidrs: ['10.20.0.0/16']}}),
      )
    }
    const evaluate = (policies: ReturnType<typeof admitting>[], annotations?: Record<string, string>) => judge(policies, annotations ? {annotations} : {}).findings.map((f) => f.finding)

    it('flags the admin API when the engine says the controller gets in, and narrows the ingress charm', () => {
      const [f] = evaluate([admitting({namespaceSelector: {matchLabels: {'kubernetes.io/metadata.name': 'ingress-nginx'}}})])
      expect(f?.message).toContain('its NetworkPolicies admit the ingress controller (ingress-nginx/ingress-nginx), and Ingress livepatch/lp routes to it with no source allowlist')
      expect(f?.remediation).toMatch(/^juju config -m prod:livepatch ingress whitelist-source-range=10\.20\.0\.0\/16 {3}# only if/)
    })

    it('passes when the policies let only another namespace in, or the Ingress admits only the admin networks', () => {
      const monitoring = admitting({namespaceSelector: {matchLabels: {'kubernetes.io/metadata.name': 'monitoring'}}})
      expect(evaluate([monitoring])).toEqual([])
      const controllerIn = admitting({namespaceSelector: {}})
      expect(evaluate([controllerIn], {'nginx.ingress.kubernetes.io/whitelist-source-range': '10.20.1.0/24'})).toEqual([])
      // An allowlist wider than the admin networks is no allowlist for the admin API.
      expect(evaluate([controllerIn], {'nginx.ingress.kubernetes.io/whitelist-source-range': '10.0.0.0/8'})).toHaveLength(1)
    })

    it("behind Cilium's ingress (class cilium), admitted from every source as reconcile plans it: an nginx allowlist narrows nothing, and the fix says what would", () => {
      const everySource = networkPolicy('livepatch', 'lp', {podSelector: {matchLabels: lpLabels}, ingress: [{ports: [{port: 8080}]}]})
      const {m, lpPod, lpService, route} = withPods()
      route.spec = {...route.spec, ingressClassName: 'cilium'}
      route.metadata.annotations = {'nginx.ingress.kubernetes.io/whitelist-source-range': '10.20.1.0/24'}
      const result = run(
        livepatchAdminApi,
        inventory({models: [m], inputs: ['k8s-networkpolicies', 'k8s-ingresses', 'k8s-services', 'k8s-pods'], kube: {namespaces: [ns], pods: [lpPod], services: [lpService], ingresses: [route], networkPolicies: [everySource]}}),
        policy({livepatch: {adminCidrs: ['10.20.0.0/16']}}),
      )
      const [f] = result.findings.map((item) => item.finding)
      expect(f?.remediation).toMatch(/^Ingress livepatch\/lp is served by Cilium's ingress, which has no source allowlist of its own: a CiliumClusterwideNetworkPolicy selecting the reserved:ingress identity with fromCIDRSet 10\.20\.0\.0\/16 narrows every Ingress Cilium serves/)
      expect(f?.remediation).not.toContain('juju config')
      // With no policy at all, the same: reconcile would admit every source for Cilium's ingress, so it is no first step here.
      const bare = run(
        livepatchAdminApi,
        inventory({models: [m], inputs: ['k8s-networkpolicies', 'k8s-ingresses', 'k8s-services', 'k8s-pods'], kube: {namespaces: [ns], pods: [lpPod], services: [lpService], ingresses: [route], networkPolicies: []}}),
        policy({livepatch: {adminCidrs: ['10.20.0.0/16']}}),
      ).findings[0]?.finding
      expect(bare?.remediation).toMatch(/^Ingress livepatch\/lp is served by Cilium's ingress/)
    })

    it("behind a cloud's load balancer (class alb, gce): its own allowlist narrows it, not ingress-nginx's annotation", () => {
      const everySource = networkPolicy('livepatch', 'lp', {podSelector: {matchLabels: lpLabels}, ingress: [{ports: [{port: 8080}]}]})
      const judged = (ingressClassName: string, annotations: Record<string, string>) => {
        const {m, lpPod, lpService, route} = withPods()
        route.spec = {...route.spec, ingressClassName}
        route.metadata.annotations = annotations
        return run(
          livepatchAdminApi,
          inventory({models: [m], inputs: ['k8s-networkpolicies', 'k8s-ingresses', 'k8s-services', 'k8s-pods'], kube: {namespaces: [ns], pods: [lpPod], services: [lpService], ingresses: [route], networkPolicies: [everySource]}}),
          policy({livepatch: {adminCidrs: ['10.20.0.0/16']}}),
        ).findings.map((item) => item.finding)
      }
      const [alb] = judged('alb', {'nginx.ingress.kubernetes.io/whitelist-source-range': '10.20.1.0/24'})
      expect(alb?.remediation).toMatch(/^kubectl annotate ingress -n livepatch lp alb\.ingress\.kubernetes\.io\/inbound-cidrs=10\.20\.0\.0\/16 --overwrite {3}# the AWS Load Balancer Controller's source allowlist; only if every Livepatch client/)
      expect(judged('alb', {'alb.ingress.kubernetes.io/inbound-cidrs': '10.20.1.0/24'})).toEqual([])
      const [gce] = judged('gce', {'nginx.ingress.kubernetes.io/whitelist-source-range': '10.20.1.0/24'})
      expect(gce?.remediation).toMatch(/^Ingress livepatch\/lp is served by Google Cloud's external Application Load Balancer \(GKE Ingress\), which reads no nginx annotation: narrow it to 10\.20\.0\.0\/16 with the load balancer's own source allowlist \(GKE: a Cloud Armor security policy/)
    })

    it("behind a host-network controller admitted by ipBlock (reconcile's nodeCidrs): not evaluated while its node address is unknown, flagged once the ipBlock is seen to hold it", () => {
      const fromNodes = admitting({ipBlock: {cidr: '192.168.1.0/24'}})
      const unaddressed = judge([fromNodes], {controller: {spec: {hostNetwork: true, containers: []}, status: {phase: 'Running'}}})
      expect(unaddressed.findings).toEqual([])
      expect(unaddressed.notEvaluated[0]?.targets?.map((t) => t.name)).toEqual(['livepatch'])
      expect(JSON.stringify(unaddressed.notEvaluated[0])).toContain('runs on the host network')
      const onNode = judge([fromNodes], {controller: {spec: {hostNetwork: true, containers: []}, status: {phase: 'Running', podIP: '192.168.1.10'}}})
      expect(onNode.findings[0]?.finding.message).toContain('its NetworkPolicies admit the ingress controller (ingress-nginx/ingress-nginx)')
    })
  })

  it('flags a machine server exposed to the world; not evaluated on Kubernetes without NetworkPolicies', () => {
    const machines = model('lp', {type: 'iaas', apps: [app('livepatch', {charm: 'canonical-livepatch-server', exposed: true})]})
    expect(findings(livepatchAdminApi, inventory({models: [machines]})).map((f) => f.severity)).toEqual(['high'])
    const result = run(livepatchAdminApi, inventory({models: [livepatchModel()]}))
    expect(result.notEvaluated[0]?.targets?.map((t) => t.name)).toEqual(['livepatch'])
  })
})

describe('Livepatch on machines behind an exposed haproxy', () => {
  const machines = () =>
    model('lp', {
      type: 'iaas',
      apps: [app('livepatch', {charm: 'canonical-livepatch-server'}), app('haproxy', {charm: 'haproxy', exposed: true})],
      relations: [relation('livepatch:website', 'haproxy:reverseproxy', 'http')],
    })

  it('LIVEPATCH-ADMIN-API: the admin API is open through the proxy, and the fix narrows the proxy only with a warning', () => {
    const [f] = findings(livepatchAdminApi, inventory({models: [machines()]}), policy({livepatch: {adminCidrs: ['10.20.0.0/16']}}))
    expect(f).toMatchObject({rule: 'LIVEPATCH-ADMIN-API', severity: 'high', evidence: {through: 'haproxy'}})
    expect(f?.message).toContain('reachable through haproxy, which is exposed to 0.0.0.0/0')
    expect(f?.remediation).toMatch(/^juju expose -m prod:lp haproxy --to-cidrs 10\.20\.0\.0\/16 {3}# only if every Livepatch client/)
  })

  it('LIVEPATCH-TLS: gives haproxy a certificate, with no kubectl or nginx option on a machine model', () => {
    const [f] = findings(livepatchTls, inventory({models: [machines()]}))
    expect(f?.remediation).not.toMatch(/kubectl|tls-secret-name/)
    expect(f?.remediation).toMatch(/haproxy/)
  })

  // As Livepatch's machine bundle configures it (canonical/livepatch-machine-charm bundle/bundle.yaml): a plain service on 80.
  const plainServices = '- service_name: livepatch\n  service_host: "0.0.0.0"\n  service_port: 80\n  server_options: maxconn 200 cookie S{i} check\n'
  const tlsServices = '- service_name: livepatch\n  service_host: "0.0.0.0"\n  service_port: 443\n  crts: [DEFAULT]\n- service_name: redirect\n  service_host: "0.0.0.0"\n  service_port: 80\n  service_options: [http-request redirect scheme https]\n'
  const withHaproxy = (options: Record<string, unknown>) => {
    const m = machines()
    Object.assign(m.applications.get('haproxy')!.options, options)
    return m
  }

  it('LIVEPATCH-TLS: haproxy serves TLS when a service binds its certificate (crts), not from the certificate options alone', () => {
    expect(findings(livepatchTls, inventory({models: [withHaproxy({ssl_cert: 'LS0tLS1CRUdJTiBDRVJU', ssl_key: 'LS0tLS1CRUdJTiBQUklW', services: tlsServices})]}))).toEqual([])
    // The related charm's services, as the Landscape and Livepatch charms send them over the relation, when the option is empty.
    expect(findings(livepatchTls, inventory({models: [withHaproxy({ssl_cert: 'LS0tLS1CRUdJTiBDRVJU', services: ''})]}))).toEqual([])
    const [f] = findings(livepatchTls, inventory({models: [withHaproxy({ssl_cert: 'LS0tLS1CRUdJTiBDRVJU', ssl_key: 'LS0tLS1CRUdJTiBQUklW', services: plainServices})]}))
    expect(f?.message).toContain('haproxy without TLS')
  })

  it('LIVEPATCH-TLS: where haproxy\'s services bind no certificate, the fix rewrites them too', () => {
    const [f] = findings(livepatchTls, inventory({models: [withHaproxy({services: plainServices})]}))
    expect(f?.remediation).toMatch(/^juju config -m prod:lp haproxy ssl_cert="\$\(base64 -w0 fullchain\.pem\)" ssl_key="\$\(base64 -w0 privkey\.pem\)" services="\$\(cat services\.yaml\)" {3}# /)
    expect(f?.remediation).toContain('with livepatch on service_port 443 and `crts: [DEFAULT]`')
  })
})

describe('LIVEPATCH-TLS', () => {
  it('flags a server reachable through an ingress charm without TLS', () => {
    const [f] = findings(livepatchTls, inventory({models: [livepatchModel()]}))
    expect(f).toMatchObject({rule: 'LIVEPATCH-TLS', severity: 'high', target: {name: 'livepatch'}})
    expect(f?.message).toContain('ingress (nginx-ingress-integrator) without TLS')
    expect(f?.remediation).toContain('juju config -m prod:livepatch ingress tls-secret-name=livepatch-tls')
  })

  it('accepts an ingress charm with a TLS secret, or an Ingress object with tls', () => {
    expect(findings(livepatchTls, inventory({models: [livepatchModel({ingress: {options: {'tls-secret-name': 'lp-tls'}}})]}))).toEqual([])
    const m = model('lp', {type: 'caas', namespace: 'lp', apps: [app('livepatch', {charm: 'canonical-livepatch-server-k8s'})]})
    const svc = service('lp', 'livepatch', {ports: [{port: 8080}]})
    const withTls = ingress('lp', 'livepatch', {tls: [{hosts: ['lp.example.com']}], rules: [{host: 'lp.example.com', http: {paths: [{backend: {service: {name: 'livepatch'}}}]}}]})
    expect(findings(livepatchTls, inventory({models: [m], inputs: ['k8s-ingresses', 'k8s-services'], kube: {services: [svc], ingresses: [withTls]}}))).toEqual([])
  })

  // On Kubernetes `juju expose` opens nothing: a LoadBalancer Service is what lets clients in.
  const lpBehindLoadBalancer = {inputs: ['k8s-services' as const], kube: {services: [service('lp', 'livepatch-lb', {type: 'LoadBalancer', selector: {'app.kubernetes.io/name': 'livepatch'}, ports: [{port: 8080}]})]}}

  it('on Kubernetes, `juju expose` alone opens nothing: no finding', () => {
    const m = model('lp', {type: 'caas', namespace: 'lp', apps: [app('livepatch', {charm: 'canonical-livepatch-server-k8s', exposed: true})]})
    expect(findings(livepatchTls, inventory({models: [m], inputs: ['k8s-services'], kube: {services: []}}))).toEqual([])
  })

  it('gives traefik-k8s a certificate from the estate\'s provider, and says how the policy allows its --trust', () => {
    const m = model('lp', {type: 'caas', namespace: 'lp', apps: [app('livepatch', {charm: 'canonical-livepatch-server-k8s'}), app('certs', {charm: 'manual-tls-certificates'})]})
    const [f] = findings(livepatchTls, inventory({models: [m], ...lpBehindLoadBalancer}))
    expect(f?.message).toContain('LoadBalancer Service livepatch-lb')
    expect(f?.remediation).toBe(
      'put Livepatch behind a TLS-terminating ingress: juju deploy -m prod:lp traefik-k8s --trust && juju integrate -m prod:lp livepatch:ingress traefik-k8s && juju integrate -m prod:lp traefik-k8s:certificates certs:certificates' +
        '   # traefik-k8s needs --trust to manage its Service: audit it and add "lp/traefik-k8s" to trust.allow in hardenctl.yaml, or JUJU-TRUST reports it',
    )
  })

  it("says the server is open, not reached, where the namespace's own default deny keeps its pods closed", () => {
    const m = model('lp', {type: 'caas', namespace: 'lp', apps: [app('livepatch', {charm: 'canonical-livepatch-server-k8s'})]})
    const deny = networkPolicy('lp', 'default-deny', {podSelector: {}, policyTypes: ['Ingress']})
    const lp = pod('lp', 'livepatch-0', {labels: {'app.kubernetes.io/name': 'livepatch'}})
    const [f] = findings(livepatchTls, inventory({models: [m], inputs: ['k8s-services', 'k8s-pods', 'k8s-networkpolicies'], kube: {...lpBehindLoadBalancer.kube, pods: [lp], networkPolicies: [deny]}}))
    expect(f?.message).toBe(
      'livepatch is open to outside without TLS: LoadBalancer Service livepatch-lb, though NetworkPolicy default-deny keeps its pods closed to everything outside the cluster today, until a policy admits it.',
    )
  })

  it('with no provider in the estate, deploys lego first: its show-application guard heads the line', () => {
    const m = model('lp', {type: 'caas', namespace: 'lp', apps: [app('livepatch', {charm: 'canonical-livepatch-server-k8s'})]})
    const [f] = findings(livepatchTls, inventory({models: [m], ...lpBehindLoadBalancer}))
    // After `a && b`, `probe || deploy` would deploy whenever a or b failed; at the head it deploys only where lego is missing.
    expect(f?.remediation).toMatch(
      /^put Livepatch behind a TLS-terminating ingress: juju show-application -m prod:lp lego \|\| juju deploy -m prod:lp lego && juju deploy -m prod:lp traefik-k8s --trust && juju integrate -m prod:lp livepatch:ingress traefik-k8s && juju integrate -m prod:lp traefik-k8s:certificates lego:certificates {3}# /,
    )
  })

  it('relates an existing traefik-k8s to a trusted provider, deploying lego first when there is none', () => {
    const m = model('lp', {
      type: 'caas',
      apps: [app('livepatch', {charm: 'canonical-livepatch-server-k8s'}), app('traefik', {charm: 'traefik-k8s'})],
      relations: [relation('livepatch:ingress', 'traefik:ingress', 'ingress')],
    })
    const [f] = findings(livepatchTls, inventory({models: [m]}))
    expect(f?.remediation).toMatch(/^juju show-application -m prod:lp lego \|\| juju deploy -m prod:lp lego && juju integrate -m prod:lp traefik:certificates lego:certificates {3}# configure lego/)
  })

  it('ignores a server nobody outside reaches', () => {
    const m = model('lp', {apps: [app('livepatch', {charm: 'canonical-livepatch-server', exposed: false})]})
    expect(findings(livepatchTls, inventory({models: [m]}))).toEqual([])
  })
})

describe('LIVEPATCH-DB-EXPOSED', () => {
  it('flags the related PostgreSQL behind a LoadBalancer as critical', () => {
    const lb = service('livepatch', 'postgresql-lb', {type: 'LoadBalancer', selector: {'app.kubernetes.io/name': 'postgresql'}, ports: [{port: 5432}]})
    const [f] = findings(livepatchDbExposed, inventory({models: [livepatchModel()], inputs: ['k8s-services'], kube: {services: [lb]}}))
    expect(f).toMatchObject({rule: 'LIVEPATCH-DB-EXPOSED', severity: 'critical', target: {name: 'postgresql'}, evidence: {role: 'PostgreSQL'}})
    expect(f?.remediation).toContain('"type":"ClusterIP"')
    expect(f?.message).toBe('postgresql, the PostgreSQL of livepatch, is reachable from outside (LoadBalancer Service livepatch/postgresql-lb); it should only be reachable by the Livepatch server.')
  })

  it("says the LoadBalancer is open, not that outside reaches the database, where the namespace's own default deny keeps its pods closed", () => {
    const lb = service('livepatch', 'postgresql-lb', {type: 'LoadBalancer', selector: {'app.kubernetes.io/name': 'postgresql'}, ports: [{port: 5432}]})
    const pg = pod('livepatch', 'postgresql-0', {labels: {'app.kubernetes.io/name': 'postgresql'}})
    const deny = networkPolicy('livepatch', 'default-deny', {podSelector: {}, policyTypes: ['Ingress']})
    const [f] = findings(livepatchDbExposed, inventory({models: [livepatchModel()], inputs: ['k8s-services', 'k8s-pods', 'k8s-networkpolicies'], kube: {services: [lb], pods: [pg], networkPolicies: [deny]}}))
    // The Service stands open and one policy change away: still critical, but said as it is.
    expect(f).toMatchObject({severity: 'critical'})
    expect(f?.message).toBe(
      'postgresql, the PostgreSQL of livepatch, is open to outside (LoadBalancer Service livepatch/postgresql-lb), though NetworkPolicy default-deny keeps its pods closed to everything outside the cluster today, until a policy admits it; it should only be reachable by the Livepatch server.',
    )
  })

  it('reports an offered PostgreSQL as high, and is quiet otherwise', () => {
    const m = livepatchModel()
    expect(findings(livepatchDbExposed, inventory({models: [m]}))).toEqual([])
    m.offers.push({name: 'pg', application: 'postgresql', url: 'prod:admin/livepatch.pg', endpoints: []})
    const [f] = findings(livepatchDbExposed, inventory({models: [m]}))
    expect(f).toMatchObject({severity: 'high'})
    expect(f?.remediation).toBe('juju remove-offer prod:admin/livepatch.pg')
  })
})

describe('LIVEPATCH-DB-TLS', () => {
  it('flags the related PostgreSQL without TLS and says to restart Livepatch', () => {
    const [f] = findings(livepatchDbTls, inventory({models: [livepatchModel({pg: {channel: '14/candidate'}})]}))
    expect(f).toMatchObject({rule: 'LIVEPATCH-DB-TLS', severity: 'medium', target: {name: 'postgresql'}})
    expect(f?.remediation).toBe(
      'juju show-application -m prod:livepatch self-signed-certificates || juju deploy -m prod:livepatch self-signed-certificates && juju integrate -m prod:livepatch postgresql:certificates self-signed-certificates:certificates' +
        '   # postgresql-k8s then accepts only TLS connections, every pg_hba line of its clients hostssl: check first that its clients (livepatch) connect with TLS, or they are cut off;' +
        ' the show-application check skips the deploy where another fix already made it (its "not found" is then expected);' +
        ' once postgresql serves TLS, restart the Livepatch server so it reconnects (the guide: needed when TLS is enabled after relating): kubectl -n livepatch rollout restart statefulset/livepatch',
    )
  })

  it("a legacy PostgreSQL (the latest track) cannot take a certificate: the fix is the move to Charmed PostgreSQL 14, not the rule's generic relation", () => {
    const [f] = findings(livepatchDbTls, inventory({models: [livepatchModel({pg: {charm: 'postgresql', channel: 'latest/stable'}})]}))
    expect(f?.remediation).toMatch(/^postgresql cannot obtain a certificate over a relation: its latest track is the legacy reactive charm/)
    expect(f?.remediation).not.toMatch(/juju integrate|certificates endpoint \(`certificates` in 14/)
  })

  it('names the provider the model has, and no endpoint it cannot vouch for', () => {
    const m = livepatchModel()
    m.applications.set('certs', {...app('certs', {charm: 'manual-tls-certificates'}), model: 'livepatch', controller: 'prod'})
    const [f] = findings(livepatchDbTls, inventory({models: [m]}))
    expect(f?.remediation).not.toContain('postgresql:certificates')
    expect(f?.remediation).toContain('with certs:certificates')
    expect(f?.remediation).toContain('rollout restart statefulset/livepatch')
  })

  it('accepts PostgreSQL with a certificates relation', () => {
    const m = livepatchModel()
    m.applications.set('ca', {...app('ca', {charm: 'self-signed-certificates'}), model: 'livepatch', controller: 'prod'})
    m.relations.push(relation('postgresql:certificates', 'ca:certificates', 'tls-certificates'))
    expect(findings(livepatchDbTls, inventory({models: [m]}))).toEqual([])
  })
})
