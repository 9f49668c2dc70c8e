/**
 * Splits a remediation's command text the way bash would: words (with their quoting), the
 * operators between commands (`;`, `&&`, `||`, `|`), and a trailing `# comment`. Only the part of
 * bash that fix commands use is modelled; what bash would read differently from what the text
 * means (an unquoted `<placeholder>` is a redirection, an unterminated quote) is reported.
 */

export interface Word {
  /** The word after quote removal; `$(...)` is kept as written. */
  value: string
  /** Any part of it was quoted. */
  quoted: boolean
  /** It holds a command substitution, so its value is only known when the shell runs it. */
  dynamic: boolean
}

export type Separator = ';' | '&&' | '||' | '|' | '&' | 'end'

export interface Segment {
  words: Word[]
  /** The operator that ends this command. */
  separator: Separator
  /** Offsets of the segment in the parsed text. */
  start: number
  end: number
}

export interface ShellProblem {
  at: number
  message: string
}

export interface ShellLine {
  segments: Segment[]
  /** Text after an unquoted `#`, without the `#`. */
  comment?: string
  /** What bash would do differently from what the text says, with the offset where it happens. */
  problems: ShellProblem[]
  /** Where parsing stopped: the end of the text, or an unbalanced `)` (when `stopAtParen`). */
  end: number
}

/**
 * Parses `text` from `start`. With `stopAtParen`, an unbalanced `)` ends the line (a command
 * quoted inside prose parentheses); otherwise it is a syntax problem.
 */
export function parseShell(text: string, start = 0, options: {stopAtParen?: boolean} = {}): ShellLine {
  const segments: Segment[] = []
  const problems: ShellProblem[] = []
  let words: Word[] = []
  let segmentStart = start
  let current: Word | undefined
  let depth = 0
  let i = start

  const flushWord = () => {
    if (current) words.push(current)
    current = undefined
  }
  const word = () => (current ??= {value: '', quoted: false, dynamic: false})
  const flushSegment = (separator: Separator, end: number) => {
    flushWord()
    if (words.length > 0 || separator !== 'end') segments.push({words, separator, start: segmentStart, end})
    words = []
  }

  while (i < text.length) {
    const c = text[i]!
    if (c === '\\' && i + 1 < text.length) {
      word().value += text[i + 1]
      word().quoted = true
      i += 2
      continue
    }
    if (c === "'") {
      const close = text.indexOf("'", i + 1)
      if (close < 0) {
        problems.push({at: i, message: `unterminated single quote: ${text.slice(i, i + 40)}`})
        word().value += text.slice(i + 1)
        i = text.length
        break
      }
      word().value += text.slice(i + 1, close)
      word().quoted = true
      i = close + 1
      continue
    }
    if (c === '"') {
      const {value, next, dynamic, ok} = readDoubleQuoted(text, i + 1)
      if (!ok) problems.push({at: i, message: `unterminated double quote: ${text.slice(i, i + 40)}`})
      word().value += value
      word().quoted = true
      if (dynamic) word().dynamic = true
      i = next
      continue
    }
    if (c === '$' && text[i + 1] === '(') {
      const close = matchingParen(text, i + 1)
      word().value += text.slice(i, close + 1)
      word().dynamic = true
      i = close + 1
      continue
    }
    if (c === '#' && current === undefined) {
      flushSegment('end', i)
      let end = text.length
      if (options.stopAtParen) {
        const paren = text.indexOf(')', i)
        if (paren >= 0) end = paren
      }
      return {segments, comment: text.slice(i + 1, end), problems, end}
    }
    if (/\s/.test(c)) {
      flushWord()
      i++
      continue
    }
    if (c === ';' || c === '|' || c === '&') {
      const two = text.slice(i, i + 2)
      const separator: Separator = two === '&&' ? '&&' : two === '||' ? '||' : (c as Separator)
      flushSegment(separator, i)
      i += separator.length
      segmentStart = i
      continue
    }
    if (c === '(') {
      depth++
      problems.push({at: i, message: `unquoted "(" starts a subshell: ${text.slice(i, i + 40)}`})
      flushWord()
      i++
      continue
    }
    if (c === ')') {
      if (depth === 0 && options.stopAtParen) {
        flushSegment('end', i)
        return {segments, problems, end: i}
      }
      if (depth === 0) problems.push({at: i, message: `unbalanced ")": ${text.slice(Math.max(0, i - 30), i + 1)}`})
      depth = Math.max(0, depth - 1)
      flushWord()
      i++
      continue
    }
    if (c === '<' || c === '>') {
      // `<base64 PEM>` written unquoted: read it as the one argument it is meant to be, and say
      // what bash does with it instead (redirects stdin from a file, stdout to another).
      const close = c === '<' ? text.indexOf('>', i) : -1
      if (close > 0 && !/[;|&#`'"\n]/.test(text.slice(i, close))) {
        const placeholder = text.slice(i, close + 1)
        problems.push({at: i, message: `unquoted placeholder ${placeholder}: bash reads "<" and ">" as redirections (input from a file, output to another), so the command never gets this argument; quote it ('${placeholder}')`})
        word().value += placeholder
        i = close + 1
        continue
      }
      problems.push({at: i, message: `unquoted "${c}" is a shell redirection, not part of the argument: ${text.slice(i, i + 40)}`})
      word().value += c
      i++
      continue
    }
    word().value += c
    i++
  }
  flushSegment('end', text.length)
  return {segments, problems, end: text.length}
}

function readDoubleQuoted(text: string, from: number): {value: string; next: number; dynamic: boolean; ok: boolean} {
  let value = ''
  let dynamic = false
  let i = from
  while (i < text.length) {
    const c = text[i]!
    if (c === '"') return {value, next: i + 1, dynamic, ok: true}
    if (c === '\\' && i + 1 < text.length) {
      value += text[i + 1]
      i += 2
      continue
    }
    if (c === '$' && text[i + 1] === '(') {
      const close = matchingParen(text, i + 1)
      value += text.slice(i, close + 1)
      dynamic = true
      i = close + 1
      continue
    }
    value += c
    i++
  }
  return {value, next: text.length, dynamic, ok: false}
}

/** The index of the `)` closing the `(` at `open` (quotes inside are skipped). */
function matchingParen(text: string, open: number): number {
  let depth = 0
  for (let i = open; i < text.length; i++) {
    const c = text[i]
    if (c === "'" || c === '"') {
      const close = text.indexOf(c, i + 1)
      if (close < 0) return text.length - 1
      i = close
      continue
    }
    if (c === '(') depth++
    if (c === ')' && --depth === 0) return i
  }
  return text.length - 1
}

/** The words of a segment as one line, quoting what needs it (for messages). */
export function segmentText(text: string, segment: Segment): string {
  return text.slice(segment.start, segment.end).trim()
}
