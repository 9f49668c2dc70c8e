import type {Location} from '../sources/document.js'
import type {InputKind} from '../inventory/types.js'

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const
export type Severity = (typeof SEVERITIES)[number]

/** Higher is worse. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(severity)
}

export const PROFILES = ['juju', 'k8s', 'landscape', 'livepatch', 'maas'] as const
export type Profile = (typeof PROFILES)[number]

/** The hardening guide a rule encodes: where a reader finds it, and which section. */
export interface GuideReference {
  /** The guide's title, e.g. "Harden your Juju deployment". */
  title: string
  /** The guide's public documentation page. */
  url: string
  /** Section heading as written in the guide. */
  section: string
}

export type TargetKind =
  | 'controller'
  | 'model'
  | 'application'
  | 'unit'
  | 'machine'
  | 'offer'
  | 'user'
  | 'charm'
  | 'namespace'
  // Kubernetes objects use their own kind: Pod, Service, StatefulSet, Ingress, ...
  | (string & {})

export interface Target {
  kind: TargetKind
  controller?: string
  model?: string
  namespace?: string
  name: string
}

export interface Waiver {
  by: 'policy' | 'annotation'
  reason: string
  /** ISO date, for policy waivers that expire. */
  expires?: string
  /** Where the waiver was written: the policy file, or `Kind namespace/name`. */
  source: string
}

/** The stable machine contract: see README "JSON report". Field names never change within v1. */
export interface Finding {
  rule: string
  severity: Severity
  title: string
  target: Target
  message: string
  evidence: Record<string, unknown>
  guide: GuideReference
  remediation: string
  autoFixable: boolean
  location?: Location
  waived?: Waiver
}

/** A rule that could not be judged for a target (or at all) because an input was missing. */
export interface NotEvaluated {
  rule: string
  /** Undefined when the rule could not run for anything. */
  targets?: Target[]
  needs: InputKind[]
  message: string
}
