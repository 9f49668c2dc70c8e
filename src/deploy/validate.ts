/**
 * What `hardenctl manifests` accepts for --image, --schedule and --namespace, checked before
 * anything is rendered so a mistake is one line, not an object the API server refuses later.
 */
import {InputError} from '../errors.js'

interface CronField {
  name: string
  min: number
  max: number
  names?: readonly string[]
  /** `?` (no specific value) is allowed in the day fields, as in the CronJob controller. */
  question?: boolean
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] as const
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const

const CRON_FIELDS: readonly CronField[] = [
  {name: 'minute', min: 0, max: 59},
  {name: 'hour', min: 0, max: 23},
  {name: 'day of month', min: 1, max: 31, question: true},
  {name: 'month', min: 1, max: 12, names: MONTHS},
  {name: 'day of week', min: 0, max: 6, names: DAYS, question: true},
]

/** The shorthands the CronJob controller accepts instead of five fields. */
const CRON_MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'])

/**
 * A CronJob schedule: five fields (minute hour day-of-month month day-of-week) of values,
 * ranges `a-b`, lists `a,b`, `*` and steps `/n`, month and day names; or @hourly, @daily, ...
 */
export function validateSchedule(schedule: string): string {
  const shown = `--schedule ${JSON.stringify(schedule)}`
  const trimmed = schedule.trim()
  if (trimmed.startsWith('@')) {
    if (CRON_MACROS.has(trimmed.toLowerCase())) return trimmed
    throw new InputError(undefined, `${shown}: expected five cron fields or one of ${[...CRON_MACROS].join(', ')}`)
  }
  if (/^(CRON_)?TZ=/.test(trimmed)) throw new InputError(undefined, `${shown}: a time zone in the schedule is not allowed; CronJob schedules run in the controller's time zone`)
  const fields = trimmed === '' ? [] : trimmed.split(/\s+/)
  if (fields.length !== CRON_FIELDS.length) {
    throw new InputError(
      undefined,
      `${shown}: expected a cron expression of 5 fields (minute hour day-of-month month day-of-week, e.g. "*/30 * * * *"), got ${fields.length}`,
    )
  }
  fields.forEach((text, index) => {
    const problem = cronFieldProblem(text, CRON_FIELDS[index]!)
    if (problem) throw new InputError(undefined, `${shown}: ${CRON_FIELDS[index]!.name} field ${JSON.stringify(text)}: ${problem}`)
  })
  return fields.join(' ')
}

function cronFieldProblem(text: string, field: CronField): string | undefined {
  for (const item of text.split(',')) {
    if (item === '') return 'empty list item'
    const [range = '', step, ...extra] = item.split('/')
    if (extra.length > 0) return `more than one / in ${item}`
    if (step !== undefined && !/^[0-9]+$/.test(step)) return `step ${JSON.stringify(step)} is not a number`
    if (step !== undefined && Number(step) === 0) return 'a step must be at least 1'
    if (step !== undefined && Number(step) > field.max - field.min + 1) return `step ${step} is larger than the field's range ${field.min}-${field.max}`
    if (range === '*' || (field.question && range === '?')) continue
    const bounds = range.split('-')
    if (bounds.length > 2) return `${JSON.stringify(range)} is not a value or a range a-b`
    const values: number[] = []
    for (const bound of bounds) {
      const value = cronValue(bound, field)
      if (value === undefined) {
        const names = field.names ? ` or ${field.names[0]!}-${field.names.at(-1)!}` : ''
        return `${JSON.stringify(bound)} is not a value between ${field.min} and ${field.max}${names}`
      }
      values.push(value)
    }
    if (values.length === 2 && values[0]! > values[1]!) return `range ${range} goes backwards`
  }
  return undefined
}

function cronValue(text: string, field: CronField): number | undefined {
  const named = field.names?.indexOf(text.toLowerCase() as never) ?? -1
  if (named !== -1) return named + field.min
  if (!/^[0-9]+$/.test(text)) return undefined
  const value = Number(text)
  return value >= field.min && value <= field.max ? value : undefined
}

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*'
const TAG = '[\\w][\\w.-]{0,127}'
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}'
/** The container image reference grammar (distribution/reference): `[registry[:port]/]path[:tag][@digest]`. */
const IMAGE_REFERENCE = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::${TAG})?(?:@${DIGEST})?$`)

export function validateImage(image: string): string {
  if (image.trim() === '') throw new InputError(undefined, '--image: expected a container image such as ghcr.io/hardenctl/hardenctl:0.1.0, got an empty string')
  if (image.length > 4096 || !IMAGE_REFERENCE.test(image)) {
    throw new InputError(undefined, `--image ${JSON.stringify(image)}: expected a container image reference such as registry.example.com/hardenctl:0.1.0 (lower-case path, optional :tag and @sha256:digest)`)
  }
  return image
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

export function validateNamespace(namespace: string): string {
  if (namespace.length > 63 || !DNS_LABEL.test(namespace)) {
    throw new InputError(undefined, `--namespace ${JSON.stringify(namespace)}: expected a namespace name: at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit`)
  }
  return namespace
}
