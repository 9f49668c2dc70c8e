/**
 * Applies waivers to findings: policy waivers (`waivers:` in hardenctl.yaml, matched on rule and a
 * target glob, with an optional expiry) and `hardenctl.io/waive: "RULE=reason"` annotations on
 * Kubernetes objects. A waived finding stays in the report, marked, and never fails a run.
 */
import {anyGlobMatches} from '../policy/glob.js'
import {ruleIdProblem} from '../policy/rule-ids.js'
import type {Policy, PolicyWaiver} from '../policy/schema.js'
import type {ExpiredWaiver} from '../report/audit-report.js'
import type {Finding, Target} from './types.js'

export interface FindingWithAnnotations {
  finding: Finding
  /** The target's Kubernetes annotations, when the target is a Kubernetes object. */
  annotations?: Record<string, string>
}

export function applyWaivers(
  items: FindingWithAnnotations[],
  policy: Policy,
  options: {now: Date; policyFile?: string},
): {findings: Finding[]; expiredWaivers: ExpiredWaiver[]; warnings: string[]} {
  const today = options.now.toISOString().slice(0, 10)
  const source = options.policyFile ?? 'policy'
  const active: PolicyWaiver[] = []
  const expiredWaivers: ExpiredWaiver[] = []
  for (const waiver of policy.waivers) {
    if (waiver.expires !== undefined && waiver.expires < today) {
      expiredWaivers.push({rule: waiver.rule, target: waiver.target, reason: waiver.reason, expires: waiver.expires, source})
    } else {
      active.push(waiver)
    }
  }

  const warnings = new Set<string>()
  const findings = items.map(({finding, annotations}) => {
    if (policy.annotationWaivers) for (const problem of annotationProblems(annotations)) warnings.add(`${nameObject(finding.target)}: ${problem}`)
    const names = targetNames(finding.target)
    const byPolicy = active.find((waiver) => waiver.rule === finding.rule && anyGlobMatches([waiver.target], names))
    if (byPolicy) {
      return {
        ...finding,
        waived: {by: 'policy' as const, reason: byPolicy.reason, source, ...(byPolicy.expires ? {expires: byPolicy.expires} : {})},
      }
    }
    const annotationReason = policy.annotationWaivers ? annotationWaiver(annotations, finding.rule) : undefined
    if (annotationReason !== undefined) {
      return {...finding, waived: {by: 'annotation' as const, reason: annotationReason, source: describeObject(finding.target)}}
    }
    return finding
  })
  return {findings, expiredWaivers, warnings: [...warnings]}
}

/** Every spelling a waiver may use for a target: `name`, `model/name`, `controller:model/name`, `namespace/Kind/name`, `namespace/name`. */
export function targetNames(target: Target): string[] {
  const names = [target.name]
  if (target.model !== undefined) {
    names.push(`${target.model}/${target.name}`)
    if (target.controller) names.push(`${target.controller}:${target.model}/${target.name}`)
  }
  if (target.namespace !== undefined) {
    names.push(`${target.namespace}/${target.name}`, `${target.namespace}/${target.kind}/${target.name}`)
  }
  return names
}

/**
 * `hardenctl.io/waive: "RULE=reason"`; several waivers separated by `;` or new lines, e.g.
 * `"K8S-LOADBALANCER=public entry point; JUJU-TRUST=needs the K8s API"`.
 */
export function annotationWaiver(annotations: Record<string, string> | undefined, rule: string): string | undefined {
  return annotationEntries(annotations).find((entry) => entry.rule === rule)?.reason
}

/**
 * An annotation entry naming no rule of the catalog waives nothing: said as a warning, not
 * refused, since the object is in the cluster rather than in a file given to hardenctl.
 */
function annotationProblems(annotations: Record<string, string> | undefined): string[] {
  return annotationEntries(annotations).flatMap(({rule}) => {
    const problem = ruleIdProblem(rule)
    return problem === undefined ? [] : [`hardenctl.io/waive: ${problem} (that entry waives nothing)`]
  })
}

function annotationEntries(annotations: Record<string, string> | undefined): {rule: string; reason: string}[] {
  const value = annotations?.['hardenctl.io/waive']
  if (value === undefined) return []
  return value.split(/[;\n]/).flatMap((entry) => {
    const separator = entry.indexOf('=')
    if (separator === -1) return []
    return [{rule: entry.slice(0, separator).trim(), reason: entry.slice(separator + 1).trim() || 'waived by annotation'}]
  })
}

/** `namespace livepatch`, `deployment livepatch/postgresql`: the object as a warning names it. */
function nameObject(target: Target): string {
  const namespaced = target.namespace !== undefined && target.kind.toLowerCase() !== 'namespace'
  return `${target.kind} ${namespaced ? `${target.namespace}/` : ''}${target.name}`
}

function describeObject(target: Target): string {
  return `${target.kind} ${target.namespace === undefined ? '' : `${target.namespace}/`}${target.name}`
}
