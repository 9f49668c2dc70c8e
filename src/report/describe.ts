/** Short text for targets, locations, guides and needs, shared by every renderer. */
import type {GuideReference, Target} from '../findings/types.js'
import type {InputKind} from '../inventory/types.js'
import type {Location} from '../sources/document.js'
import {textWidth} from './columns.js'

/** `application/postgresql-k8s`, `Service/traefik`. */
export function targetLabel(target: Target): string {
  return `${target.kind}/${target.name}`
}

/**
 * A name that identifies the target across the estate:
 * `prod:livepatch/postgresql-k8s` for a Juju application or unit, `prod:livepatch/offer/db` for
 * other Juju entities in a model, `prod:livepatch` for the model itself, `prod` for a controller,
 * `cos/Service/traefik` for a namespaced Kubernetes object, `ClusterRole/admin` for a
 * cluster-scoped one.
 */
export function qualifiedTargetName(target: Target): string {
  const {kind, name, controller, model, namespace} = target
  if (model !== undefined) {
    const modelName = controller === undefined ? model : `${controller}:${model}`
    if (kind === 'model') return modelName
    if (kind === 'application' || kind === 'unit') return `${modelName}/${name}`
    return `${modelName}/${kind}/${name}`
  }
  if (namespace !== undefined) return kind === 'namespace' ? namespace : `${namespace}/${kind}/${name}`
  if (controller !== undefined) return kind === 'controller' ? controller : `${controller}:${kind}/${name}`
  return kind === 'controller' || kind === 'namespace' ? name : `${kind}/${name}`
}

/** `bundle.yaml:18`, or just the file when the line is unknown. */
export function formatLocation(location: Location): string {
  return location.line === undefined ? location.file : `${location.file}:${location.line}`
}

/** `Harden your Juju deployment § Harden the applications`. */
export function formatGuide(guide: GuideReference): string {
  return `${guide.title} § ${guide.section}`
}

/** `Harden your Juju deployment § Harden the applications (https://…)`, for text with no footer. */
export function formatGuideWithUrl(guide: GuideReference): string {
  return `${formatGuide(guide)} (${guide.url})`
}

/**
 * The guides cited, once each in order of first citation: `Harden your Juju deployment:
 * https://…`, the address on its own line when both do not fit `width`. An address is never
 * broken, so it stays clickable.
 */
export function guideAddressLines(guides: Iterable<GuideReference>, width?: number): string[] {
  const byUrl = new Map<string, string>()
  for (const guide of guides) if (!byUrl.has(guide.url)) byUrl.set(guide.url, guide.title)
  return [...byUrl].flatMap(([url, title]) => wrapWords([`${title}:`, url], width))
}

/** Needs are alternatives: any one of them would let the rule run. */
export function formatNeeds(needs: readonly InputKind[]): string {
  return needs.length === 0 ? 'nothing missing (see message)' : needs.join(' or ')
}

/**
 * A file path as a relative URI reference with forward slashes (`examples/x/bundle.yaml`), as
 * SARIF consumers (GitHub code scanning) expect. Absolute paths become `file:` URIs.
 */
export function pathToUriReference(file: string): string {
  let path = file.replaceAll('\\', '/')
  while (path.startsWith('./')) path = path.slice(2)
  const encoded = encodeURI(path).replaceAll('?', '%3F').replaceAll('#', '%23')
  if (/^[A-Za-z]:\//.test(path)) return `file:///${encoded}`
  if (path.startsWith('/')) return `file://${encoded}`
  return encoded
}

/**
 * Splits text into lines of at most `width` characters, breaking only at spaces: a word longer
 * than a line (a path, a URL, a command) overflows on its own line rather than being cut, so it
 * can still be copied or clicked.
 */
export function wrapText(text: string, width: number | undefined): string[] {
  return text.split(/\r?\n/).flatMap((paragraph) => wrapWords(paragraph.split(' '), width))
}

/** Joins words with single spaces into lines of at most `width` characters; a word is never split. */
export function wrapWords(words: readonly string[], width: number | undefined): string[] {
  const paragraph = words.join(' ')
  if (width === undefined || width < 1 || textWidth(paragraph) <= width) return [paragraph]
  const lines: string[] = []
  let line: string | undefined
  let lineWidth = 0
  for (const word of words) {
    const wordWidth = textWidth(word)
    if (line === undefined) {
      line = word
      lineWidth = wordWidth
    } else if (lineWidth + 1 + wordWidth <= width) {
      line += ` ${word}`
      lineWidth += 1 + wordWidth
    } else {
      lines.push(line)
      line = word
      lineWidth = wordWidth
    }
  }
  if (line !== undefined) lines.push(line)
  return lines
}
