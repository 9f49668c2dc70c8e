/**
 * Kubernetes charms that make a Service reachable from outside the cluster themselves, which a
 * bundle or `juju status` shows before the cluster's own objects are read.
 *
 * - traefik-k8s makes `APP-lb` of type LoadBalancer (canonical/traefik-k8s-operator
 *   src/k8s_lb_manager.py@3da9efca, `type="LoadBalancer"`).
 * - postgresql-k8s, mysql-k8s, kafka-k8s and others make a NodePort or LoadBalancer Service when
 *   their `expose-external` option asks for one.
 */
import type {Application} from '../../inventory/types.js'
import {charmName} from './charms.js'

const EXTERNAL_SERVICE_VALUES: Record<string, 'NodePort' | 'LoadBalancer'> = {nodeport: 'NodePort', loadbalancer: 'LoadBalancer'}

/** The Service type an `expose-external` option asks the charm for, if it asks for one reachable from outside. */
export function exposeExternalServiceType(app: Application): 'NodePort' | 'LoadBalancer' | undefined {
  const value = app.options['expose-external']
  return typeof value === 'string' ? EXTERNAL_SERVICE_VALUES[value.toLowerCase()] : undefined
}

/** How the charm itself opens the application to outside the cluster: a path in words, or undefined. */
export function charmMadeExternalService(app: Application): string | undefined {
  if (charmName(app) === 'traefik-k8s') return 'the LoadBalancer Service traefik-k8s makes'
  const type = exposeExternalServiceType(app)
  return type ? `the ${type} Service ${charmName(app)} makes (expose-external: ${String(app.options['expose-external'])})` : undefined
}
