/**
 * `hardenctl policy init`: a starter hardenctl.yaml with every key at its default, each with a
 * comment saying what it does, so the file as printed changes nothing and documents everything.
 * test/policy/init-check.test.ts holds it to that: it parses to exactly the defaults and names
 * every key of the schema (./schema.ts).
 */
export const STARTER_POLICY = `# hardenctl policy. Every key is optional: the values below are the defaults (the Canonical
# hardening guides' choices), so this file as written changes nothing. Keep the keys you change.
# Names of models, applications, offers, namespaces and users are globs: * matches any run of
# characters (/ included), ? one character, [abc] one of a set. Targets: app, model/app,
# controller:model/app, namespace/Kind/name.
# Check the file with: hardenctl policy check hardenctl.yaml
apiVersion: hardenctl.io/v1   # optional; when given, hardenctl.io/v1
kind: Policy                  # optional; when given, Policy

# Applications allowed to be exposed outside the cluster or cloud (juju expose, LoadBalancer and
# NodePort Services), and to which CIDRs. Others are reported (JUJU-EXPOSED, K8S-LOADBALANCER).
exposure:
  allow: {}            # app glob → CIDRs, e.g. {haproxy: ["10.0.0.0/8"], "cos/traefik": ["0.0.0.0/0", "::/0"]}
  enforce: false       # true: reconcile unexposes the rest and narrows NetworkPolicies to these CIDRs

# Applications allowed to run with juju deploy --trust (access to the Kubernetes API).
trust:
  allow: []            # app globs, e.g. [traefik-k8s, "cos/*"]; others are reported (JUJU-TRUST)

# Who may hold which Juju access (ACCESS-* rules); reconcile revokes what exceeds it.
access:
  enforce: false       # true: reconcile revokes access beyond this section (never grants)
  controller:
    superusers: [admin]          # users allowed controller superuser (globs)
  models: {}           # model glob → {admins: [...], writers: [...], readers: [...]}; e.g.
                       #   "prod-*": {admins: [alice], writers: [ci-bot], readers: ["*"]}
                       # unmatched models: the owner and superusers admin, anyone may read
  offers: {}           # offer glob (owner/model.offer) → {consumers: [users]}; e.g.
                       #   "admin/prod.postgresql": {consumers: [landscape-admin]}
  staleUserDays: 90    # a user idle longer than this is stale (ACCESS-STALE-USER)
  disableStaleUsers: false       # true (with enforce): reconcile disables stale users

# Command blocks each model must have (juju disable-command), by model glob, from
# destroy-model, remove-object and all. Unset, or for models no key names: destroy-model and
# remove-object (JUJU-DISABLED-COMMANDS). reconcile switches blocks on only for models named here.
# commands: {"prod-*": [destroy-model, remove-object]}

# Models that are not production: JUJU-DISABLED-COMMANDS skips them.
nonProductionModels: []          # model globs, e.g. ["dev-*"]

landscape:
  mirroring: false     # true: Landscape mirrors repositories, so port 80 stays (LANDSCAPE-HTTP-PORT)

livepatch:
  adminCidrs: []       # who may reach the Livepatch admin API, e.g. ["10.20.0.0/16"] (LIVEPATCH-ADMIN-API)

kubernetes:
  namespaces: []       # namespace globs audited besides the Juju model and controller namespaces

# What reconcile generates NetworkPolicies with.
networkPolicies:
  egress: false        # true: isolate egress too (DNS, Juju agents, relations and, for trusted charms, the Kubernetes API stay open)
  controllerApiCidrs: ["0.0.0.0/0"]   # who may reach the controller API (17070) from outside the cluster
  apiServerCidrs: ["0.0.0.0/0", "::/0"]   # where the Kubernetes API server calls webhooks in model namespaces from (its nodes' addresses)
  nodeCidrs: ["0.0.0.0/0", "::/0"]        # where host-network pods connect from (the nodes' addresses), e.g. an ingress controller on the host network
  unmodelledWorkloads: leave-namespace   # a model namespace where pods that are no Juju unit serve a Service: leave-namespace or isolate

# Pod Security Admission labels on the namespaces reconcile manages.
psa:
  enabled: false       # true: reconcile labels the Juju namespaces
  warn: restricted     # level whose violations kubectl warns about: privileged, baseline or restricted
  audit: restricted    # level whose violations go to the API server's audit log
  # enforce: baseline  # unset by default: most charms run as root and would not start under it

# hardenctl host: how MAAS and Landscape hosts' logs and ports are judged.
host:
  logLookbackHours: 168          # logs are read newest first, this far back from their newest line
  loginFailures:                 # MAAS-LOGIN-FAILURES: failed logins in regiond.log
    threshold: 10                #   this many ...
    windowMinutes: 5             #   ... within this many minutes is a burst
  sshFailures:                   # MAAS-SSH-FAILURES: Failed password / Invalid user in auth.log
    threshold: 10                #   this many ...
    windowMinutes: 5             #   ... within this many minutes is a burst
  allowPorts: [22]               # MAAS-HOST-PORTS: ports a MAAS host may listen on besides MAAS's own
  certificateWarningDays: 30     # MAAS-TLS-CERT-EXPIRY, LANDSCAPE-TLS-CERT-EXPIRY: report certificates this close to expiry

annotationWaivers: true          # honour hardenctl.io/waive: "RULE=reason" annotations on Kubernetes objects

# Accepted findings: they stay in the report, marked waived, and never fail a run. rule is a
# rule id (hardenctl rules lists them), target a glob; past expires the waiver stops applying.
waivers: []
#  - rule: JUJU-TRUST
#    target: livepatch/postgresql
#    reason: postgresql-k8s needs the Kubernetes API to manage its pods
#    expires: 2027-03-31
`
