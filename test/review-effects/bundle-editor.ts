/**
 * What a user does with a review's fix before `juju deploy`: each bundle change written into a
 * copy of the reviewed bundle (or the overlay the text names), the charm's metadata, or
 * hardenctl.yaml. The copy is then reviewed again by the caller.
 *
 * Files are edited through yaml's Document API, so what the change does not touch stays as the
 * author wrote it. Placeholders a fix leaves to the user (`TRACK`, `ADMIN-CIDRS`) are filled in
 * with values that a user could choose.
 */
import {cp, mkdir, readdir, readFile, stat, writeFile} from 'node:fs/promises'
import {basename, join} from 'node:path'

import {type Document, isCollection, isMap, isSeq, parseAllDocuments, stringify, YAMLMap} from 'yaml'

import type {BundleChange, PolicyEntry} from '../../src/review/command-edits.js'
import {fillPlaceholders as fill} from '../fix-effects/placeholders.js'

/** What a review read: a bundle or charm, the overlays given with it, the policy. */
export interface ReviewInput {
  path: string
  overlays?: readonly string[]
  /** The policy file's content, when the review had one. */
  policy?: Record<string, unknown>
}

/** What to review again: the edited copies, the overlay the fix asked for last, the policy it added to. */
export interface EditedReview {
  paths: string[]
  overlays: string[]
  policyFile?: string
}

/** A change the editor cannot make to this input (a charm's metadata when only a bundle was reviewed). */
export class CannotEdit extends Error {}

interface YamlFile {
  path: string
  json: boolean
  documents: Document.Parsed[]
}

export async function applyBundleChanges(input: ReviewInput, changes: readonly BundleChange[], dir: string): Promise<EditedReview> {
  const copy = await copyInto(join(dir, 'input'), input.path)
  const overlays: string[] = []
  for (const [i, path] of (input.overlays ?? []).entries()) overlays.push(await copyInto(join(dir, `overlay-${i}`), path))
  const isDirectory = (await stat(copy)).isDirectory()
  const files = await Promise.all((isDirectory ? await yamlFilesIn(copy) : [copy]).map(readYamlFile))
  const overlayFiles = await Promise.all(overlays.map(readYamlFile))
  const overlay = new YAMLMap<string, unknown>()
  const policy: PolicyEntry[] = []
  const changed = new Set<YamlFile>()

  for (const change of changes) {
    if (change.kind === 'policy') {
      policy.push(change.entry)
      continue
    }
    if (change.kind === 'charm-metadata' || change.kind === 'secret-options') {
      editCharm(files, change, changed)
      continue
    }
    const bundle = bundleOf(files)
    if (!bundle) throw new CannotEdit(`no bundle among the reviewed files for ${change.kind}`)
    // The bundle's documents, then each overlay's, in the order juju deploy merges them.
    const merged = [bundle, ...overlayFiles]
    for (const file of merged) changed.add(file)
    editBundle(
      merged.flatMap((file) => file.documents),
      change,
      overlay,
    )
  }

  for (const file of changed) await writeYamlFile(file)
  const result: EditedReview = {paths: [copy], overlays}
  if (overlay.items.length > 0) {
    const path = join(dir, 'fix-overlay.yaml')
    await writeFile(path, stringify({applications: overlay.toJSON()}))
    result.overlays.push(path)
  }
  if (policy.length > 0 || input.policy !== undefined) {
    result.policyFile = join(dir, 'hardenctl.yaml')
    await writeFile(result.policyFile, stringify(withEntries(input.policy ?? {}, policy)))
  }
  return result
}

async function copyInto(dir: string, path: string): Promise<string> {
  const copy = join(dir, basename(path))
  await mkdir(dir)
  await cp(path, copy, {recursive: true})
  return copy
}

// ---------------------------------------------------------------- bundle

/** The file whose first document is a bundle (its later documents are overlays, as `juju deploy` reads them). */
function bundleOf(files: YamlFile[]): YamlFile | undefined {
  return files.find((file) => {
    const top = file.documents[0]?.contents
    return isMap(top) && (top.has('applications') || top.has('services'))
  })
}

function applicationsKey(document: Document.Parsed): 'applications' | 'services' {
  const top = document.contents
  return isMap(top) && !top.has('applications') && top.has('services') ? 'services' : 'applications'
}

/**
 * A bundle file's documents as `juju deploy` merges them: applications and relations are added to
 * the bundle (the first); a key is set where the last document that names the application says it,
 * so that no later overlay overrides the edit; a key is removed from every document that sets it.
 */
function editBundle(documents: Document.Parsed[], change: Exclude<BundleChange, {kind: 'policy' | 'charm-metadata' | 'secret-options'}>, overlay: YAMLMap<string, unknown>): void {
  const document = documents[0]!
  const apps = applicationsKey(document)
  const naming = (name: string) => documents.filter((doc) => doc.hasIn([applicationsKey(doc), name]))
  const lastNaming = (name: string): Document.Parsed => {
    const found = naming(name).at(-1)
    if (!found) throw new CannotEdit(`the bundle has no application ${name}`)
    return found
  }
  const set = (name: string, path: string[], value: unknown) => {
    const doc = lastNaming(name)
    doc.setIn([applicationsKey(doc), name, ...path], doc.createNode(value))
  }
  const remove = (name: string, path: string[]) => {
    for (const doc of naming(name)) {
      const full = [applicationsKey(doc), name, ...path]
      // A document that says nothing of the key (or holds no map on the way to it) has nothing to remove.
      if (isCollection(doc.getIn(full.slice(0, -1), true))) doc.deleteIn(full)
    }
  }
  switch (change.kind) {
    case 'add-relation': {
      if (!document.has('relations')) document.set('relations', document.createNode([]))
      const relations = document.get('relations')
      if (!isSeq(relations)) throw new CannotEdit('relations is not a list')
      relations.add(document.createNode([...change.ends]))
      return
    }
    case 'remove-relation': {
      const relations = document.get('relations')
      if (!isSeq(relations)) throw new CannotEdit('the bundle has no relations')
      const named = (end: unknown) => String(end).split(':')[0]
      const ends = change.ends.map(named)
      const before = relations.items.length
      relations.items = relations.items.filter((item) => {
        const pair = (isSeq(item) ? item.toJSON() : []) as unknown[]
        const names = pair.map(named)
        return !(names.includes(ends[0]) && names.includes(ends[1]))
      })
      if (relations.items.length === before) throw new CannotEdit(`no relation between ${ends.join(' and ')}`)
      return
    }
    case 'add-application': {
      const name = change.name ?? change.charm
      if (naming(name).length > 0) throw new CannotEdit(`the bundle has an application ${name} already`)
      const spec: Record<string, unknown> = {charm: change.charm}
      if (change.channel) spec.channel = change.channel
      if (change.base) spec.base = change.base
      if (change.units) spec[change.units.key] = change.units.count
      if (change.trust) spec.trust = true
      document.setIn([apps, name], document.createNode(spec))
      return
    }
    case 'set-options':
      // As strings, as the review's text writes them (quoted where YAML would read another type).
      for (const [option, value] of Object.entries(change.options)) set(change.app, ['options', option], fill(value))
      return
    case 'unset-options':
      lastNaming(change.app)
      for (const option of change.options) remove(change.app, ['options', option])
      return
    case 'unexpose':
      lastNaming(change.app)
      remove(change.app, ['expose'])
      remove(change.app, ['exposed-endpoints'])
      return
    case 'expose-to': {
      const setting = {...(change.spaces ? {'expose-to-spaces': change.spaces} : {}), 'expose-to-cidrs': change.cidrs.map(fill)}
      const endpoints = change.endpoints.length > 0 ? change.endpoints : ['']
      lastNaming(change.app)
      if (change.inOverlay) {
        const entries = (overlay.get(change.app) as {'exposed-endpoints': Record<string, unknown>} | undefined) ?? {'exposed-endpoints': {}}
        for (const endpoint of endpoints) entries['exposed-endpoints'][endpoint] = setting
        overlay.set(change.app, entries)
        return
      }
      // Each endpoint's entry replaces what any document said of that endpoint; the others stay.
      for (const endpoint of endpoints) {
        remove(change.app, ['exposed-endpoints', endpoint])
        set(change.app, ['exposed-endpoints', endpoint], setting)
      }
      return
    }
    case 'untrust':
      lastNaming(change.app)
      remove(change.app, ['trust'])
      return
    case 'channel':
      set(change.app, ['channel'], fill(change.channel))
      if (change.charm) set(change.app, ['charm'], change.charm)
      return
    case 'replace-charm':
      set(change.app, ['charm'], change.charm)
      if (change.channel) set(change.app, ['channel'], fill(change.channel))
      else remove(change.app, ['channel'])
      return
    case 'base':
      remove(change.app, ['series'])
      set(change.app, ['base'], change.base)
      return
    case 'offer-access': {
      const acl = ['offers', change.offer, 'acl']
      const holding = naming(change.app).filter((doc) => doc.hasIn([applicationsKey(doc), change.app, ...acl, change.user]))
      if (holding.length === 0) throw new CannotEdit(`no acl entry for ${change.user} in offer ${change.offer}`)
      for (const doc of holding) {
        if (change.access) doc.setIn([applicationsKey(doc), change.app, ...acl, change.user], change.access)
        else doc.deleteIn([applicationsKey(doc), change.app, ...acl, change.user])
      }
      return
    }
    case 'add-saas': {
      if (document.hasIn(['saas', change.name])) throw new CannotEdit(`the bundle consumes ${change.name} already`)
      document.setIn(['saas', change.name], document.createNode({url: change.url}))
      return
    }
    case 'remove-offers': {
      lastNaming(change.app)
      for (const offer of change.offers) remove(change.app, ['offers', offer])
      for (const doc of naming(change.app)) {
        const left = doc.getIn([applicationsKey(doc), change.app, 'offers'])
        if (isMap(left) && left.items.length === 0) doc.deleteIn([applicationsKey(doc), change.app, 'offers'])
      }
      return
    }
  }
}

// ---------------------------------------------------------------- charm

/** Charm metadata lives in metadata.yaml or (unified) charmcraft.yaml; options in config.yaml or charmcraft.yaml's `config`. */
function editCharm(files: YamlFile[], change: Extract<BundleChange, {kind: 'charm-metadata' | 'secret-options'}>, changed: Set<YamlFile>): void {
  // A charm's file reviewed on its own (a corpus copy named after its repository) is that file.
  const named = (name: string) => files.find((file) => basename(file.path) === name) ?? (files.length === 1 && name === 'charmcraft.yaml' ? files[0] : undefined)
  if (change.kind === 'charm-metadata') {
    const file = named('metadata.yaml') ?? named('charmcraft.yaml')
    if (!file) throw new CannotEdit(`charm ${change.charm}: its metadata was not reviewed (a bundle alone)`)
    for (const {path, value} of change.set) file.documents[0]!.setIn(path, value)
    changed.add(file)
    return
  }
  const config = named('config.yaml')
  const unified = named('charmcraft.yaml')
  const [file, prefix] = config?.documents[0]?.hasIn(['options']) ? [config, ['options']] : unified?.documents[0]?.hasIn(['config', 'options']) ? [unified, ['config', 'options']] : []
  if (!file || !prefix) throw new CannotEdit(`charm ${change.charm}: its config options were not reviewed`)
  for (const option of change.options) {
    const document = file.documents[0]!
    document.setIn([...prefix, option, 'type'], 'secret')
    // A secret option holds a secret's URI: no default value.
    document.deleteIn([...prefix, option, 'default'])
  }
  changed.add(file)
}

// ---------------------------------------------------------------- policy

/** The review's policy with the fix's entries added to its lists. */
function withEntries(policy: Record<string, unknown>, entries: PolicyEntry[]): Record<string, unknown> {
  const result = structuredClone(policy) as {trust?: {allow?: string[]}; exposure?: {allow?: Record<string, string[]>}; livepatch?: {adminCidrs?: string[]}}
  for (const entry of entries) {
    switch (entry.list) {
      case 'trust.allow':
        result.trust = {...result.trust, allow: [...(result.trust?.allow ?? []), entry.name]}
        break
      case 'exposure.allow': {
        const allow = {...result.exposure?.allow}
        allow[entry.name] = [...(allow[entry.name] ?? []), ...entry.cidrs.map(fill)]
        result.exposure = {...result.exposure, allow}
        break
      }
      case 'livepatch.adminCidrs':
        result.livepatch = {...result.livepatch, adminCidrs: [...(result.livepatch?.adminCidrs ?? []), ...entry.cidrs.map(fill)]}
        break
    }
  }
  return result
}

// ---------------------------------------------------------------- files

async function yamlFilesIn(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => /\.ya?ml$/.test(name)).map((name) => join(dir, name))
}

async function readYamlFile(path: string): Promise<YamlFile> {
  const text = await readFile(path, 'utf8')
  return {path, json: path.endsWith('.json'), documents: parseAllDocuments(text) as Document.Parsed[]}
}

async function writeYamlFile(file: YamlFile): Promise<void> {
  const text = file.json ? JSON.stringify(file.documents[0]!.toJSON(), null, 2) : file.documents.map((document) => document.toString()).join('')
  await writeFile(file.path, text)
}
