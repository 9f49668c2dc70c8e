import {z} from 'zod'

import {cidrProblem} from './cidr.js'
import {closestName} from './closest.js'
import {describeValue} from './describe-value.js'
import {globProblem} from './glob.js'
import {ruleIdProblem} from './rule-ids.js'

export const POLICY_API_VERSION = 'hardenctl.io/v1'

/** A string that `problem` accepts (undefined) or refuses with its own message; `whenMissing` says why it is needed. */
function checkedString(problem: (value: string) => string | undefined, whenMissing?: string) {
  return z.string(whenMissing === undefined ? undefined : {error: missingOr(whenMissing)}).superRefine((value, context) => {
    const message = problem(value)
    if (message !== undefined) context.addIssue({code: 'custom', message})
  })
}

/** An error function: `missing: why` when the key is absent, the generic message otherwise. */
function missingOr(why: string) {
  return (issue: {input?: unknown}) => (issue.input === undefined ? `missing: ${why}` : undefined)
}

/** Parsed the way Juju and the Kubernetes API parse them (src/policy/cidr.ts), not by a pattern. */
const cidr = checkedString((value) => {
  const problem = cidrProblem(value)
  return problem === undefined ? undefined : `${JSON.stringify(value)} is not a CIDR: ${problem}`
})

/** Model, application, offer, namespace and user names in the policy are globs (src/policy/glob.ts). */
const glob = checkedString(globProblem)

/** One of `values`; a near miss gets "did you mean". */
function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  const words = `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`
  return z.enum(values, {
    error: (issue) => {
      const suggestion = typeof issue.input === 'string' ? closestName(issue.input, values) : undefined
      return `expected ${words}, got ${describeValue(issue.input)}${suggestion ? `; did you mean ${suggestion}?` : ''}`
    },
  })
}

const psaLevel = oneOf(['privileged', 'baseline', 'restricted'])

const isoDate = z.iso.date({error: (issue) => `expected a date as YYYY-MM-DD, got ${describeValue(issue.input)}`})

/** A waiver's rule, target and reason: a missing one is named as such. */
const WAIVER_NEEDS = 'every waiver needs rule, target and reason'

const modelAccess = z.strictObject({
  admins: z.array(glob).optional(),
  writers: z.array(glob).optional(),
  readers: z.array(glob).optional(),
})

const burst = (threshold: number, windowMinutes: number) =>
  z
    .strictObject({
      /** This many failures or more within `windowMinutes` make a burst. */
      threshold: z.number().int().positive().default(threshold),
      windowMinutes: z.number().int().positive().default(windowMinutes),
    })
    .default({threshold, windowMinutes})

export const waiverSchema = z.strictObject({
  /** Rule id, e.g. JUJU-TRUST. */
  rule: checkedString(ruleIdProblem, WAIVER_NEEDS),
  /**
   * Which findings it covers: a glob over the finding's target written `model/name`,
   * `controller:model/name`, `namespace/Kind/name` or just `name`. `*` matches anything.
   */
  target: checkedString(globProblem, WAIVER_NEEDS),
  reason: z.string({error: missingOr(WAIVER_NEEDS)}).refine((reason) => reason.trim() !== '', {error: 'a waiver needs a reason'}),
  expires: isoDate.optional(),
})

/**
 * `hardenctl.yaml`. Every key is optional, `apiVersion` and `kind` included (when given they must
 * be hardenctl.io/v1 and Policy); an empty policy means "the guides' defaults".
 * Sections `access`, `commands` and `exposure` are shaped for the Juju-side reconcile (next
 * issue) and already drive the audit rules' allowlists; `networkPolicies` and `psa` drive
 * the NetworkPolicy reconcile.
 */
export const policySchema = z.strictObject({
  apiVersion: z.literal(POLICY_API_VERSION, {error: `expected ${POLICY_API_VERSION}, the only policy version (or leave apiVersion out)`}).optional(),
  kind: z.literal('Policy', {error: 'expected Policy (or leave kind out)'}).optional(),
  /** Applications (name or `model/name` glob) allowed to be exposed, and to which CIDRs. */
  exposure: z
    .strictObject({
      allow: z.record(glob, z.array(cidr)).default({}),
      enforce: z.boolean().default(false),
    })
    .default({allow: {}, enforce: false}),
  /** Applications (name or `model/name` glob) allowed to run with --trust. */
  trust: z.strictObject({allow: z.array(glob).default([])}).default({allow: []}),
  access: z
    .strictObject({
      enforce: z.boolean().default(false),
      controller: z.strictObject({superusers: z.array(glob).default(['admin'])}).default({superusers: ['admin']}),
      /** Model name glob → who may hold which access. Unlisted models: only the owner and superusers may admin/write. */
      models: z.record(glob, modelAccess).default({}),
      /** Offer (`owner/model.offer` or URL glob) → users allowed to consume it. */
      offers: z.record(glob, z.strictObject({consumers: z.array(glob).default([])})).default({}),
      /** A user idle longer than this is stale (ACCESS-STALE-USER). */
      staleUserDays: z.number().int().positive().default(90),
      disableStaleUsers: z.boolean().default(false),
    })
    .default({
      enforce: false,
      controller: {superusers: ['admin']},
      models: {},
      offers: {},
      staleUserDays: 90,
      disableStaleUsers: false,
    }),
  /** Model name glob → command sets that must be disabled. Models no key matches (all of them, by default) block destroy-model and remove-object. */
  commands: z.record(glob, z.array(oneOf(['destroy-model', 'remove-object', 'all']))).optional(),
  /** Models (name globs) that are not production: JUJU-DISABLED-COMMANDS skips them. */
  nonProductionModels: z.array(glob).default([]),
  landscape: z.strictObject({mirroring: z.boolean().default(false)}).default({mirroring: false}),
  livepatch: z.strictObject({adminCidrs: z.array(cidr).default([])}).default({adminCidrs: []}),
  kubernetes: z
    .strictObject({
      /** Namespaces audited besides Juju model and controller namespaces. */
      namespaces: z.array(glob).default([]),
    })
    .default({namespaces: []}),
  /** What `reconcile` generates NetworkPolicies with. */
  networkPolicies: z
    .strictObject({
      /** Also isolate egress: DNS, Juju agents, the Kubernetes API for trusted charms and relation flows stay open. */
      egress: z.boolean().default(false),
      /** Who may reach the controller API (17070) from outside the cluster: the juju CLI's users. */
      controllerApiCidrs: z.array(cidr).default(['0.0.0.0/0']),
      /**
       * Where the Kubernetes API server calls admission webhooks and aggregated APIs from: its node
       * addresses, which no pod selector names. Default: anywhere, as today.
       */
      apiServerCidrs: z.array(cidr).default(['0.0.0.0/0', '::/0']),
      /**
       * Where host-network pods of the cluster connect from: the nodes' addresses, which no pod
       * selector names (an ingress controller on the host network reaching its Ingress backends).
       * Default: anywhere, as today.
       */
      nodeCidrs: z.array(cidr).default(['0.0.0.0/0', '::/0']),
      /**
       * A model namespace where pods that are no Juju unit serve a Service (a charm-created
       * Deployment such as Charmed Kubeflow's istiod, a Helm release): `leave-namespace` leaves it
       * as it is, since the relation graph does not say who talks to them; `isolate` plans it like
       * any other (the closes check still refuses to cut what it can see in use).
       */
      unmodelledWorkloads: z.enum(['leave-namespace', 'isolate']).default('leave-namespace'),
    })
    .default({egress: false, controllerApiCidrs: ['0.0.0.0/0'], apiServerCidrs: ['0.0.0.0/0', '::/0'], nodeCidrs: ['0.0.0.0/0', '::/0'], unmodelledWorkloads: 'leave-namespace'}),
  /**
   * Pod Security Admission labels on the Juju namespaces reconcile manages. Off by default; with
   * `enabled`, warn and audit default to restricted and enforce is left unset: most charms run
   * as root and would not start under an enforced baseline or restricted level.
   */
  psa: z
    .strictObject({
      enabled: z.boolean().default(false),
      warn: psaLevel.default('restricted'),
      audit: psaLevel.default('restricted'),
      enforce: psaLevel.optional(),
    })
    .default({enabled: false, warn: 'restricted', audit: 'restricted'}),
  /** `hardenctl host`: how logs are judged and which extra ports a MAAS host may listen on. */
  host: z
    .strictObject({
      /** Logs are read newest first, this far back from their newest line. */
      logLookbackHours: z.number().int().positive().default(168),
      /** MAAS-LOGIN-FAILURES: failed `POST /MAAS/accounts/login/` in regiond.log. */
      loginFailures: burst(10, 5),
      /** MAAS-SSH-FAILURES: `Failed password` / `Invalid user` in auth.log. */
      sshFailures: burst(10, 5),
      /** MAAS-HOST-PORTS: ports allowed besides the MAAS port reference (SSH by default). */
      allowPorts: z.array(z.number().int().min(1).max(65535)).default([22]),
      /** MAAS-TLS-CERT-EXPIRY, LANDSCAPE-TLS-CERT-EXPIRY: a certificate expiring within this many days is reported. */
      certificateWarningDays: z.number().int().min(0).default(30),
    })
    .default({logLookbackHours: 168, loginFailures: {threshold: 10, windowMinutes: 5}, sshFailures: {threshold: 10, windowMinutes: 5}, allowPorts: [22], certificateWarningDays: 30}),
  waivers: z.array(waiverSchema).default([]),
  /** Honour `hardenctl.io/waive: "RULE=reason"` annotations on Kubernetes objects. */
  annotationWaivers: z.boolean().default(true),
})

export type Policy = z.infer<typeof policySchema>
export type PolicyWaiver = z.infer<typeof waiverSchema>

export function defaultPolicy(): Policy {
  return ownCopy(policySchema.parse({}))
}

/**
 * zod 4 hands back a `.default()` value itself, not a copy: without this, every policy that left
 * `exposure` out would share one `allow` record, and a change to one policy would show in the next
 * one parsed in the same process (a `reconcile --watch`, a test run).
 */
export function ownCopy(policy: Policy): Policy {
  return structuredClone(policy)
}
