/**
 * Helpers for the manifests/ tests: run `kubectl kustomize` (never skipped: a missing kubectl is
 * a failure that says how to install it), and compare object lists whatever their order.
 */
import {execFile} from 'node:child_process'

import {parseAllDocuments} from 'yaml'

import {REPO_ROOT} from '../helpers/cli.js'

export type Manifest = Record<string, unknown> & {apiVersion: string; kind: string; metadata: {name: string; namespace?: string; labels?: Record<string, string>}}

/** The kubectl to run: $KUBECTL, else `kubectl` on PATH. */
export const KUBECTL = process.env.KUBECTL || 'kubectl'

export const IMAGE = 'ghcr.io/hardenctl/hardenctl:0.1.0'
export const SCHEDULE = '*/30 * * * *'

/** Objects of a multi-document YAML stream, as kubectl (YAML 1.1) reads them. */
export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text, {version: '1.1'})
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`invalid YAML: ${document.errors[0]!.message}`)
      return document.toJS() as Manifest | null
    })
    .filter((object): object is Manifest => object !== null && object !== undefined)
}

/** `kubectl kustomize DIR` (relative to the repository). */
export function kubectlKustomize(dir: string): Promise<Manifest[]> {
  return new Promise((resolve, reject) => {
    execFile(KUBECTL, ['kustomize', dir], {cwd: REPO_ROOT, maxBuffer: 16 << 20}, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(
          new Error(
            `${KUBECTL} not found: these tests need kubectl to check that manifests/ builds with kustomize. ` +
              'Install it (Debian/Ubuntu: apt-get install kubernetes-client; .ci/run does this) or set KUBECTL to its path.',
          ),
        )
        return
      }
      if (error) {
        reject(new Error(`${KUBECTL} kustomize ${dir} failed (${String(error.code)}): ${stderr.trim()}`))
        return
      }
      resolve(parseManifests(stdout))
    })
  })
}

/** `kubectl version --client` in one line, for messages. */
export function kubectlVersion(): Promise<string> {
  return new Promise((resolve) => {
    execFile(KUBECTL, ['version', '--client'], (error, stdout) => resolve(error ? 'unknown' : stdout.trim().replaceAll(/\s+/g, ' ')))
  })
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical)
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    )
  }
  return value
}

/** The objects as sorted canonical JSON strings: equal lists whatever the order of objects and keys. */
export function canonicalSet(objects: Manifest[]): string[] {
  return objects.map((object) => JSON.stringify(canonical(object))).sort()
}

export function find(objects: Manifest[], kind: string, name: string): Manifest {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name)
  if (!found) throw new Error(`no ${kind} ${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`)
  return found
}
