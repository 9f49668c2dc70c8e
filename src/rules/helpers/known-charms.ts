/**
 * What hardenctl knows of well-known charms when their metadata was not read: whether they are
 * subordinates, on which endpoint they request a certificate, on which they issue one. One table,
 * every fact checked against the charm's own metadata (the `from` of each entry); a rule that
 * prints `juju integrate APP:ENDPOINT ...` takes the endpoint from the charm's metadata when
 * known, else from here, and otherwise prints no endpoint it cannot vouch for.
 */
import type {CharmMetadata} from '../../inventory/charm.js'
import type {Application, Model} from '../../inventory/types.js'
import {charmName} from './charms.js'
import {TLS_CERTIFICATE_INTERFACES} from './interfaces.js'

/** Endpoints for every revision, or per Charmhub track where revisions differ. */
type Endpoints = readonly string[] | {readonly byTrack: Readonly<Record<string, readonly string[]>>}

export interface KnownCharm {
  /** Deployed as a subordinate of another application (`subordinate: true`). */
  subordinate?: true
  /**
   * A subordinate that only attaches to its principal (juju-info, cos-agent, ha: container-scoped),
   * never a client of the services it sits beside; unlike mysql-router, a subordinate that is one.
   */
  attachesOnly?: true
  /** Endpoints on which it requests a certificate to serve TLS; `[]`: it has none. */
  certificateEndpoints?: Endpoints
  /** Where its TLS comes from instead, for a charm with no certificates endpoint of its own. */
  tlsFrom?: string
  /**
   * For a track whose revisions have no certificates endpoint: the charm that takes one, and how to
   * move to it. `beforeDeploy`: the channel a bundle sets instead (there is no data to move yet).
   */
  certificatesBy?: {readonly byTrack: Readonly<Record<string, string>>; readonly beforeDeploy?: {readonly channel: string; readonly why: string}}
  /** The endpoint on which it issues certificates (provides `tls-certificates`), per track where revisions differ. */
  issuesOn?: string | {readonly byTrack: Readonly<Record<string, string>>}
  /**
   * What the charm does to its clients once it has a certificate, when it stops accepting them
   * without TLS: a fix that adds the certificate must say so, or it cuts clients that do not use TLS.
   */
  tlsRequiredOfClients?: string
  /** Where the facts were read. */
  from: string
}

// Charmed PostgreSQL's Patroni template writes every client line of pg_hba as `hostssl` once the
// charm has a certificate (`{{ 'hostssl' if enable_tls else 'host' }}`).
const POSTGRESQL_HOSTSSL = 'then accepts only TLS connections, every pg_hba line of its clients hostssl'
// Charmed MySQL's TLS library (charms.mysql.v0.tls, shared by the machine and Kubernetes charms) sets
// up TLS with `require_tls=True` and then kills every client session "to force clients to reconnect".
const MYSQL_REQUIRE_SECURE_TRANSPORT = 'then refuses connections without TLS, setting require_secure_transport, and ends the open ones'

export const KNOWN_CHARMS: Readonly<Record<string, KnownCharm>> = {
  // Databases and brokers.
  postgresql: {
    // 16 split the endpoint in two: client-certificates (clients) and peer-certificates (replication).
    // The latest track is the legacy reactive charm: db, db-admin (pgsql), master, syslog, no certificates
    // (stub42/postgresql-charm metadata.yaml@030d44b9; Charmed PostgreSQL's "Legacy PostgreSQL charm" page@39812da6).
    certificateEndpoints: {byTrack: {'14': ['certificates'], '16': ['client-certificates'], latest: []}},
    certificatesBy: {
      byTrack: {
        latest:
          "its latest track is the legacy reactive charm, which has none; Charmed PostgreSQL 14 serves the same db and db-admin relations and takes a certificates relation: deploy it beside this one (`juju deploy postgresql pg14 --channel 14/stable`), move the data, then relate the clients to it, as Charmed PostgreSQL's legacy-charm page describes (a refresh does not turn one charm into the other)",
      },
      beforeDeploy: {channel: '14/stable', why: 'Charmed PostgreSQL 14 serves the same db and db-admin relations and takes a certificates relation'},
    },
    tlsRequiredOfClients: POSTGRESQL_HOSTSSL,
    from: 'canonical/postgresql-operator metadata.yaml (14: certificates; 16: client-certificates, peer-certificates); templates/patroni.yml.j2@00b026d3 (pg_hba `hostssl` once TLS is on); the legacy charm on latest: stub42/postgresql-charm metadata.yaml@030d44b9',
  },
  'postgresql-k8s': {
    certificateEndpoints: {byTrack: {'14': ['certificates']}},
    tlsRequiredOfClients: POSTGRESQL_HOSTSSL,
    from: 'canonical/postgresql-k8s-operator metadata.yaml (14); templates/patroni.yml.j2@00ca5873 (pg_hba `hostssl` once TLS is on)',
  },
  mysql: {
    certificateEndpoints: {byTrack: {'8.0': ['certificates'], '8.4': ['client-certificates']}},
    tlsRequiredOfClients: MYSQL_REQUIRE_SECURE_TRANSPORT,
    from: 'canonical/mysql-operator; Charmed MySQL 8.4 docs (client-certificates, peer-certificates); lib/charms/mysql/v0/tls.py@701ea86e',
  },
  'mysql-k8s': {
    certificateEndpoints: {byTrack: {'8.0': ['certificates'], '8.4': ['client-certificates']}},
    tlsRequiredOfClients: MYSQL_REQUIRE_SECURE_TRANSPORT,
    from: 'canonical/mysql-k8s-operator metadata.yaml (8.0); Charmed MySQL 8.4 docs; lib/charms/mysql/v0/tls.py@0088c958',
  },
  'mysql-innodb-cluster': {certificateEndpoints: ['certificates'], from: 'openstack/charm-mysql-innodb-cluster (layer openstack-principle adds certificates)'},
  'percona-cluster': {certificateEndpoints: [], from: 'openstack/charm-percona-cluster metadata.yaml'},
  'mysql-router': {
    // Two charms share the name: OpenStack's (db-router, shared-db with scope container, no
    // certificates) and Data Platform's (backend-database; certificates in recent revisions).
    subordinate: true,
    tlsFrom: 'the MySQL cluster it routes to (mysql-innodb-cluster:certificates in OpenStack)',
    from: 'openstack/charm-mysql-router src/metadata.yaml; canonical/mysql-router-operators machines/metadata.yaml',
  },
  'mysql-router-k8s': {
    certificateEndpoints: ['certificates'],
    // Its TLS template sets `client_ssl_mode = REQUIRED`; enabling TLS restarts the router (src/workload.py `enable_tls`).
    tlsRequiredOfClients: 'then refuses clients without TLS (client_ssl_mode REQUIRED) and restarts to take the certificate',
    from: 'canonical/mysql-router-k8s-operator metadata.yaml; templates/tls.cnf@29beac60, src/workload.py@000fd264',
  },
  'pgbouncer-k8s': {certificateEndpoints: ['certificates'], from: 'canonical/pgbouncer-k8s-operator metadata.yaml'},
  'rabbitmq-server': {certificateEndpoints: ['certificates'], from: 'openstack/charm-rabbitmq-server metadata.yaml'},
  haproxy: {
    // The legacy charm (latest) takes ssl_cert/ssl_key options; haproxy-operator (2.8) a relation.
    certificateEndpoints: {byTrack: {'2.8': ['certificates'], latest: []}},
    from: 'canonical/haproxy-operator charmcraft.yaml (2.8); the legacy haproxy charm (latest)',
  },
  'traefik-k8s': {certificateEndpoints: ['certificates'], from: 'canonical/traefik-k8s-operator metadata.yaml'},
  'nginx-ingress-integrator': {certificateEndpoints: ['certificates'], from: 'canonical/nginx-ingress-integrator-operator charmcraft.yaml@0d561de8 (requires certificates: tls-certificates)'},
  'gateway-api-integrator': {certificateEndpoints: ['certificates'], from: 'canonical/gateway-api-integrator-operator charmcraft.yaml@15379080 (requires certificates: tls-certificates)'},

  // Certificate providers.
  'self-signed-certificates': {issuesOn: 'certificates', from: 'canonical/self-signed-certificates-operator charmcraft.yaml'},
  lego: {issuesOn: 'certificates', from: 'canonical/lego-operator charmcraft.yaml'},
  'manual-tls-certificates': {issuesOn: 'certificates', from: 'canonical/manual-tls-certificates-operator'},
  'tls-certificates-operator': {issuesOn: 'certificates', from: 'canonical/tls-certificates-operator'},
  vault: {
    // Two charms share the name: OpenStack's (1.7, 1.8) issues on certificates, canonical/vault-operator (1.15+) on vault-pki.
    issuesOn: {byTrack: {'1.7': 'certificates', '1.8': 'certificates', '1.15': 'vault-pki', '1.16': 'vault-pki', '1.17': 'vault-pki', '1.18': 'vault-pki'}},
    from: 'openstack/charm-vault src/metadata.yaml; canonical/vault-operator charmcraft.yaml',
  },
  'vault-k8s': {issuesOn: 'vault-pki', from: 'canonical/vault-k8s-operator charmcraft.yaml'},
  easyrsa: {issuesOn: 'client', from: 'charmed-kubernetes/layer-easyrsa src/metadata.yaml'},

  // Subordinates.
  'opentelemetry-collector': {subordinate: true, attachesOnly: true, from: 'canonical/opentelemetry-collector-operator charmcraft.yaml'},
  'grafana-agent': {subordinate: true, attachesOnly: true, from: 'canonical/grafana-agent-operator'},
  'landscape-client': {subordinate: true, attachesOnly: true, from: 'canonical/landscape-client-charm metadata.yaml'},
  hacluster: {subordinate: true, attachesOnly: true, from: 'openstack/charm-hacluster'},
  // requires juju-info (container) and master (interface ntp, only ntpmaster provides it); peers ntp-peers.
  ntp: {subordinate: true, attachesOnly: true, from: 'the ntp charm metadata.yaml (lampkicking/charm-ntp@1a3b6fbb)'},
}

export function knownCharm(app: Application | string): KnownCharm | undefined {
  return KNOWN_CHARMS[typeof app === 'string' ? app : charmName(app)]
}

/** The Charmhub track of an application's channel: `16/edge` → `16`, `edge` → `latest`. */
export function channelTrack(channel: string | undefined): string | undefined {
  if (!channel) return undefined
  const parts = channel.split('/')
  const risks = new Set(['stable', 'candidate', 'beta', 'edge'])
  if (parts.length === 1) return risks.has(parts[0] ?? '') ? 'latest' : parts[0]
  return parts[0]
}

/**
 * Whether the application is a subordinate: its metadata, its status (`subordinate-to`), the
 * table, else (given the model) the shape of a machine bundle, where only subordinates have no
 * `num_units`.
 */
export function isSubordinate(app: Application, model?: Model): boolean | undefined {
  if (app.metadata?.subordinate !== undefined) return app.metadata.subordinate
  if ((app.subordinateTo ?? []).length > 0) return true
  const known = knownCharm(app)?.subordinate
  if (known !== undefined) return known
  if (model && model.type !== 'caas' && model.inputs.has('juju-bundle') && !model.inputs.has('juju-status') && app.scale === undefined && app.units.length === 0) return true
  return undefined
}

export interface CertificateEndpoints {
  endpoints: string[]
  from: 'charm metadata' | 'known charm' | 'juju status endpoint-bindings'
}

/**
 * The endpoints on which the application requests a certificate: from its metadata, else from the
 * table (by its channel's track where revisions differ). Undefined when not known.
 */
export function certificateEndpoints(app: Application): CertificateEndpoints | undefined {
  if (app.metadata) return {endpoints: metadataCertificateEndpoints(app.metadata), from: 'charm metadata'}
  const known = knownCharm(app)?.certificateEndpoints
  if (known && !('byTrack' in known)) return {endpoints: [...known], from: 'known charm'}
  const track = channelTrack(app.channel)
  const endpoints = known && track !== undefined ? known.byTrack[track] : undefined
  if (endpoints) return {endpoints: [...endpoints], from: 'known charm'}
  return app.endpointNames ? fromEndpointNames(app.endpointNames) : undefined
}

/** The endpoints on which a charm's metadata says it requests a certificate, serving ones first. */
export function metadataCertificateEndpoints(metadata: CharmMetadata): string[] {
  const endpoints = metadata.endpoints
    .filter((e) => e.role === 'requires' && (TLS_CERTIFICATE_INTERFACES as readonly string[]).includes(e.interface))
    .map((e) => e.name)
  // Serving endpoints only: `peer-certificates` (replication) and kafka's `trusted-ca` /
  // `trusted-certificate` (client CAs to trust) do not give the application a certificate to serve.
  const serving = endpoints.filter(isServingCertificateEndpoint)
  return serving.length > 0 ? serving : endpoints
}

function isServingCertificateEndpoint(name: string): boolean {
  return !/^(peer|trusted)-/.test(name)
}

/**
 * `juju status` lists every endpoint by name (`endpoint-bindings`) but not its interface. Charms
 * name the endpoint that requests a serving certificate `certificates` (or `client-certificates`,
 * `tls-certificates`); `peer-` and `trusted-` ones are for replication and client CAs. A charm with
 * no endpoint named for certificates or TLS has none; one named only `tls…` is left unknown.
 */
function fromEndpointNames(names: readonly string[]): CertificateEndpoints | undefined {
  const serving = names.filter((name) => /(^|-)certificates$/.test(name) && isServingCertificateEndpoint(name))
  if (serving.length > 0) return {endpoints: serving.sort((a, b) => Number(a !== 'certificates') - Number(b !== 'certificates')), from: 'juju status endpoint-bindings'}
  if (names.some((name) => /certificate|tls/.test(name))) return undefined
  return {endpoints: [], from: 'juju status endpoint-bindings'}
}

/** The endpoint on which a provider application issues certificates, when its metadata or the table says. */
export function issuingEndpoint(app: Application): string | undefined {
  const fromMetadata = app.metadata?.endpoints.find((e) => e.role === 'provides' && (TLS_CERTIFICATE_INTERFACES as readonly string[]).includes(e.interface))
  if (fromMetadata) return fromMetadata.name
  const known = knownCharm(app)?.issuesOn
  if (known === undefined || typeof known === 'string') return known
  const track = channelTrack(app.channel)
  return track === undefined ? undefined : known.byTrack[track]
}

/**
 * Kubernetes charms whose own documentation says to deploy them with `--trust`, and why: JUJU-TRUST
 * still reports them (the guide asks for an audit), but its fix keeps their trust rather than
 * printing the `juju trust --remove` that would break them.
 */
const CLOUD_INTEGRATOR = "it manages cloud resources with the model's cloud credential; its alternative, the credentials option, would put the cloud key in plain config"

const SERVICE_PATCH = "it patches its own Service's ports"
const SDCORE_UPF = 'it creates its external LoadBalancer Service and attaches its pods to the access and core networks through Multus'

const CHARMS_NEEDING_TRUST: Readonly<Record<string, string>> = {
  // The cloud integrators exist to use the model's cloud credential. Their READMEs: "The charm then needs
  // to be granted access to credentials … `juju trust aws-integrator`" (juju-solutions/charm-aws-integrator
  // README.md@9ae046c0; gcp-integrator's says the same), "Use 'juju trust' to grant openstack-integrator a
  // permission to access the OpenStack model, or configure the credentials config parameter manually";
  // the alternative, their `credentials` option, puts the cloud key in plain config.
  'aws-integrator': CLOUD_INTEGRATOR,
  'gcp-integrator': CLOUD_INTEGRATOR,
  'openstack-integrator': CLOUD_INTEGRATOR,
  // Its README's deploy step: "The `--trust` flag is necessary to create some K8s resources".
  'postgresql-k8s': 'it creates Kubernetes resources for its cluster',
  // Its tutorial: "`--trust` is needed because the nginx-ingress-integrator charm requires elevated
  // permission to create ingress-related resources in Kubernetes clusters".
  'nginx-ingress-integrator': 'it creates the Ingress objects',
  // Its tutorial (docs/tutorial/getting-started.md@5f4402d1): "We must also use the `--trust` flag
  // … (the charm uses these permissions to create the Gateway and HTTPRoute resources)".
  'gateway-api-integrator': 'it creates the Gateway and HTTPRoute objects',
  // Deployed with --trust in the documentation of the charms that use it (glauth-k8s, synapse,
  // superset-k8s): it manages its own LoadBalancer Service.
  'traefik-k8s': 'it manages its own LoadBalancer Service',

  // COS Lite. canonical/cos-lite-bundle bundle.yaml.j2@42e027da sets `trust: true` on traefik,
  // alertmanager, prometheus, grafana and loki, and each charm's own Terraform module hard-codes it.
  // Without trust the resource patch fails and the charm goes Blocked (_on_k8s_patch_failed).
  // canonical/prometheus-k8s-operator terraform/main.tf@0e07c688: `trust = true`; README: "juju deploy prometheus-k8s --trust".
  'prometheus-k8s': "it patches its own StatefulSet's resource limits",
  // canonical/alertmanager-k8s-operator terraform/main.tf@6dd0ca33: `trust = true`.
  'alertmanager-k8s': "it patches its own StatefulSet's resource limits",
  // canonical/grafana-k8s-operator terraform/main.tf@c0ec9cfb: `trust = true`.
  'grafana-k8s': "it patches its own StatefulSet's resource limits",
  // canonical/loki-k8s-operator terraform/main.tf@005a8b73: `trust = true`.
  'loki-k8s': "it patches its own StatefulSet's resource limits",
  // canonical/catalogue-k8s-operator charm/terraform/main.tf@803e5d0d: `trust = true` (terraform/variables.tf@0892a36a:
  // `trust = optional(bool, true)`); charm/src/charm.py@d0476bfa uses KubernetesServicePatch for port 80.
  'catalogue-k8s': SERVICE_PATCH,
  // canonical/tempo-operators coordinator/terraform/main.tf@6d34389f: `trust = true`; COS docs "Add tracing to COS
  // Lite": "juju deploy tempo-coordinator-k8s tempo --channel edge --trust".
  'tempo-coordinator-k8s': "it patches its own StatefulSet's resource limits",
  // canonical/tempo-operators worker/terraform/main.tf@01bf682d: `trust = true` (the worker passes resources_requests
  // for its container to resource-patch).
  'tempo-worker-k8s': "it patches its own StatefulSet's resource limits",
  // canonical/mimir-operators coordinator/terraform/main.tf@f951f298: `trust = true`.
  'mimir-coordinator-k8s': "it patches its own StatefulSet's resource limits",
  // canonical/mimir-operators worker/terraform/main.tf@07680fe5: `trust = true`.
  'mimir-worker-k8s': "it patches its own StatefulSet's resource limits",
  // canonical/opentelemetry-collector-k8s-operator terraform/main.tf@e0a20c35: `trust = true # We always need this
  // variable to be true in order to be able to apply resources limits.`
  'opentelemetry-collector-k8s': "it patches its own StatefulSet's resource limits",
  // canonical/grafana-agent-k8s-operator README.md@038b6017: "juju deploy grafana-agent-k8s --trust";
  // src/kubernetes_service.py@d70c7dfa recreates its Service with the right ports ("Run `juju trust`").
  'grafana-agent-k8s': SERVICE_PATCH,

  // Data Platform.
  // canonical/mysql-k8s-operator docs/how-to/deploy/microk8s.md@804e160a: "The `--trust` flag is necessary to create
  // some K8s resources"; src/k8s_helpers.py@adb31f3d creates the role Services and labels the pods.
  'mysql-k8s': 'it creates its primary and replica Services and labels its pods',
  // canonical/mysql-router-k8s-operator docs/tutorial/t-deploy.md@15b4fe28: "`--trust` is required to create some K8s
  // resources"; src/kubernetes_charm.py@62977337 patches its Service on install.
  'mysql-router-k8s': 'it patches its own Service, ClusterIP or NodePort',
  // canonical/pgbouncer-k8s-operator docs/tutorial/t-deploy-charm.md@e2714e7c: "`--trust` is required to create some
  // K8s resources"; src/upgrade.py@4129a7b6 patches the StatefulSet partition ("`juju trust` needed").
  'pgbouncer-k8s': "it patches its own Service and its StatefulSet's upgrade partition",
  // canonical/mongodb-k8s-operator terraform/charm/replica_set/main.tf@f75e8fd8: `trust = true`;
  // src/service_manager.py@10e2ac7c creates a Service and a MutatingWebhookConfiguration for its StatefulSet.
  'mongodb-k8s': 'it creates a webhook Service and a mutating webhook for its StatefulSet',
  // canonical/kafka-k8s-operator docs/how-to/h-deploy.md@08bcfb0f: "The `--trust` option is needed for the Apache Kafka
  // application to work properly, e.g., use NodePort or `juju refresh`".
  'kafka-k8s': "it creates NodePort Services and patches its StatefulSet for juju refresh",
  // Charmed Apache Spark's "Deploy Charmed Apache Kyuubi" how-to (canonical.com/data/spark/docs/latest/how-to/deploy/kyuubi/):
  // "juju deploy kyuubi-k8s --trust" and "juju deploy spark-integration-hub-k8s --trust".
  // canonical/kyuubi-k8s-operator src/managers/k8s.py@18bda225: reads the Namespace and ServiceAccount it is configured
  // with, and their Spark settings through spark8t's K8sServiceAccountRegistry.
  'kyuubi-k8s': "it checks the Spark namespace and service account it is given and reads their Spark settings from the cluster",
  // canonical/spark-integration-hub-k8s-operator src/managers/integration_hub.py@00a20d10 (`get_resource_manifest`: spark8t's
  // manifest for each service account, a Secret of its Spark settings, a truststore Secret); README.md@01fba254.
  'spark-integration-hub-k8s': "it writes each Spark service account's settings into Secrets in that account's namespace",

  // Charmed Aether SD-Core (the 5G core). canonical/sdcore-bundles render_bundle/tests/unit/src/expected_bundle_sdcore.yaml@27b31815
  // sets `trust: true` on every network function; their READMEs deploy them `--trust` (canonical/sdcore-nrf-operator
  // README.md@13876014, canonical/sdcore-udm-operator README.md@073c05bb); they patch their own Service's ports
  // through KubernetesServicePatch (canonical/sdcore-amf-k8s-operator src/charm.py@86883fc0: sbi, ngapp over SCTP, …).
  // The later `-k8s` network functions set their ports through Juju and most deploy untrusted (sdcore-smf-k8s,
  // sdcore-nrf-k8s, sdcore-ausf-k8s: canonical/sdcore-smf-k8s-operator README.md@0c031ee8); not listed.
  'sdcore-amf': SERVICE_PATCH,
  'sdcore-ausf': SERVICE_PATCH,
  'sdcore-nrf': SERVICE_PATCH,
  'sdcore-nssf': SERVICE_PATCH,
  'sdcore-pcf': SERVICE_PATCH,
  'sdcore-smf': SERVICE_PATCH,
  'sdcore-udm': SERVICE_PATCH,
  'sdcore-udr': SERVICE_PATCH,
  'sdcore-webui': SERVICE_PATCH,
  // canonical/sdcore-upf-k8s-operator src/charm.py@fe4aaee5: creates its `APP-external` LoadBalancer Service (PFCP) and,
  // through the Multus library, NetworkAttachmentDefinitions and its StatefulSet's network annotations and NET_ADMIN;
  // canonical/sdcore-webui-k8s-operator README.md@05ed36d4: "juju deploy sdcore-upf-k8s --channel=1.5/edge --trust".
  'sdcore-upf': SDCORE_UPF,
  'sdcore-upf-k8s': SDCORE_UPF,

  // Charmed Kubeflow. canonical/istio-operators charms/istio-pilot/README.md@f55964f4: "juju deploy istio-pilot
  // --trust" and "juju deploy istio-gateway --trust --config kind=ingress istio-ingressgateway".
  'istio-pilot': 'it installs the Istio control plane into the cluster',
  'istio-gateway': "it creates the Istio gateway's Deployment and Service",
  // canonical/bundle-kubeflow releases/1.10/stable/bundle.yaml@c5591004 sets `trust: true` on these and on every
  // other application but minio.
  // canonical/kubeflow-roles-operator README.md: "Implemented specifically in this charm are aggregation `ClusterRoles`".
  'kubeflow-roles': "it creates Kubeflow's aggregation ClusterRoles",
  // canonical/metacontroller-operator src/files/manifests/metacontroller-crds-v1.yaml, metacontroller-rbac.yaml.
  'metacontroller-operator': 'it applies its CRDs and cluster RBAC',
  // canonical/training-operator src/crds_manifests.yaml, src/auth_manifests.yaml, webhook templates.
  'training-operator': 'it applies its CRDs, cluster RBAC and webhooks',
  // The rest of the 1.10 bundle's trusted charms. Each one's terraform/main.tf sets `trust = true`; what the charm
  // applies is read in its src/charm.py and templates (KubernetesResourceHandler, KubernetesServicePatch, whose
  // 403 says "`juju trust` this application"), at the commits named. Those whose reason ends "and nothing else"
  // write only their own namespace's Services: trust gives them far more than they use, which their audit should weigh.
  // canonical/admission-webhook-operator README.md@03c7c854 "juju deploy admission-webhook --trust"; src/charm.py@a2145a22.
  'admission-webhook': 'it applies its PodDefault CRD, a ClusterRole and the mutating webhook for pods',
  // canonical/argo-operators charms/argo-controller/src/charm.py@ef49b61f.
  'argo-controller': "it applies the Argo CRDs, cluster RBAC, and MinIO's ConfigMap and Secret",
  // canonical/dex-auth-operator src/charm.py@01d1cf1e: Dex's storage is `kubernetes` (dex.coreos.com CRDs it creates).
  'dex-auth': 'its Dex keeps its state in CRDs it creates itself, and it patches its Service',
  // canonical/envoy-operator src/charm.py@bc96b40c.
  envoy: 'it patches its own Service, and nothing else',
  // canonical/notebook-operators charms/jupyter-controller/src/charm.py@8fbb8e05, jupyter-ui/src/charm.py@44891b94.
  'jupyter-controller': 'it applies the Notebook CRD and its ClusterRoles',
  'jupyter-ui': 'it applies its ClusterRole and binding and patches its Service',
  // canonical/katib-operators charms/katib-controller/src/charm.py@0aa1581c, katib-db-manager/src/charm.py@b95db83e,
  // katib-ui/src/charm.py@66b4b4ef.
  'katib-controller': 'it applies the Katib CRDs, cluster RBAC and its validating and mutating webhooks',
  'katib-db-manager': 'it applies its ClusterRole and binding and patches its Service',
  'katib-ui': 'it applies its ClusterRole and binding and patches its Service',
  // canonical/kfp-operators charms/kfp-*/src/charm.py: kfp-api@379e2e49, kfp-persistence@f2176bf5,
  // kfp-profile-controller@043dc2a8, kfp-schedwf@53ab76c4, kfp-viewer@035d3c31, kfp-viz@9e75fcea, kfp-ui@c3d24894.
  // kfp-metadata-writer@0e1e08b6 applies nothing, but its workload watches and patches pods in every namespace
  // (`namespace_to_watch=""`) as the application's ServiceAccount, which only trust lets it do; kfp-ui's workload
  // likewise reads pods, logs and secrets in the users' namespaces.
  'kfp-api': 'it applies the Pipelines ClusterRoles and two more Services, and patches its Service',
  'kfp-metadata-writer': 'its workload watches and patches pods in every namespace as its ServiceAccount',
  'kfp-persistence': 'it applies its ClusterRole and binding and requests a ServiceAccount token',
  'kfp-profile-controller': "it applies a cluster-wide DecoratorController that fills every pipelines user's namespace",
  'kfp-schedwf': 'it applies the ScheduledWorkflow CRD and requests a ServiceAccount token',
  'kfp-ui': "its workload reads pods, logs and secrets in the users' namespaces, and it patches its Service",
  'kfp-viewer': 'it applies the Viewer CRD and its RBAC',
  'kfp-viz': 'it patches its own Service, and nothing else',
  // canonical/knative-operators charms/knative-*/README.md@0c8ed0b4, @01f6c1bd: "juju deploy knative-... --trust".
  'knative-operator': 'it applies the Knative operator CRDs and cluster RBAC',
  'knative-serving': 'it creates the knative-serving namespace and its KnativeServing',
  'knative-eventing': 'it creates the knative-eventing namespace and its KnativeEventing',
  // canonical/kserve-operators charms/kserve-controller/README.md@2bb6dd82 (--trust); src/charm.py@94c069f7.
  'kserve-controller': 'it applies the KServe CRDs, cluster RBAC and webhooks',
  // canonical/kubeflow-dashboard-operator README.md@10a0ffe4 "juju deploy kubeflow-dashboard --trust"; src/charm.py@d274e0db.
  'kubeflow-dashboard': 'it applies the Profile CRD and its ClusterRole, and patches its Service',
  // canonical/kubeflow-profiles-operator src/charm.py@34e12187: its controller creates every user's namespace and RBAC.
  'kubeflow-profiles': "it applies the Profile CRDs and creates users' namespaces and their RBAC",
  // canonical/kubeflow-volumes-operator src/charm.py@c873ef82.
  'kubeflow-volumes': 'it applies its ClusterRole and binding and patches its Service',
  // canonical/mlmd-operator README.md@05cb4070 (--trust); src/charm.py@4582278a.
  mlmd: 'it creates a second Service and patches its own, and nothing else',
  // canonical/oidc-gatekeeper-operator src/charm.py@df9c84d7.
  'oidc-gatekeeper': 'it patches its own Service, and nothing else',
  // canonical/pvcviewer-operator src/charm.py@da2d9ca9.
  'pvcviewer-operator': 'it applies the PVCViewer CRD, cluster RBAC and its webhooks',
  // canonical/kubeflow-tensorboards-operator charms/tensorboard-controller/src/charm.py@fba41aae,
  // tensorboards-web-app/src/charm.py@f1a6a844.
  'tensorboard-controller': 'it applies the Tensorboard CRD and its ClusterRole',
  'tensorboards-web-app': 'it applies its ClusterRoles and patches its Service',
  // Charmed MLflow. canonical/mlflow-operator src/charm.py@00cd2443 (KubernetesServicePatch, ClusterIP or NodePort);
  // later revisions also apply Kubeflow PodDefaults and Secrets (src/poddefaults/, src/secrets/).
  'mlflow-server': 'it patches its own Service, ClusterIP or NodePort',

  // Identity Platform. canonical/hydra-operator README: "juju deploy hydra --trust"; src/manifests/svc.yaml@991bbbf0
  // (admin and public Services), src/manifests/secret.yaml@bd951ccb.
  hydra: 'it creates its admin and public Services',
  // canonical/kratos-operator src/config_map.py@162382f6 (its config lives in ConfigMaps it creates),
  // src/k8s_network_policies.py@2a4f7824 ("`juju trust` this application" on 403), src/manifests/svc.yaml.
  kratos: 'it keeps its configuration in ConfigMaps it creates, and creates its Services',
}

/** Why the charm needs `--trust`, when its documentation says it does. */
export function trustNeededBecause(app: Application): string | undefined {
  return CHARMS_NEEDING_TRUST[charmName(app)]
}

/** The channel a bundle deploys in place of a track without a certificates endpoint, when the table says. */
export function certificatesChannelBeforeDeploy(app: Application): {channel: string; why: string} | undefined {
  const certificatesBy = knownCharm(app)?.certificatesBy
  const track = channelTrack(app.channel)
  return certificatesBy && track !== undefined && certificatesBy.byTrack[track] !== undefined ? certificatesBy.beforeDeploy : undefined
}

/** How a charm whose track has no certificates endpoint gets TLS another way, when the table says. */
export function certificatesInstead(app: Application): string | undefined {
  const byTrack = knownCharm(app)?.certificatesBy?.byTrack
  const track = channelTrack(app.channel)
  return byTrack && track !== undefined ? byTrack[track] : undefined
}
