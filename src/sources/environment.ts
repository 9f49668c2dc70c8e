/**
 * The `HARDENCTL_*` environment variables of the live path, each validated with zod like any
 * other input: a bad value is one line naming the variable and what was expected (exit 2), never
 * a crash later ("Invalid URL") or a silent default. Values of secret variables are never echoed.
 */
import {X509Certificate} from 'node:crypto'

import {z} from 'zod'

import {InputError} from '../errors.js'

/**
 * `name=value: problem`, or `name: problem` for a secret. The first issue's message says what was
 * expected.
 */
export function readVariable<T extends z.ZodType>(schema: T, name: string, value: string, options: {secret?: boolean} = {}): z.infer<T> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const shown = options.secret || value.length > 80 || /[\n\r]/.test(value) ? name : `${name}=${value}`
  throw new InputError(undefined, `${shown}: ${result.error.issues[0]?.message ?? 'invalid value'}`)
}

/** `30s`, `5m`, `1h30m`, `250ms` or plain seconds; at least 1 ms. */
export const durationSchema = z.string().transform((text, context) => {
  const value = text.trim()
  let ms = Number.NaN
  if (/^\d+$/.test(value)) ms = Number(value) * 1000
  else {
    const units = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(value)
    if (units && value !== '') ms = Number(units[1] ?? 0) * 3_600_000 + Number(units[2] ?? 0) * 60_000 + Number(units[3] ?? 0) * 1000 + Number(units[4] ?? 0)
  }
  if (!Number.isSafeInteger(ms) || ms < 1 || ms > 2 ** 31 - 1) {
    context.addIssue({code: 'custom', message: 'expected a duration such as 90s, 10m, 1h30m or 500ms, or plain seconds (at most 24 days)'})
    return z.NEVER
  }
  return ms
})

/** A whole number of at least 1. */
export const positiveWholeSchema = z
  .string()
  .regex(/^[1-9]\d{0,8}$/, 'expected a whole number of at least 1')
  .transform(Number)

const PORT = /^(\d{1,5})$/
/** RFC 1123 host names and IPv4; IPv6 in brackets. */
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/
const IPV6 = /^\[[0-9A-Fa-f:.]+(%[\w.-]+)?\]$/

/** Whether `endpoint` is a Juju api-endpoint: `host:port`, `[v6]:port`, with a port from 1 to 65535. */
export function isEndpoint(endpoint: string): boolean {
  const colon = endpoint.lastIndexOf(':')
  if (colon <= 0) return false
  const host = endpoint.slice(0, colon)
  const port = PORT.exec(endpoint.slice(colon + 1))?.[1]
  if (port === undefined || Number(port) < 1 || Number(port) > 65_535) return false
  if (!HOST_NAME.test(host) && !IPV6.test(host)) return false
  // What the WebSocket URL is built from must make a URL.
  return URL.canParse(`wss://${endpoint}/api`)
}

export const ENDPOINT_EXPECTED = 'expected host:port with a port from 1 to 65535 (an IPv6 address in brackets)'

/** A comma-separated list of api-endpoints, at least one. */
export const endpointListSchema = z.string().transform((text, context) => {
  const endpoints = text
    .split(',')
    .map((endpoint) => endpoint.trim())
    .filter(Boolean)
  if (endpoints.length === 0) {
    context.addIssue({code: 'custom', message: 'expected a comma-separated list of host:port, got an empty list'})
    return z.NEVER
  }
  const bad = endpoints.find((endpoint) => !isEndpoint(endpoint))
  if (bad !== undefined) {
    context.addIssue({code: 'custom', message: endpoints.length === 1 ? ENDPOINT_EXPECTED : `"${bad}": ${ENDPOINT_EXPECTED}`})
    return z.NEVER
  }
  return endpoints
})

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

/** Why `text` is not one or more PEM certificates, or undefined when it is. */
export function pemProblem(text: string): string | undefined {
  const blocks = text.match(PEM_CERTIFICATE) ?? []
  if (blocks.length === 0) return 'expected a PEM certificate (-----BEGIN CERTIFICATE-----), found none'
  for (const [index, block] of blocks.entries()) {
    try {
      new X509Certificate(block)
    } catch {
      return `expected a PEM certificate; certificate ${index + 1} of ${blocks.length} does not parse`
    }
  }
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) return 'expected a CA certificate, found a private key as well'
  return undefined
}

export const pemSchema = z.string().superRefine((text, context) => {
  const problem = pemProblem(text)
  if (problem) context.addIssue({code: 'custom', message: problem})
})

/** Juju's user names (github.com/juju/names user.go): local, or `name@domain`. */
const USER_NAME = '[a-zA-Z0-9][a-zA-Z0-9.+-]*[a-zA-Z0-9]'
export const jujuUserSchema = z.string().regex(new RegExp(`^${USER_NAME}(?:@${USER_NAME})?$`), 'expected a Juju user name (letters, digits, ".", "+", "-"; at least 2 characters)')

/**
 * Juju's controller names (github.com/juju/names controller.go): lower-case letters, digits and
 * non-leading hyphens. The name is a directory of the snapshot, so nothing else may pass.
 */
export const controllerNameSchema = z.string().regex(/^[a-z0-9]+[a-z0-9-]*$/, 'expected a Juju controller name (lower-case letters, digits and non-leading "-")')

export const absolutePathSchema = z.string().regex(/^\//, 'expected an absolute path')
