/**
 * Colour for the human renderers. The caller decides whether to colour (a TTY and no NO_COLOR);
 * with colour off the text is returned untouched, so the output holds no escape sequences at all.
 */
import {styleText} from 'node:util'
import type {Severity} from '../findings/types.js'

export type StyleFormat = Parameters<typeof styleText>[0]
export type Stylize = (format: StyleFormat, text: string) => string

export function createStylize(color: boolean): Stylize {
  if (!color) return (_format, text) => text
  // validateStream: false: the caller already decided; styleText would otherwise check stdout.
  return (format, text) => (text === '' ? text : styleText(format, text, {validateStream: false}))
}

export const SEVERITY_STYLE: Record<Severity, StyleFormat> = {
  // Most alarming first: bold red, then red.
  critical: ['bold', 'red'],
  high: 'red',
  medium: 'yellow',
  low: 'cyan',
  info: 'gray',
}
