/**
 * One mistake per policy, each alone in its file: where the error must point (`:line:column at
 * path`, after the file name) and what it must say.
 */
export const MISTAKES: {name: string; text: string; where: string; says: RegExp}[] = [
  {
    name: 'waiver-typo',
    text: 'waivers:\n  - rule: JUJU-TRUSTT\n    target: livepatch/postgresql\n    reason: needs the K8s API\n',
    where: ':2:5 at waivers[0].rule',
    says: /unknown rule id "JUJU-TRUSTT"; did you mean JUJU-TRUST\?$/,
  },
  {
    name: 'waiver-lowercase',
    text: 'waivers:\n  - {rule: net-no-default-deny, target: "*", reason: later}\n',
    where: ':2:6 at waivers[0].rule',
    says: /unknown rule id "net-no-default-deny"; did you mean NET-NO-DEFAULT-DENY\?$/,
  },
  {
    name: 'waiver-unknown',
    text: 'waivers:\n  - {rule: NOT-A-RULE-AT-ALL, target: "*", reason: later}\n',
    where: ':2:6 at waivers[0].rule',
    says: /unknown rule id "NOT-A-RULE-AT-ALL"; hardenctl rules lists them$/,
  },
  {
    name: 'waiver-no-reason',
    text: 'waivers:\n  - rule: JUJU-TRUST\n    target: "*"\n',
    where: ':2:5 at waivers[0].reason',
    says: /missing: every waiver needs rule, target and reason$/,
  },
  {
    name: 'waiver-date',
    text: 'waivers:\n  - {rule: JUJU-TRUST, target: "*", reason: later, expires: 2027-02-30}\n',
    where: ':2:52 at waivers[0].expires',
    says: /expected a date as YYYY-MM-DD, got "2027-02-30"$/,
  },
  {
    name: 'cidr-prefix-v4',
    text: 'exposure:\n  allow:\n    haproxy: ["10.0.0.0/33"]\n',
    where: ':3:15 at exposure.allow.haproxy[0]',
    says: /"10\.0\.0\.0\/33" is not a CIDR: the prefix length of an IPv4 CIDR is 0 to 32, not "33"$/,
  },
  {
    name: 'cidr-address',
    text: 'livepatch:\n  adminCidrs: ["300.1.1.1/8"]\n',
    where: ':2:16 at livepatch.adminCidrs[0]',
    says: /"300\.1\.1\.1\/8" is not a CIDR: "300\.1\.1\.1" is not an IPv4 or IPv6 address$/,
  },
  {
    name: 'cidr-prefix-v6',
    text: 'networkPolicies:\n  controllerApiCidrs: ["fe80::/129"]\n',
    where: ':2:24 at networkPolicies.controllerApiCidrs[0]',
    says: /the prefix length of an IPv6 CIDR is 0 to 128, not "129"$/,
  },
  {
    // ipaddr.js alone reads 010.0.0.0 as octal, 8.0.0.0; Go (Juju) and Kubernetes refuse it.
    name: 'cidr-leading-zero',
    text: 'livepatch:\n  adminCidrs: ["010.0.0.0/8"]\n',
    where: ':2:16 at livepatch.adminCidrs[0]',
    says: /"010\.0\.0\.0" is not an IPv4 or IPv6 address$/,
  },
  {
    name: 'cidr-no-prefix',
    text: 'livepatch:\n  adminCidrs: ["10.20.0.1"]\n',
    where: ':2:16 at livepatch.adminCidrs[0]',
    says: /a CIDR needs a prefix length: 10\.20\.0\.1\/32 for this one address$/,
  },
  {
    name: 'glob-value',
    text: 'trust:\n  allow: ["cos/*", "["]\n',
    where: ':2:20 at trust.allow[1]',
    says: /not a valid glob: "\[" opens \[ without a closing \] \(write \\\[ for a literal \[\)$/,
  },
  {
    name: 'glob-key',
    text: 'access:\n  models:\n    "prod-{a,b": {admins: [alice]}\n',
    where: ':3:5 at access.models["prod-{a,b"]',
    says: /not a valid glob: "prod-\{a,b" opens \{ without a closing \}/,
  },
  {
    name: 'unknown-key',
    text: 'exposre:\n  enforce: true\n',
    where: ':1:1 at exposre',
    says: /unknown key; did you mean exposure\?$/,
  },
  {
    name: 'unknown-nested-key',
    text: 'access:\n  stale_user_days: 30\n',
    where: ':2:3 at access.stale_user_days',
    says: /unknown key; did you mean staleUserDays\?$/,
  },
  {
    name: 'api-version',
    text: 'apiVersion: hardenctl.io/v2\n',
    where: ':1:1 at apiVersion',
    says: /expected hardenctl\.io\/v1, the only policy version \(or leave apiVersion out\)$/,
  },
  {
    name: 'kind',
    text: 'kind: Bundle\n',
    where: ':1:1 at kind',
    says: /expected Policy \(or leave kind out\)$/,
  },
  {
    name: 'yes-is-not-true',
    text: 'exposure:\n  enforce: yes\n',
    where: ':2:3 at exposure.enforce',
    says: /expected true or false, got "yes"$/,
  },
  {
    name: 'enum',
    text: 'commands:\n  "prod-*": [destroy-models]\n',
    where: ':2:14 at commands["prod-*"][0]',
    says: /expected destroy-model, remove-object or all, got "destroy-models"; did you mean destroy-model\?$/,
  },
  {
    name: 'not-a-mapping',
    text: '- rule: JUJU-TRUST\n',
    where: ':1:1',
    says: /expected a mapping of policy keys \(apiVersion, exposure, waivers, …\), got a list$/,
  },
]

