import {z} from 'zod'

const cidr = z
  .string()
  .regex(/^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]+)\/\d{1,3}$/, {error: 'expected a CIDR such as 10.0.0.0/8 or ::/0'})

const psaLevel = z.enum(['privileged', 'baseline', 'restricted'], {error: 'expected privileged, baseline or restricted'})

const isoDate = z.iso.date({error: 'expected a date as YYYY-MM-DD'})

const modelAccess = z.strictObject({
  admins: z.array(z.string()).optional(),
  writers: z.array(z.string()).optional(),
  readers: z.array(z.string()).optional(),
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
  rule: z.string().regex(/^[A-Z0-9]+(-[A-Z0-9]+)+$/, {error: 'expected a rule id such as JUJU-TRUST'}),
  /**
   * Which findings it covers: a glob over the finding's target written `model/name`,
   * `controller:model/name`, `namespace/Kind/name` or just `name`. `*` matches anything.
   */
  target: z.string().min(1),
  reason: z.string().min(1, {error: 'a waiver needs a reason'}),
  expires: isoDate.optional(),
})

/**
 * `hardenctl.yaml`. Every section is optional; an empty policy means "the guides' defaults".
 * Sections `access`, `commands` and `exposure` are shaped for the Juju-side reconcile (next
 * issue) and already drive the audit rules' allowlists; `networkPolicies` and `psa` drive
 * the NetworkPolicy reconcile.
 */
export const policySchema = z.strictObject({
  apiVersion: z.literal('hardenctl.io/v1', {error: 'expected apiVersion: hardenctl.io/v1'}),
  kind: z.literal('Policy', {error: 'expected kind: Policy'}).optional(),
  /** Applications (name or `model/name` glob) allowed to be exposed, and to which CIDRs. */
  exposure: z
    .strictObject({
      allow: z.record(z.string(), z.array(cidr)).default({}),
      enforce: z.boolean().default(false),
    })
    .default({allow: {}, enforce: false}),
  /** Applications (name or `model/name` glob) allowed to run with --trust. */
  trust: z.strictObject({allow: z.array(z.string()).default([])}).default({allow: []}),
  access: z
    .strictObject({
      enforce: z.boolean().default(false),
      controller: z.strictObject({superusers: z.array(z.string()).default(['admin'])}).default({superusers: ['admin']}),
      /** Model name glob → who may hold which access. Unlisted models: only the owner and superusers may admin/write. */
      models: z.record(z.string(), modelAccess).default({}),
      /** Offer (`owner/model.offer` or URL glob) → users allowed to consume it. */
      offers: z.record(z.string(), z.strictObject({consumers: z.array(z.string()).default([])})).default({}),
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
  /** Model name glob → command sets that must be disabled. Default: every model blocks destroy-model and remove-object. */
  commands: z.record(z.string(), z.array(z.enum(['destroy-model', 'remove-object', 'all']))).optional(),
  /** Models (name globs) that are not production: JUJU-DISABLED-COMMANDS skips them. */
  nonProductionModels: z.array(z.string()).default([]),
  landscape: z.strictObject({mirroring: z.boolean().default(false)}).default({mirroring: false}),
  livepatch: z.strictObject({adminCidrs: z.array(cidr).default([])}).default({adminCidrs: []}),
  kubernetes: z
    .strictObject({
      /** Namespaces audited besides Juju model and controller namespaces. */
      namespaces: z.array(z.string()).default([]),
    })
    .default({namespaces: []}),
  /** What `reconcile` generates NetworkPolicies with. */
  networkPolicies: z
    .strictObject({
      /** Also isolate egress: DNS, Juju agents, the Kubernetes API for trusted charms and relation flows stay open. */
      egress: z.boolean().default(false),
      /** Who may reach the controller API (17070) from outside the cluster: the juju CLI's users. */
      controllerApiCidrs: z.array(cidr).default(['0.0.0.0/0']),
    })
    .default({egress: false, controllerApiCidrs: ['0.0.0.0/0']}),
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
    })
    .default({logLookbackHours: 168, loginFailures: {threshold: 10, windowMinutes: 5}, sshFailures: {threshold: 10, windowMinutes: 5}, allowPorts: [22]}),
  waivers: z.array(waiverSchema).default([]),
  /** Honour `hardenctl.io/waive: "RULE=reason"` annotations on Kubernetes objects. */
  annotationWaivers: z.boolean().default(true),
})

export type Policy = z.infer<typeof policySchema>
export type PolicyWaiver = z.infer<typeof waiverSchema>

export function defaultPolicy(): Policy {
  return policySchema.parse({apiVersion: 'hardenctl.io/v1'})
}
