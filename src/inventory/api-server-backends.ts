/**
 * Services the Kubernetes API server itself calls: admission webhooks (Validating- and
 * MutatingWebhookConfigurations with `clientConfig.service`) and aggregated APIs (APIServices
 * with `spec.service`). A default deny in their namespace cuts the API server off: with
 * `failurePolicy: Fail` (the default) every request the webhook intercepts is then refused, with
 * `Ignore` the webhook silently stops checking, and an aggregated API stops answering.
 *
 * Webhooks called by `url` are not here: their address is not a Service hardenctl can name.
 */
import type {KubernetesView} from './kubernetes.js'

/** The port both APIs default `service.port` to. */
export const API_SERVER_CALL_PORT = 443

export interface ApiServerBackend {
  /** `MutatingWebhookConfiguration admission-webhook (webhook admission-webhook.kubeflow.org)`. */
  caller: string
  namespace: string
  service: string
  /** The Service port called. */
  port: number
}

export function apiServerBackends(view: Pick<KubernetesView, 'webhookConfigurations' | 'apiServices'>): ApiServerBackend[] {
  const backends: ApiServerBackend[] = []
  for (const configuration of view.webhookConfigurations) {
    for (const webhook of configuration.webhooks ?? []) {
      const service = webhook.clientConfig.service
      if (!service) continue
      backends.push({
        caller: `${configuration.kind} ${configuration.metadata.name} (webhook ${webhook.name})`,
        namespace: service.namespace,
        service: service.name,
        port: service.port ?? API_SERVER_CALL_PORT,
      })
    }
  }
  for (const apiService of view.apiServices) {
    const service = apiService.spec?.service
    if (!service) continue
    backends.push({caller: `APIService ${apiService.metadata.name}`, namespace: service.namespace, service: service.name, port: service.port ?? API_SERVER_CALL_PORT})
  }
  return backends
}
