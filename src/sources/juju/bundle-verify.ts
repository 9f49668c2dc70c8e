/**
 * What `juju deploy` refuses in a bundle beyond its shape, checked on the bundle merged with its
 * overlays as Juju checks it (juju/juju internal/charm/bundledata.go, Verify: the placement checks
 * of verifyApplications, verifyRelations, and "machine %q is not referred to by a placement
 * directive"; overlay.go, applyOverlay: an overlay's relations are appended, its machines replace
 * the bundle's). For `review`, the pre-deploy gate: a gate that passes a bundle Juju will not deploy
 * gives false confidence. Not for `audit`: an exported bundle describes what is deployed already.
 * The checks that need the charms (options, endpoints) are review's `--charm` checks.
 */
import type {SourceRef} from '../document.js'
import {errorAt, type Located, type MergedApplication, type MergedBundle, positionOf} from './bundle-merge.js'
import {isRecord, refAt} from './common.js'

export function checkDeployable(merged: MergedBundle): void {
  if (!merged.base) return
  checkMachinesAndPlacements(merged)
  checkRelations(merged)
}

/** names.ApplicationSnippet, names.NumberSnippet and names.ContainerTypeSnippet, as ParsePlacement combines them. */
const APPLICATION = '[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*'
const NUMBER = '(?:0|[1-9][0-9]*)'
const PLACEMENT = new RegExp(`^(?:([a-z]+):)?(?:(${APPLICATION})(?:/(${NUMBER}))?|(${NUMBER}))$`)

type Placement = {machine: string} | {application: string; unit?: number}

/** `0`, `lxd:0`, `new`, `lxd:new`, `mysql`, `lxd:mysql/1` (bundledata.go ParsePlacement). */
function parsePlacement(text: string): Placement | undefined {
  const match = PLACEMENT.exec(text)
  if (!match) return undefined
  const [, , application, unit, machine] = match
  if (application === 'new') return unit === undefined ? {machine: 'new'} : undefined
  if (application !== undefined) return unit === undefined ? {application} : {application, unit: Number(unit)}
  return {machine: machine!}
}

function unitCount(app: MergedApplication): number {
  const units = app.fields.get('num_units')?.value ?? app.fields.get('scale')?.value
  return typeof units === 'number' ? units : 0
}

/** The machines Juju deploys with: the bundle's, or those of the last overlay that defines machines. */
function definedMachines(merged: MergedBundle): Located<string>[] {
  let machines: Located<string>[] = []
  for (const {data, ctx} of merged.documents) {
    if (!isRecord(data.machines)) continue
    machines = Object.keys(data.machines).map((id) => ({value: id, ref: refAt(ctx, ['machines', id])}))
  }
  return machines
}

function checkMachinesAndPlacements(merged: MergedBundle): void {
  const machines = definedMachines(merged)
  const kubernetes = merged.type?.value === 'kubernetes'
  if (kubernetes && machines.length > 0) {
    throw errorAt(merged, machines[0]!.ref, 'a Kubernetes bundle (bundle: kubernetes) has no machines; juju deploy refuses one that defines them')
  }
  const used = new Set<string>()
  for (const [name, app] of merged.applications) {
    const to = app.fields.get('to')
    if (to === undefined) continue
    const placements = Array.isArray(to.value) ? to.value.map(String) : [String(to.value)]
    const at = (index: number): SourceRef => (Array.isArray(to.value) ? {...to.ref, path: [...to.ref.path, index]} : to.ref)
    if (kubernetes) {
      if (placements.length > 1) throw errorAt(merged, to.ref, `application ${JSON.stringify(name)} has ${placements.length} placement directives; juju deploy takes at most one for a Kubernetes application`)
      continue
    }
    const units = unitCount(app)
    if (placements.length > units) {
      throw errorAt(merged, to.ref, `application ${JSON.stringify(name)} places ${placements.length} units (to:) but deploys ${units} (num_units); juju deploy refuses more placements than units`)
    }
    for (const [index, text] of placements.entries()) {
      const placement = parsePlacement(text)
      if (placement === undefined) {
        throw errorAt(merged, at(index), `placement ${JSON.stringify(text)} is not MACHINE, CONTAINER:MACHINE, APPLICATION[/UNIT], CONTAINER:APPLICATION[/UNIT] or new; juju deploy refuses it`)
      }
      if ('application' in placement) {
        const target = merged.applications.get(placement.application)
        if (target === undefined) {
          throw errorAt(merged, at(index), `placement ${JSON.stringify(text)} names application ${JSON.stringify(placement.application)}, which the bundle does not have; juju deploy refuses it`)
        }
        if (placement.unit !== undefined && placement.unit >= unitCount(target)) {
          throw errorAt(merged, at(index), `placement ${JSON.stringify(text)} names unit ${placement.unit} of ${placement.application}, which deploys ${unitCount(target)} unit(s); juju deploy refuses it`)
        }
      } else if (placement.machine !== 'new') {
        if (!machines.some((machine) => machine.value === placement.machine)) {
          throw errorAt(merged, at(index), `placement ${JSON.stringify(text)} names machine ${placement.machine}, which the bundle's machines do not define; juju deploy refuses it`)
        }
        used.add(placement.machine)
      }
    }
  }
  const unused = machines.find((machine) => !used.has(machine.value))
  if (unused) throw errorAt(merged, unused.ref, `machine ${JSON.stringify(unused.value)} is not used by any application's to: placement; juju deploy refuses a bundle with an unused machine`)
}

/** One end of a relation as Juju compares them: the application, and the endpoint when named. */
function relationEnd(text: string): [string, string] {
  const colon = text.indexOf(':')
  return colon === -1 ? [text, ''] : [text.slice(0, colon), text.slice(colon + 1)]
}

function checkRelations(merged: MergedBundle): void {
  const seen = new Map<string, SourceRef>()
  for (const relation of merged.relations) {
    const ends = relation.value.map(relationEnd).sort(([a, x], [b, y]) => (a === b ? compare(x, y) : compare(a, b)))
    if (ends[0]![0] === ends[1]![0]) throw errorAt(merged, relation.ref, `the relation relates application ${JSON.stringify(ends[0]![0])} to itself; juju deploy refuses it`)
    const key = JSON.stringify(ends)
    const earlier = seen.get(key)
    if (earlier) throw errorAt(merged, relation.ref, `the relation is defined more than once (also at ${where(merged, earlier)}); juju deploy refuses it`)
    seen.set(key, relation.ref)
  }
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

function where(merged: MergedBundle, ref: SourceRef): string {
  const line = positionOf(merged, ref)?.line
  return `${ref.file}${line === undefined ? '' : `:${line}`}`
}
