/**
 * Hand-built clusters for the NetworkPolicy tests, shaped like the API objects (`kubectl get -o
 * json`). Every verdict is asked of both `explain` and the matrix, and they must agree.
 */
import {expect} from 'vitest'

import type {KubePod} from '../../src/inventory/kubernetes.js'
import {podClasses} from '../../src/netpol/classes.js'
import {explain, type Verdict} from '../../src/netpol/explain.js'
import {type Matrix, matrixCell, reachabilityMatrix} from '../../src/netpol/matrix.js'
import {containsPort, parseProtocol} from '../../src/netpol/ports.js'
import type {Endpoint, NamespaceLike, PodClass, PolicyInput} from '../../src/netpol/types.js'
import type {NetworkPolicyObject, NetworkPolicySpec} from '../../src/plan/types.js'

export function namespace(name: string, labels: Record<string, string> = {}): NamespaceLike & {apiVersion: string; kind: string} {
  return {apiVersion: 'v1', kind: 'Namespace', metadata: {name, labels: {'kubernetes.io/metadata.name': name, ...labels}}}
}

export interface PodOptions {
  hostNetwork?: boolean
  ports?: {name?: string; containerPort: number; protocol?: string}[]
  phase?: string
  podIP?: string
}

/** A pod `app-0` labelled `app.kubernetes.io/name: app`, plus the given labels. */
export function pod(ns: string, app: string, labels: Record<string, string> = {}, options: PodOptions = {}): KubePod {
  const name = `${app}-0`
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    ref: {path: []},
    metadata: {name, namespace: ns, labels: {'app.kubernetes.io/name': app, 'statefulset.kubernetes.io/pod-name': name, ...labels}},
    spec: {
      ...(options.hostNetwork ? {hostNetwork: true} : {}),
      containers: [{name: app, image: `${app}:1`, ...(options.ports ? {ports: options.ports} : {})}],
    },
    status: {phase: options.phase ?? 'Running', podIP: options.podIP ?? '10.1.0.1'},
  }
}

export function policy(ns: string, name: string, spec: NetworkPolicySpec): NetworkPolicyObject {
  return {apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: {name, namespace: ns}, spec}
}

export const DEFAULT_DENY_INGRESS: NetworkPolicySpec = {podSelector: {}, policyTypes: ['Ingress']}
export const DEFAULT_DENY_EGRESS: NetworkPolicySpec = {podSelector: {}, policyTypes: ['Egress']}

export interface World {
  input: PolicyInput
  classes: PodClass[]
  matrix: Matrix
  endpoint(id: string): Endpoint
  /** explain's verdict, after checking the matrix agrees. */
  verdict(from: string, to: string, port: number | string, protocol?: string): Verdict
  allowed(from: string, to: string, port: number | string, protocol?: string): boolean
}

export function world(objects: {namespaces?: NamespaceLike[]; pods: KubePod[]; policies?: NetworkPolicyObject[]}): World {
  const namespaces = objects.namespaces ?? [...new Set(objects.pods.map((p) => p.metadata.namespace!))].map((name) => namespace(name))
  const input: PolicyInput = {policies: objects.policies ?? [], namespaces}
  const classes = podClasses({pods: objects.pods}, {policies: input.policies})
  const matrix = reachabilityMatrix(input, classes)
  const endpoint = (id: string): Endpoint => {
    if (id === 'outside') return {outside: true}
    if (/^[\d.:a-f]+$/.test(id) && !id.includes('/')) return {outside: true, ip: id}
    const found = classes.find((c) => c.id === id)
    if (!found) throw new Error(`no class ${id}; have ${classes.map((c) => c.id).join(', ')}`)
    return found
  }
  const verdict = (from: string, to: string, port: number | string, protocol?: string) => {
    const result = explain(input, endpoint(from), endpoint(to), {port, ...(protocol ? {protocol} : {})})
    // The matrix answers for "outside" at large only; an IP is explain's alone.
    const fromId = from.includes('/') || from === 'outside' ? from : undefined
    const toId = to.includes('/') || to === 'outside' ? to : undefined
    if (fromId && toId && (result.port > 0 || typeof port === 'number')) {
      const cell = matrixCell(matrix, fromId, toId)
      expect(containsPort(cell, result.port, parseProtocol(protocol)!), `matrix and explain disagree on ${from} → ${to} ${port}`).toBe(result.allowed)
    }
    return result
  }
  return {input, classes, matrix, endpoint, verdict, allowed: (from, to, port, protocol) => verdict(from, to, port, protocol).allowed}
}
