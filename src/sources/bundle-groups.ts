/**
 * Which bundle documents are merged with which. Juju merges a bundle with the overlays given with
 * it (`juju deploy bundle.yaml --overlay a.yaml --overlay b.yaml`, or the later documents of a
 * multi-document file); the file source sees files, so it decides the same from content and place:
 *
 * - A file's documents after the first are overlays of its first. Juju checks relations after the
 *   merge, so a first document may relate to an application only they (or `--overlay` files) add.
 * - Files in the same snapshot-layout model (or, outside the layout, all files) form one group.
 *   A file whose first document is a base bundle is a base; any other is an overlay file.
 * - One base in the group: every overlay file applies to it, in the order files were read.
 * - Several bases: when exactly one has base-only keys (`bundle:`, `series`, `machines`, ...) it is
 *   the base and the others (which only add applications) are overlays of it, with a warning.
 *   Otherwise each base is a bundle of its own, and an overlay file cannot say which it belongs
 *   to: that is an error.
 * - No base: the overlays are merged with each other and read as changes to a model described by
 *   other inputs (`juju status`, `juju config`).
 * - `review --overlay` files apply, in the order given, to the one base bundle being reviewed.
 */
import {InputError} from '../errors.js'
import type {Contribution} from '../inventory/contributions.js'
import {bundleContributions, hasBaseKeys, isBaseBundleDocument} from './juju/bundle.js'
import {mergeFrozenOnce} from './frozen-reads.js'
import {type BundleDocument, mergeBundleDocuments} from './juju/bundle-merge.js'
import {checkDeployable} from './juju/bundle-verify.js'

interface BundleFile {
  file: string
  /** Where this file's contributions go among the others (the order files were read in). */
  position: number
  documents: BundleDocument[]
  /** Given with `review --overlay`: an overlay whatever its content. */
  explicitOverlay: boolean
}

export interface BundleGroupsResult {
  /** Each merged bundle's contributions, and where they go: where its first file was read. */
  contributions: {position: number; contributions: readonly Contribution[]}[]
  warnings: string[]
  /** Files whose first document was read as an overlay though it looks like a bundle. */
  readAsOverlay: string[]
  /** Files whose first document is the bundle only with the overlays given with it (it relates to what they add). */
  readAsBase: string[]
}

export class BundleGroups {
  private readonly files = new Map<string, BundleFile>()

  /** `deployable`: refuse what `juju deploy` refuses beyond the bundle's shape (review; see bundle-verify.ts). */
  constructor(private readonly options: {deployable?: boolean} = {}) {}

  add(document: BundleDocument, explicitOverlay: boolean, position: number): void {
    let file = this.files.get(document.ctx.file)
    if (!file) this.files.set(document.ctx.file, (file = {file: document.ctx.file, position, documents: [], explicitOverlay}))
    file.documents.push(document)
  }

  merge(): BundleGroupsResult {
    const result: BundleGroupsResult = {contributions: [], warnings: [], readAsOverlay: [], readAsBase: []}
    const files = [...this.files.values()]
    const explicit = files.filter((file) => file.explicitOverlay)
    const groups = new Map<string, BundleFile[]>()
    for (const file of files) {
      if (file.explicitOverlay) continue
      const key = groupKey(file)
      let group = groups.get(key)
      if (!group) groups.set(key, (group = []))
      group.push(file)
    }
    // Juju merges the overlays given with a bundle into it before it checks the relations: what they define counts.
    const defined = explicit.flatMap((file) => file.documents.map((document) => document.data))
    const isBase = (file: BundleFile) => isBaseFile(file, defined)
    if (explicit.length > 0) {
      const bases = files.filter((file) => !file.explicitOverlay && isBase(file))
      checkOneBase(bases)
      result.readAsBase.push(...bases.filter((file) => !isBaseFile(file, [])).map((file) => file.file))
    }
    const merge = (base: BundleDocument | undefined, overlays: BundleDocument[]) => merged(base, overlays, this.options.deployable === true)
    for (const group of groups.values()) mergeGroup(group, group.some(isBase) ? explicit : [], isBase, merge, result)
    return result
  }
}

function groupKey(file: BundleFile): string {
  const scope = file.documents[0]!.ctx.scope
  return JSON.stringify([scope.controller ?? '', scope.model ?? ''])
}

/** A file whose first document is a bundle, given what its later documents and the `--overlay` files (`overlaid`) define. */
function isBaseFile(file: BundleFile, overlaid: readonly unknown[]): boolean {
  const [first, ...later] = file.documents
  return first!.ctx.document === 0 && isBaseBundleDocument(first!.data, [...later.map((document) => document.data), ...overlaid])
}

/** `--overlay` applies to one bundle, as with `juju deploy BUNDLE --overlay`. */
function checkOneBase(bases: BundleFile[]): void {
  if (bases.length === 1) return
  const given = bases.length === 0 ? 'no bundle was given' : `${bases.length} were given (${bases.map((b) => b.file).join(', ')}): review them one at a time`
  throw new InputError(undefined, `--overlay applies to one bundle, as with juju deploy; ${given}`)
}

type Merge = (base: BundleDocument | undefined, overlays: BundleDocument[]) => readonly Contribution[]

function mergeGroup(group: BundleFile[], explicit: BundleFile[], isBase: (file: BundleFile) => boolean, merged: Merge, result: BundleGroupsResult): void {
  let bases = group.filter(isBase)
  let overlayFiles = group.filter((file) => !isBase(file))
  if (bases.length > 1) {
    const withBaseKeys = bases.filter((file) => hasBaseKeys(file.documents[0]!.data))
    if (withBaseKeys.length === 1) {
      const base = withBaseKeys[0]!
      const demoted = bases.filter((file) => file !== base)
      for (const file of demoted) {
        result.warnings.push(`${file.file}: read as an overlay of ${base.file} (as with juju deploy ${base.file} --overlay ${file.file}): it only adds applications and has none of bundle, name, series, default-base, machines or description`)
        result.readAsOverlay.push(file.file)
      }
      overlayFiles = group.filter((file) => file !== base)
      bases = [base]
    } else if (overlayFiles.length > 0) {
      throw new InputError(
        overlayFiles[0]!.file,
        `cannot tell which bundle this overlay applies to (${bases.map((b) => b.file).join(', ')}); put each bundle with its overlays under juju/<controller>/models/<model>/ (see README "Input layout"), or review one bundle at a time with --overlay`,
      )
    }
  }
  const overlays = [...overlayFiles, ...explicit].flatMap((file) => file.documents)
  if (bases.length === 0) {
    if (overlays.length > 0) result.contributions.push({position: group[0]!.position, contributions: merged(undefined, overlays)})
    return
  }
  for (const base of bases) {
    const [first, ...ownOverlays] = base.documents
    result.contributions.push({position: base.position, contributions: merged(first, bases.length === 1 ? [...ownOverlays, ...overlays] : ownOverlays)})
  }
}

/**
 * A bundle merged with its overlays, into contributions (kept for documents that are frozen: see
 * mergeFrozenOnce; only `reconcile --watch` hands over frozen documents, and it never asks for `deployable`).
 */
function merged(base: BundleDocument | undefined, overlays: BundleDocument[], deployable: boolean): readonly Contribution[] {
  return mergeFrozenOnce(base ? [base, ...overlays] : overlays, () => {
    const bundle = mergeBundleDocuments(base, overlays)
    if (deployable) checkDeployable(bundle)
    return bundleContributions(bundle)
  })
}
