/**
 * Which Juju controllers to inspect and how to log in, found the way the juju client finds them:
 * `$JUJU_DATA` (default `~/.local/share/juju`) `controllers.yaml` and `accounts.yaml`. In a
 * cluster (the CronJob) the `HARDENCTL_JUJU_*` environment names one controller instead.
 */
import {existsSync, readFileSync, statSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'

import {z} from 'zod'

import {InputError} from '../../errors.js'
import {
  controllerNameSchema,
  ENDPOINT_EXPECTED,
  endpointListSchema,
  isEndpoint,
  jujuUserSchema,
  pemProblem,
  pemSchema,
  readVariable,
} from '../environment.js'
import {parseText} from '../parse-file.js'
import {validate} from '../validate.js'

export interface ControllerTarget {
  name: string
  /** `host:port` addresses, tried in order. */
  endpoints: string[]
  /** PEM; undefined means the system trust store. */
  caCert?: string
  user: string
  /** Never logged, never in an error message. */
  password?: string
  uuid?: string
  /** Where the target came from, for messages. */
  source: string
}

export type JujuDiscovery = {found: true; controllers: ControllerTarget[]} | {found: false; reason: string}

export interface JujuDiscoveryOptions {
  /** `--controller`, repeatable; default the current controller. */
  controllers?: string[]
  env?: NodeJS.ProcessEnv
  home?: string
}

const controllersSchema = z.looseObject({
  controllers: z
    .record(
      z.string(),
      z.looseObject({
        uuid: z.string().optional(),
        'api-endpoints': z.array(z.string().refine(isEndpoint, ENDPOINT_EXPECTED)).min(1, 'expected at least one api endpoint'),
        'ca-cert': z
          .string()
          .optional()
          .superRefine((text, context) => {
            const problem = text === undefined ? undefined : pemProblem(text)
            if (problem) context.addIssue({code: 'custom', message: problem})
          }),
      }),
    )
    .nullable()
    .optional(),
  'current-controller': z.string().optional(),
})

const accountsSchema = z.looseObject({
  controllers: z
    .record(z.string(), z.looseObject({user: z.string(), password: z.string().optional()}))
    .nullable()
    .optional(),
})

export function discoverJuju(options: JujuDiscoveryOptions = {}): JujuDiscovery {
  const env = options.env ?? process.env
  if (env.HARDENCTL_JUJU_ENDPOINTS) return {found: true, controllers: [fromEnvironment(env, options.controllers)]}

  const dataDir = env.JUJU_DATA || join(options.home ?? homedir(), '.local', 'share', 'juju')
  const controllersFile = join(dataDir, 'controllers.yaml')
  if (!existsSync(controllersFile)) {
    return {found: false, reason: `no Juju client configuration (${controllersFile} not found; set JUJU_DATA or HARDENCTL_JUJU_ENDPOINTS)`}
  }
  const config = readYaml(controllersFile, controllersSchema, 'juju controllers.yaml')
  const controllers = config.controllers ?? {}
  const accountsFile = join(dataDir, 'accounts.yaml')
  const accounts = existsSync(accountsFile) ? (readYaml(accountsFile, accountsSchema, 'juju accounts.yaml').controllers ?? {}) : {}
  const known = Object.keys(controllers).sort()
  if (known.length === 0) return {found: false, reason: `no controllers in ${controllersFile}`}

  const wanted = options.controllers?.length ? options.controllers : [currentController(controllersFile, config['current-controller'], known)]
  return {
    found: true,
    controllers: wanted.map((name) => {
      const controller = controllers[name]
      if (!controller) {
        throw new InputError(controllersFile, `no controller "${name}"; known: ${known.slice(0, 5).join(', ')}${known.length > 5 ? ', …' : ''}`)
      }
      const account = accounts[name]
      if (!account) throw new InputError(accountsFile, `no account for controller "${name}"; run juju login -c ${name}`)
      if (account.password === undefined) {
        throw new InputError(
          accountsFile,
          `controller "${name}": user ${account.user} has no password (external or macaroon login is not supported); use a local Juju user`,
        )
      }
      return compactTarget({
        name,
        endpoints: controller['api-endpoints'],
        caCert: controller['ca-cert'],
        user: account.user,
        password: account.password,
        uuid: controller.uuid,
        source: controllersFile,
      })
    }),
  }
}

function currentController(file: string, current: string | undefined, known: string[]): string {
  if (current) return current
  if (known.length === 1) return known[0]!
  throw new InputError(file, `no current-controller and several controllers (${known.slice(0, 5).join(', ')}); pass --controller NAME`)
}

const ENVIRONMENT_SOURCE = 'HARDENCTL_JUJU_* environment'
/** A password or CA file is a few kilobytes; anything far bigger (or not a file: a FIFO, /dev/zero) is a mistake. */
const MAX_SECRET_FILE_BYTES = 1 << 20

/**
 * One controller from the environment. An empty HARDENCTL_JUJU_ENDPOINTS counts as unset (as in a
 * shell); a list with no endpoint in it (`,`, spaces) or a malformed one is refused.
 */
function fromEnvironment(env: NodeJS.ProcessEnv, controllers: string[] | undefined): ControllerTarget {
  const endpoints = readVariable(endpointListSchema, 'HARDENCTL_JUJU_ENDPOINTS', env.HARDENCTL_JUJU_ENDPOINTS ?? '')
  const user = env.HARDENCTL_JUJU_USER
  if (!user) throw new InputError(undefined, 'HARDENCTL_JUJU_ENDPOINTS is set but HARDENCTL_JUJU_USER is not')
  readVariable(jujuUserSchema, 'HARDENCTL_JUJU_USER', user)
  if (env.HARDENCTL_JUJU_PASSWORD !== undefined && env.HARDENCTL_JUJU_PASSWORD_FILE !== undefined) {
    throw new InputError(undefined, 'HARDENCTL_JUJU_PASSWORD and HARDENCTL_JUJU_PASSWORD_FILE are both set; set one')
  }
  const password = env.HARDENCTL_JUJU_PASSWORD ?? readOptionalFile(env.HARDENCTL_JUJU_PASSWORD_FILE, 'HARDENCTL_JUJU_PASSWORD_FILE')?.trim()
  if (password === undefined) throw new InputError(undefined, 'HARDENCTL_JUJU_ENDPOINTS is set but neither HARDENCTL_JUJU_PASSWORD nor HARDENCTL_JUJU_PASSWORD_FILE is')
  if (password === '') {
    const where = env.HARDENCTL_JUJU_PASSWORD === undefined ? `the file HARDENCTL_JUJU_PASSWORD_FILE names (${env.HARDENCTL_JUJU_PASSWORD_FILE})` : 'HARDENCTL_JUJU_PASSWORD'
    throw new InputError(undefined, `${where}: expected a password, got an empty value`)
  }
  if (env.HARDENCTL_JUJU_CA_CERT && env.HARDENCTL_JUJU_CA_CERT_FILE) {
    throw new InputError(undefined, 'HARDENCTL_JUJU_CA_CERT and HARDENCTL_JUJU_CA_CERT_FILE are both set; set one')
  }
  let caCert: string | undefined
  if (env.HARDENCTL_JUJU_CA_CERT) caCert = readVariable(pemSchema, 'HARDENCTL_JUJU_CA_CERT', env.HARDENCTL_JUJU_CA_CERT, {secret: true})
  else if (env.HARDENCTL_JUJU_CA_CERT_FILE) {
    const file = env.HARDENCTL_JUJU_CA_CERT_FILE
    caCert = readOptionalFile(file, 'HARDENCTL_JUJU_CA_CERT_FILE')
    const problem = pemProblem(caCert ?? '')
    if (problem) throw new InputError(file, `${problem} (the file HARDENCTL_JUJU_CA_CERT_FILE names)`)
  }
  const name = env.HARDENCTL_JUJU_CONTROLLER || controllers?.[0] || 'controller'
  readVariable(controllerNameSchema, env.HARDENCTL_JUJU_CONTROLLER ? 'HARDENCTL_JUJU_CONTROLLER' : '--controller', name)
  return compactTarget({name, endpoints, caCert, user, password, source: ENVIRONMENT_SOURCE})
}

/** Only a regular file of a sane size is read: a FIFO would block, /dev/zero would never end. */
function readOptionalFile(path: string | undefined, variable: string): string | undefined {
  if (!path) return undefined
  try {
    const info = statSync(path)
    if (!info.isFile()) throw new InputError(path, `the file ${variable} names is not a regular file`)
    if (info.size > MAX_SECRET_FILE_BYTES) throw new InputError(path, `the file ${variable} names is ${info.size} bytes; expected at most ${MAX_SECRET_FILE_BYTES}`)
    return readFileSync(path, 'utf8')
  } catch (error) {
    if (error instanceof InputError) throw error
    throw new InputError(path, `cannot read the file ${variable} names (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
  }
}

function readYaml<T extends z.ZodType>(file: string, schema: T, what: string): z.infer<T> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new InputError(file, `cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
  }
  const parsed = parseText(file, text)
  return validate(schema, parsed.documents[0]?.data ?? {}, {file, locator: parsed.locator, what})
}

function compactTarget(target: ControllerTarget): ControllerTarget {
  if (target.caCert === undefined) delete target.caCert
  if (target.password === undefined) delete target.password
  if (target.uuid === undefined) delete target.uuid
  return target
}
