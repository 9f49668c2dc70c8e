/** Relation interfaces and endpoint names the rules recognise. */

/** Interfaces on which an application obtains a certificate to serve TLS. */
export const TLS_CERTIFICATE_INTERFACES = ['tls-certificates', 'certificates'] as const

/**
 * `certificate_transfer` (receive-ca-cert) only hands an application a CA to trust; it does not
 * make it serve TLS, so it neither triggers nor satisfies TLS-MISSING-RELATION, and a CA it
 * receives from self-signed-certificates is not a certificate it serves. These are the endpoint
 * names of the charms library (certificate_transfer: `send-ca-cert` provides, `receive-ca-cert`
 * requires), for bundle relations that carry no interface.
 */
export const CA_TRANSFER_ENDPOINT_NAMES = ['receive-ca-cert', 'send-ca-cert'] as const

/** Endpoint names charms conventionally use for a certificates relation (used when no metadata). */
export const TLS_ENDPOINT_NAMES = ['certificates', 'tls-certificates', 'ssl-certificates', 'client-certificates', 'peer-certificates'] as const

/** Interfaces that mean "this model reports to the observability stack". */
export const OBSERVABILITY_INTERFACES = [
  'cos_agent',
  'prometheus_scrape',
  'prometheus_remote_write',
  'loki_push_api',
  'grafana_dashboard',
  'otlp',
  'tracing',
] as const

/** Endpoint names that mean the same, for bundles whose relations carry no interface. */
export const OBSERVABILITY_ENDPOINT_NAMES = [
  'cos-agent',
  'metrics-endpoint',
  'send-remote-write',
  'logging',
  'log-proxy',
  'logging-consumer',
  'grafana-dashboard',
  'send-otlp',
] as const

/** Words in an offer URL that point at the observability stack (`admin/cos.prometheus`). */
export const OBSERVABILITY_OFFER_WORDS = /(prometheus|loki|grafana|mimir|tempo|otel|opentelemetry|cos)/i

/** Interfaces on which a charm receives ingress (traefik, nginx-ingress-integrator, haproxy). */
export const INGRESS_INTERFACES = ['ingress', 'ingress_per_unit', 'traefik_route', 'nginx-route', 'haproxy-route', 'haproxy-route-tcp'] as const
