/**
 * Finds where a path lies in JSON text, for findings that need a line. The data itself comes from
 * `JSON.parse`; this only looks at the text when asked, and only at the containers on the path:
 * each container's children are indexed once, and only as far as the lookups reach (their values
 * skipped, not parsed), so a thousand findings in a 60 MB `kubectl get pods -o json` cost at most
 * one scan of the file. A full parse
 * tree (jsonc-parser's `parseTree`) took several times longer and hundreds of MB for the same file.
 */
import type {DataPath, Locator, Position} from './document.js'
import {CLOSE_BRACE, CLOSE_BRACKET, COMMA, OPEN_BRACE, OPEN_BRACKET, skipWhitespace, stringEnd, valueEnd} from './json-scan.js'
import {LineIndex} from './line-index.js'

interface Child {
  /** Where the child's value starts. */
  value: number
  /** Where a finding should point: the key of an object property, the value of an array item. */
  anchor: number
}

/**
 * The children of one container, read only as far as a lookup needs: finding `items` at the top
 * of a `kubectl get -o json` list must not skip the whole list to reach the keys after it.
 */
interface Container {
  children: Map<string | number, Child>
  /** Where reading the next child resumes; undefined once the closing bracket is reached. */
  next: number | undefined
  /** Index of the next array item. */
  nextIndex: number
}

export class JsonLocator implements Locator {
  private readonly containers = new Map<number, Container>()
  private lines: LineIndex | undefined
  private loaded: string | undefined

  /** The text, or a function that reads it (called once, on the first `locate`). */
  constructor(private readonly source: string | (() => string)) {}

  release(): void {
    // Text given as a string cannot be read again: keep it.
    if (typeof this.source === 'string') return
    this.loaded = undefined
    this.lines = undefined
    this.containers.clear()
  }

  private get text(): string {
    this.loaded ??= typeof this.source === 'string' ? this.source : this.source()
    return this.loaded
  }

  locate(_document: number, path: DataPath): Position | undefined {
    const text = this.text
    let offset = skipWhitespace(text, 0)
    let anchor = offset
    for (const segment of path) {
      const child = this.child(text, offset, segment)
      if (!child) break // a missing leaf still points at its parent
      offset = child.value
      anchor = child.anchor
    }
    this.lines ??= new LineIndex(text)
    return this.lines.position(anchor)
  }

  /** The child `segment` of the container opening at `start`, reading its children up to it. */
  private child(text: string, start: number, segment: string | number): Child | undefined {
    const open = text.charCodeAt(start)
    if (open !== OPEN_BRACE && open !== OPEN_BRACKET) return undefined
    let container = this.containers.get(start)
    if (!container) {
      container = {children: new Map(), next: skipWhitespace(text, start + 1), nextIndex: 0}
      this.containers.set(start, container)
    }
    const close = open === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET
    let found = container.children.get(segment)
    while (!found && container.next !== undefined) {
      let i = container.next
      if (i >= text.length || text.charCodeAt(i) === close) {
        container.next = undefined
        break
      }
      let key: string | number
      let child: Child
      if (open === OPEN_BRACE) {
        const keyEnd = stringEnd(text, i)
        const raw = text.slice(i + 1, keyEnd)
        key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw
        const colon = skipWhitespace(text, keyEnd + 1)
        child = {value: skipWhitespace(text, colon + 1), anchor: i}
      } else {
        key = container.nextIndex++
        child = {value: i, anchor: i}
      }
      // JSON.parse keeps the last of two equal keys; duplicates are refused before this runs.
      container.children.set(key, child)
      if (key === segment) found = child
      i = skipWhitespace(text, valueEnd(text, child.value))
      if (text.charCodeAt(i) === COMMA) i = skipWhitespace(text, i + 1)
      container.next = i
    }
    return found
  }
}
