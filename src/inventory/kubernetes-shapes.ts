/**
 * Zod schemas for the Kubernetes objects hardenctl reads: only the fields rules use are checked,
 * everything else passes untouched. Field names follow the Kubernetes API reference (core/v1,
 * apps/v1, networking.k8s.io/v1, rbac.authorization.k8s.io/v1).
 *
 * These schemas only check: no `.default()`, no `.transform()`. The Kubernetes reader keeps the
 * object it was given rather than zod's copy (half the memory for 24k pods), which is only sound
 * while validation changes nothing.
 */
import {z} from 'zod'

/**
 * An object whose listed fields are checked and whose other fields are let be. The reader keeps the
 * object it was given, every field of it, never zod's output: so the type is a loose object's, but
 * zod runs in strip mode, which does not copy the unchecked fields into an output thrown away
 * (`z.looseObject` does: validating the bench estate's pods and StatefulSets took 40 % longer).
 */
function checkedObject<Shape extends z.core.$ZodLooseShape>(shape: Shape): z.ZodObject<Shape, z.core.$loose> {
  return z.object(shape) as unknown as z.ZodObject<Shape, z.core.$loose>
}

/**
 * Labels and annotations: a map of strings, checked in place. `z.record` would copy every map of
 * every object (the costliest part of validating 24k pods) for a copy the reader never keeps.
 */
const stringMap = z.custom<Record<string, string>>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), {error: 'expected a map of strings'}).check((context) => {
  const map = context.value as Record<string, unknown>
  for (const key in map) {
    if (typeof map[key] !== 'string') context.issues.push({code: 'custom', input: map[key], path: [key], message: `expected a string (got ${describeJson(map[key])})`})
  }
})

function describeJson(value: unknown): string {
  if (value === null) return 'null'
  return Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'a map' : `a ${typeof value}`
}

export const objectMetaSchema = checkedObject({
  name: z.string({error: 'expected metadata.name (a string)'}),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  labels: stringMap.optional(),
  annotations: stringMap.optional(),
  ownerReferences: z
    .array(checkedObject({kind: z.string(), name: z.string(), uid: z.string().optional(), controller: z.boolean().optional()}))
    .optional(),
})

export const capabilitiesSchema = checkedObject({
  add: z.array(z.string()).optional(),
  drop: z.array(z.string()).optional(),
})

export const securityContextSchema = checkedObject({
  runAsUser: z.number().int().optional(),
  runAsGroup: z.number().int().optional(),
  runAsNonRoot: z.boolean().optional(),
  privileged: z.boolean().optional(),
  allowPrivilegeEscalation: z.boolean().optional(),
  readOnlyRootFilesystem: z.boolean().optional(),
  capabilities: capabilitiesSchema.optional(),
})

export const podSecurityContextSchema = checkedObject({
  runAsUser: z.number().int().optional(),
  runAsGroup: z.number().int().optional(),
  runAsNonRoot: z.boolean().optional(),
  fsGroup: z.number().int().optional(),
})

export const containerPortSchema = checkedObject({
  name: z.string().optional(),
  containerPort: z.number().int(),
  /** The node's own port bound to it (K8S-HOST-ACCESS). */
  hostPort: z.number().int().optional(),
  protocol: z.string().optional(),
})

export const containerSchema = checkedObject({
  name: z.string(),
  image: z.string().optional(),
  ports: z.array(containerPortSchema).optional(),
  securityContext: securityContextSchema.optional(),
})

export const volumeSchema = checkedObject({
  name: z.string(),
  hostPath: checkedObject({path: z.string(), type: z.string().optional()}).optional(),
})

export const podSpecSchema = checkedObject({
  serviceAccountName: z.string().optional(),
  automountServiceAccountToken: z.boolean().optional(),
  hostNetwork: z.boolean().optional(),
  hostPID: z.boolean().optional(),
  hostIPC: z.boolean().optional(),
  securityContext: podSecurityContextSchema.optional(),
  // Required by the API server, but `containers: null` decodes as none (see dropNullFields).
  containers: z.array(containerSchema).optional(),
  initContainers: z.array(containerSchema).optional(),
  volumes: z.array(volumeSchema).optional(),
})

export const podSchema = checkedObject({
  metadata: objectMetaSchema,
  spec: podSpecSchema,
  status: checkedObject({phase: z.string().optional(), podIP: z.string().optional()}).optional(),
})

const podTemplateSchema = checkedObject({
  metadata: checkedObject({labels: stringMap.optional(), annotations: stringMap.optional()}).optional(),
  spec: podSpecSchema,
})

export const workloadSchema = checkedObject({
  metadata: objectMetaSchema,
  spec: checkedObject({
    replicas: z.number().int().optional(),
    selector: checkedObject({matchLabels: stringMap.optional()}).optional(),
    template: podTemplateSchema,
  }),
})

/**
 * batch/v1 CronJob: its pod template is one level deeper than a workload's, at
 * `spec.jobTemplate.spec.template`. The inventory keeps it among the workloads as a view whose
 * `spec.template` is that template (see `cronJobAsWorkload`), so every workload rule judges it.
 */
export const cronJobSchema = checkedObject({
  metadata: objectMetaSchema,
  spec: checkedObject({
    schedule: z.string().optional(),
    suspend: z.boolean().optional(),
    jobTemplate: checkedObject({
      metadata: checkedObject({labels: stringMap.optional(), annotations: stringMap.optional()}).optional(),
      spec: checkedObject({template: podTemplateSchema}),
    }),
  }),
})

export const servicePortSchema = checkedObject({
  name: z.string().optional(),
  port: z.number().int(),
  targetPort: z.union([z.number().int(), z.string()]).optional(),
  nodePort: z.number().int().optional(),
  protocol: z.string().optional(),
})

export const serviceSchema = checkedObject({
  metadata: objectMetaSchema,
  spec: checkedObject({
    type: z.string().optional(),
    selector: stringMap.optional(),
    ports: z.array(servicePortSchema).optional(),
    clusterIP: z.string().optional(),
    externalIPs: z.array(z.string()).optional(),
    loadBalancerSourceRanges: z.array(z.string()).optional(),
    externalTrafficPolicy: z.string().optional(),
  }),
  status: checkedObject({
    loadBalancer: checkedObject({ingress: z.array(checkedObject({ip: z.string().optional(), hostname: z.string().optional()})).optional()}).optional(),
  }).optional(),
})

export const ingressSchema = checkedObject({
  metadata: objectMetaSchema,
  spec: checkedObject({
    ingressClassName: z.string().optional(),
    tls: z.array(checkedObject({hosts: z.array(z.string()).optional(), secretName: z.string().optional()})).optional(),
    rules: z
      .array(
        checkedObject({
          host: z.string().optional(),
          http: checkedObject({
            paths: z.array(
              checkedObject({
                path: z.string().optional(),
                backend: checkedObject({
                  service: checkedObject({name: z.string(), port: checkedObject({number: z.number().int().optional(), name: z.string().optional()}).optional()}).optional(),
                }),
              }),
            ),
          }).optional(),
        }),
      )
      .optional(),
    defaultBackend: z.unknown().optional(),
  }),
})

const labelSelectorSchema = checkedObject({
  matchLabels: stringMap.optional(),
  matchExpressions: z
    .array(checkedObject({key: z.string(), operator: z.string(), values: z.array(z.string()).optional()}))
    .optional(),
})

const networkPolicyPeerSchema = checkedObject({
  podSelector: labelSelectorSchema.optional(),
  namespaceSelector: labelSelectorSchema.optional(),
  ipBlock: checkedObject({cidr: z.string(), except: z.array(z.string()).optional()}).optional(),
})

const networkPolicyPortSchema = checkedObject({
  protocol: z.string().optional(),
  port: z.union([z.number().int(), z.string()]).optional(),
  endPort: z.number().int().optional(),
})

export const networkPolicySchema = checkedObject({
  metadata: objectMetaSchema,
  spec: checkedObject({
    // Absent (or null) is the empty selector, every pod, as the API server decodes it: the reader sets it so.
    podSelector: labelSelectorSchema.optional(),
    policyTypes: z.array(z.enum(['Ingress', 'Egress'])).optional(),
    ingress: z.array(checkedObject({from: z.array(networkPolicyPeerSchema).optional(), ports: z.array(networkPolicyPortSchema).optional()})).optional(),
    egress: z.array(checkedObject({to: z.array(networkPolicyPeerSchema).optional(), ports: z.array(networkPolicyPortSchema).optional()})).optional(),
  }),
})

export const policyRuleSchema = checkedObject({
  apiGroups: z.array(z.string()).optional(),
  resources: z.array(z.string()).optional(),
  verbs: z.array(z.string()),
  resourceNames: z.array(z.string()).optional(),
  nonResourceURLs: z.array(z.string()).optional(),
})

export const roleSchema = checkedObject({
  metadata: objectMetaSchema,
  // A ClusterRole with an aggregationRule may have no rules at all.
  rules: z.array(policyRuleSchema).nullish(),
})

export const subjectSchema = checkedObject({
  kind: z.string(),
  name: z.string(),
  namespace: z.string().optional(),
})

export const roleBindingSchema = checkedObject({
  metadata: objectMetaSchema,
  roleRef: checkedObject({apiGroup: z.string().optional(), kind: z.string(), name: z.string()}),
  subjects: z.array(subjectSchema).nullish(),
})

/**
 * A Service the API server calls (admissionregistration.k8s.io/v1 and apiregistration.k8s.io/v1
 * `ServiceReference`): `port` defaults to 443 in both APIs.
 */
const serviceReferenceSchema = checkedObject({namespace: z.string(), name: z.string(), port: z.number().int().optional()})

/** A ValidatingWebhookConfiguration or MutatingWebhookConfiguration: who the API server calls on admission. */
export const webhookConfigurationSchema = checkedObject({
  metadata: objectMetaSchema,
  webhooks: z
    .array(
      checkedObject({
        name: z.string(),
        clientConfig: checkedObject({service: serviceReferenceSchema.optional(), url: z.string().optional()}),
      }),
    )
    .optional(),
})

/** An aggregated API: the API server proxies a group/version to `spec.service` (absent or null for the built-in, Local ones). */
export const apiServiceSchema = checkedObject({
  metadata: objectMetaSchema,
  spec: checkedObject({service: serviceReferenceSchema.nullable().optional()}).optional(),
})

/** An IngressClass: which controller serves the Ingresses naming it (networking.k8s.io/v1). */
export const ingressClassSchema = checkedObject({
  metadata: objectMetaSchema,
  spec: checkedObject({controller: z.string().optional()}).optional(),
})

/** A GatewayClass: the controller that implements the Gateways of this class (gateway.networking.k8s.io/v1). */
export const gatewayClassSchema = checkedObject({
  metadata: objectMetaSchema,
  spec: checkedObject({controllerName: z.string()}),
})

/** A Gateway: its class and its listeners (gateway.networking.k8s.io/v1). */
export const gatewaySchema = checkedObject({
  metadata: objectMetaSchema,
  spec: checkedObject({
    gatewayClassName: z.string(),
    listeners: z.array(
      checkedObject({
        name: z.string(),
        port: z.number().int(),
        protocol: z.string(),
        hostname: z.string().optional(),
        tls: checkedObject({mode: z.string().optional()}).optional(),
      }),
    ),
  }),
})

/**
 * An HTTPRoute or GRPCRoute: the Gateways it attaches to and the backends it routes to. Absent
 * fields take the API's defaults: a parentRef is a Gateway, a backendRef a core Service, both in
 * the route's namespace (gateway.networking.k8s.io/v1 shared_types.go).
 */
export const routeSchema = checkedObject({
  metadata: objectMetaSchema,
  spec: checkedObject({
    parentRefs: z
      .array(checkedObject({group: z.string().optional(), kind: z.string().optional(), namespace: z.string().optional(), name: z.string(), sectionName: z.string().optional(), port: z.number().int().optional()}))
      .optional(),
    rules: z
      .array(
        checkedObject({
          backendRefs: z
            .array(checkedObject({group: z.string().optional(), kind: z.string().optional(), namespace: z.string().optional(), name: z.string(), port: z.number().int().optional()}))
            .optional(),
          /** A rule that only redirects (HTTP to HTTPS) serves no content. */
          filters: z.array(checkedObject({type: z.string(), requestRedirect: checkedObject({scheme: z.string().optional()}).optional()})).optional(),
        }),
      )
      .optional(),
  }),
})

/**
 * A Prometheus Operator ServiceMonitor or PodMonitor (monitoring.coreos.com/v1): which Services
 * (or pods) in which namespaces Prometheus scrapes, on which ports. `port` names a Service port
 * (ServiceMonitor) or a container port (PodMonitor); `targetPort` and `portNumber` give the pod's.
 */
export const monitorSchema = checkedObject({
  metadata: objectMetaSchema,
  spec: checkedObject({
    selector: labelSelectorSchema,
    namespaceSelector: checkedObject({any: z.boolean().optional(), matchNames: z.array(z.string()).optional()}).optional(),
    endpoints: z.array(checkedObject({port: z.string().optional(), targetPort: z.union([z.number().int(), z.string()]).optional()})).optional(),
    podMetricsEndpoints: z
      .array(checkedObject({port: z.string().optional(), portNumber: z.number().int().optional(), targetPort: z.union([z.number().int(), z.string()]).optional()}))
      .optional(),
  }),
})

export const namespaceSchema = checkedObject({metadata: objectMetaSchema})
export const serviceAccountSchema = checkedObject({metadata: objectMetaSchema})
export const genericObjectSchema = checkedObject({metadata: objectMetaSchema})

export type PodSpec = z.infer<typeof podSpecSchema>
export type Container = z.infer<typeof containerSchema>
export type SecurityContext = z.infer<typeof securityContextSchema>
export type PolicyRule = z.infer<typeof policyRuleSchema>
export type LabelSelector = z.infer<typeof labelSelectorSchema>
export type NetworkPolicyPeer = z.infer<typeof networkPolicyPeerSchema>
