/**
 * Finds where a path lies in JSON text, for findings that need a line. The data itself comes from
 * `JSON.parse`; this only looks at the text when asked, and only at the containers on the path:
 * each container's children are indexed once, and only as far as the lookups reach (their values
 * skipped, not parsed), so a thousand findings in a 60 MB `kubectl get pods -o json` cost at most
 * one scan of the file. A full parse
 * tree (jsonc-parser's `parseTree`) took several times longer and hundreds of MB for the same file.
 */
import type {DataPath, Locator, Position} from './document.js'
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

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d

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
    let offset = this.skipWhitespace(0)
    let anchor = offset
    for (const segment of path) {
      const child = this.child(offset, segment)
      if (!child) break // a missing leaf still points at its parent
      offset = child.value
      anchor = child.anchor
    }
    this.lines ??= new LineIndex(this.text)
    return this.lines.position(anchor)
  }

  /** The child `segment` of the container opening at `start`, reading its children up to it. */
  private child(start: number, segment: string | number): Child | undefined {
    const open = this.text.charCodeAt(start)
    if (open !== OPEN_BRACE && open !== OPEN_BRACKET) return undefined
    let container = this.containers.get(start)
    if (!container) {
      container = {children: new Map(), next: this.skipWhitespace(start + 1), nextIndex: 0}
      this.containers.set(start, container)
    }
    const close = open === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET
    let found = container.children.get(segment)
    while (!found && container.next !== undefined) {
      let i = container.next
      if (i >= this.text.length || this.text.charCodeAt(i) === close) {
        container.next = undefined
        break
      }
      let key: string | number
      let child: Child
      if (open === OPEN_BRACE) {
        const keyEnd = this.stringEnd(i)
        key = JSON.parse(this.text.slice(i, keyEnd + 1)) as string
        const colon = this.skipWhitespace(keyEnd + 1)
        child = {value: this.skipWhitespace(colon + 1), anchor: i}
      } else {
        key = container.nextIndex++
        child = {value: i, anchor: i}
      }
      // JSON.parse keeps the last of two equal keys; duplicates are refused before this runs.
      container.children.set(key, child)
      if (key === segment) found = child
      i = this.skipWhitespace(this.valueEnd(child.value))
      if (this.text.charCodeAt(i) === 0x2c) i = this.skipWhitespace(i + 1)
      container.next = i
    }
    return found
  }

/** The offset just after the value starting at `start`. */
  private valueEnd(start: number): number {
    const first = this.text[start]
    if (first === '"') return this.stringEnd(start) + 1
    if (first === '{' || first === '[') return this.containerEnd(start) + 1
    let i = start
    while (i < this.text.length && !',}] \t\r\n'.includes(this.text[i]!)) i++
    return i
  }

  /** The offset of the bracket that closes the container opening at `start`. */
  private containerEnd(start: number): number {
    // A plain character loop: V8 runs it at about a nanosecond a character, several times faster
    // than stepping a regular expression from bracket to bracket.
    const text = this.text
    let depth = 0
    for (let i = start; i < text.length; i++) {
      const code = text.charCodeAt(i)
      if (code === QUOTE) i = this.stringEnd(i)
      else if (code === OPEN_BRACE || code === OPEN_BRACKET) depth++
      else if ((code === CLOSE_BRACE || code === CLOSE_BRACKET) && --depth === 0) return i
    }
    return text.length - 1
  }

  /** The offset of the quote that closes the string opening at `start`. */
  private stringEnd(start: number): number {
    const text = this.text
    for (let i = start + 1; i < text.length; i++) {
      const code = text.charCodeAt(i)
      if (code === BACKSLASH) i++
      else if (code === QUOTE) return i
    }
    return text.length - 1
  }

  private skipWhitespace(start: number): number {
    let i = start
    while (i < this.text.length && ' \t\r\n'.includes(this.text[i]!)) i++
    return i
  }
}
