/** Plain fixed-width columns: pad first, colour after, so escape codes never skew alignment. */

/** Display width, counted in code points (good enough for the ASCII ids and names we print). */
export function textWidth(text: string): number {
  // `[...text].length` without building the array: a surrogate pair is one code point.
  let width = text.length
  for (let i = 0; i < text.length - 1; i++) {
    const code = text.charCodeAt(i)
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        width--
        i++
      }
    }
  }
  return width
}

export function padCell(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - textWidth(text)))
}

/** The widest cell of each column. */
export function columnWidths(rows: readonly (readonly string[])[], minimums: readonly number[] = []): number[] {
  const widths = [...minimums]
  for (const row of rows) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, textWidth(cell))
    })
  }
  return widths
}
