/**
 * Lines of a file from the last to the first, read in fixed-size chunks from the end: memory is
 * one chunk plus the longest line, whatever the file's size. Lines longer than `maxLine` are
 * skipped (counted), not kept.
 */
import type {FileHandle} from 'node:fs/promises'

const CHUNK = 256 << 10

export interface ReverseLine {
  text: string
  /** 1-based line number counted from the end (the last line is 1). */
  fromEnd: number
}

export async function* linesNewestFirst(handle: FileHandle, size: number, maxLine = 64 << 10): AsyncGenerator<ReverseLine> {
  let position = size
  let carry: Buffer = Buffer.alloc(0)
  let fromEnd = 0
  let first = true
  const buffer = Buffer.allocUnsafe(CHUNK)
  while (position > 0) {
    const length = Math.min(CHUNK, position)
    position -= length
    const {bytesRead} = await handle.read(buffer, 0, length, position)
    let block = Buffer.concat([buffer.subarray(0, bytesRead), carry])
    let end = block.length
    // The file's last newline ends the last line; it does not start an empty one.
    if (first && end > 0 && block[end - 1] === 0x0a) end--
    first = false
    for (let i = end - 1; i >= 0; i--) {
      if (block[i] !== 0x0a) continue
      fromEnd++
      yield {text: block.toString('utf8', i + 1, end), fromEnd}
      end = i
    }
    carry = Buffer.from(block.subarray(0, end))
    if (carry.length > maxLine) carry = Buffer.alloc(0) // an overlong line: dropped, never held whole
    block = Buffer.alloc(0)
  }
  if (carry.length > 0) yield {text: carry.toString('utf8'), fromEnd: fromEnd + 1}
}
