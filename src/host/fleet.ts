/**
 * `hardenctl host --juju-model MODEL`: the collection script runs on each machine of a Juju
 * machine model through the Juju API (Action.Run, as `juju exec --machine` does), its output
 * becomes a host root per machine in a temporary directory, and the same readers and rules as
 * `--root` audit them here. Findings name controller, model and machine.
 */
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {z} from 'zod'

import {IncompleteError, InputError} from '../errors.js'
import {apiModelQualifier, checkAnswer, fullStatusSchema, modelSummariesSchema} from '../sources/juju-api/api-shapes.js'
import {discoverJuju, type ControllerTarget} from '../sources/juju-api/juju-data.js'
import {JujuCallError, JujuSession, type SessionOptions} from '../sources/juju-api/session.js'
import {collectionScript} from './collect-script.js'
import {materialize, parseCollection} from './collection.js'
import type {HostRootSpec} from './run-host.js'

export interface FleetOptions {
  model: string
  /** `--machine`, repeatable; default every top-level machine of the model. */
  machines?: string[]
  /** `--controller`; default the juju client's current controller. */
  controller?: string
  insecureSkipVerify?: boolean
  /** How long a machine may take to answer (the script reads at most a few MB). */
  timeoutMs?: number
  pollMs?: number
  env?: NodeJS.ProcessEnv
  onProgress?: (message: string) => void
}

export interface FleetCollection {
  roots: HostRootSpec[]
  /** The controller the machines were collected through. */
  controller: string
  /** Machines whose collection failed (each also has a warning). */
  notAudited: string[]
  warnings: string[]
  /** Removes the temporary directory the roots are in. */
  cleanup(): Promise<void>
}

const errorShape = z.looseObject({message: z.string(), code: z.string().optional()})
const actionResult = z.looseObject({
  action: z.looseObject({tag: z.string(), receiver: z.string()}).nullable().optional(),
  status: z.string().optional(),
  message: z.string().optional(),
  output: z.record(z.string(), z.unknown()).nullable().optional(),
  error: errorShape.nullable().optional(),
})
const enqueuedSchema = z.looseObject({operation: z.string(), actions: z.array(actionResult).nullable().optional()})
const actionResultsSchema = z.looseObject({results: z.array(actionResult).nullable().optional()})
type ActionResult = z.infer<typeof actionResult>

const DONE = new Set(['completed', 'failed', 'cancelled', 'error', 'aborted'])
/** Juju's RunParams.timeout is a Go time.Duration: nanoseconds. */
const NS_PER_MS = 1_000_000

export async function collectFleet(options: FleetOptions): Promise<FleetCollection> {
  const discovery = discoverJuju({...(options.controller ? {controllers: [options.controller]} : {}), ...(options.env ? {env: options.env} : {})})
  if (!discovery.found) throw new InputError(undefined, `--juju-model needs a Juju controller: ${discovery.reason}`)
  const target = discovery.controllers[0]!
  const timeoutMs = options.timeoutMs ?? 300_000
  const sessionOptions: SessionOptions = {insecureSkipVerify: options.insecureSkipVerify ?? false, timeoutMs: 120_000}
  const progress = options.onProgress ?? (() => {})

  progress(`logging in to ${target.name}`)
  const uuid = await modelUuid(target, options.model, sessionOptions)
  const session = await JujuSession.open(target, `/model/${uuid}/api`, `model ${target.name}:${options.model}`, sessionOptions)
  const dir = await mkdtemp(join(tmpdir(), 'hardenctl-hosts-'))
  const warnings: string[] = []
  try {
    const machines = await selectMachines(session, options)
    progress(`running the collection on ${machines.length} machine${machines.length === 1 ? '' : 's'}`)
    const enqueued = await runOn(session, machines, timeoutMs)
    const results = await waitFor(session, enqueued, timeoutMs, options.pollMs ?? 2000)
    const roots: HostRootSpec[] = []
    const notAudited: string[] = []
    for (const [machine, result] of results) {
      const where = `${target.name}:${options.model} machine ${machine}`
      const stdout = outputOf(result, where, warnings)
      const collection = stdout === undefined ? undefined : parseCollection(stdout, where, warnings)
      if (!collection) {
        notAudited.push(machine)
        continue
      }
      const rootDir = join(dir, machine.replaceAll('/', '-'))
      await materialize(collection, rootDir, {controller: target.name, model: options.model, name: machine})
      roots.push({dir: rootDir, display: '', target: {kind: 'machine', controller: target.name, model: options.model, name: machine}, source: where})
    }
    return {roots, controller: target.name, notAudited, warnings, cleanup: () => rm(dir, {recursive: true, force: true})}
  } catch (error) {
    await rm(dir, {recursive: true, force: true})
    throw error
  } finally {
    session.close()
  }
}

async function modelUuid(target: ControllerTarget, name: string, options: SessionOptions): Promise<string> {
  const session = await JujuSession.open(target, '/api', `controller ${target.name}`, options)
  try {
    const superuser = session.info.controllerAccess === 'superuser'
    const answer = checkAnswer(modelSummariesSchema, await session.call('modelManager', 'listModelSummaries', {'user-tag': `user-${target.user}`, all: superuser}), session.where, 'ModelManager.ListModelSummaries')
    const models = (answer.results ?? []).flatMap((r) => (r.result ? [r.result] : []))
    const [owner, bare] = name.includes('/') ? name.split('/', 2) : [undefined, name]
    const matches = models.filter((m) => m.name === bare && (owner === undefined || apiModelQualifier(m) === owner))
    if (matches.length === 0) throw new InputError(undefined, `--juju-model ${name}: no such model on controller ${target.name}`)
    if (matches.length > 1) throw new InputError(undefined, `--juju-model ${name}: several owners have a model of that name on ${target.name}; name it owner/${bare} (on Juju 4, qualifier/${bare})`)
    const model = matches[0]!
    if (model.type === 'caas') throw new InputError(undefined, `--juju-model ${name}: a Kubernetes model has no machines to audit; hardenctl host reads machine models`)
    return model.uuid
  } finally {
    session.close()
  }
}

async function selectMachines(session: JujuSession, options: FleetOptions): Promise<string[]> {
  const status = checkAnswer(fullStatusSchema, await session.call('client', 'fullStatus', {patterns: []}), session.where, 'Client.FullStatus')
  const known = new Set<string>()
  const walk = (machines: Record<string, unknown> | null | undefined) => {
    for (const [id, machine] of Object.entries(machines ?? {})) {
      known.add(id)
      walk((machine as {containers?: Record<string, unknown>}).containers)
    }
  }
  walk(status.machines)
  if (options.machines?.length) {
    const unknown = options.machines.filter((m) => !known.has(m))
    if (unknown.length > 0) throw new InputError(undefined, `--machine ${unknown.join(', ')}: no such machine in model ${options.model} (it has ${[...known].join(', ') || 'none'})`)
    return options.machines
  }
  const top = Object.keys(status.machines ?? {})
  if (top.length === 0) throw new InputError(undefined, `--juju-model ${options.model}: the model has no machines`)
  return top
}

async function runOn(session: JujuSession, machines: string[], timeoutMs: number): Promise<Map<string, ActionResult>> {
  let answer
  try {
    answer = await session.call('action', 'run', {commands: collectionScript(), machines, timeout: timeoutMs * NS_PER_MS})
  } catch (error) {
    if (error instanceof JujuCallError) throw new IncompleteError(`juju ${session.where}: cannot run the collection (Action.Run): ${error.message}`)
    throw error
  }
  const enqueued = checkAnswer(enqueuedSchema, answer, session.where, 'Action.Run')
  const byMachine = new Map<string, ActionResult>()
  ;(enqueued.actions ?? []).forEach((result, index) => byMachine.set(machines[index]!, result))
  return byMachine
}

/** Polls Action.Actions (every 100 ms at first, then less often up to `pollMs`) until every action is done or the timeout passes. */
async function waitFor(session: JujuSession, enqueued: Map<string, ActionResult>, timeoutMs: number, pollMs: number): Promise<Map<string, ActionResult>> {
  const results = new Map(enqueued)
  const deadline = Date.now() + timeoutMs
  let wait = 100
  for (;;) {
    const pending = [...results].filter(([, r]) => !r.error && r.action && !DONE.has(r.status ?? ''))
    if (pending.length === 0 || Date.now() > deadline) return results
    await new Promise((resolve) => setTimeout(resolve, wait))
    wait = Math.min(wait * 2, pollMs)
    const answer = checkAnswer(actionResultsSchema, await session.call('action', 'actions', {entities: pending.map(([, r]) => ({tag: r.action!.tag}))}), session.where, 'Action.Actions')
    ;(answer.results ?? []).forEach((result, index) => results.set(pending[index]![0], result))
  }
}

/** The script's stdout, or undefined with a warning saying why this machine was not audited. */
function outputOf(result: ActionResult, where: string, warnings: string[]): string | undefined {
  if (result.error) {
    warnings.push(`${where}: not audited: ${result.error.message}`)
    return undefined
  }
  if (result.status !== 'completed') {
    warnings.push(`${where}: not audited: the collection ${result.status === undefined ? 'did not finish' : `is ${result.status}`}${result.message ? ` (${result.message})` : ''}`)
    return undefined
  }
  const output = result.output ?? {}
  const code = Number(output['return-code'] ?? output.Code ?? 0)
  const raw = typeof output.stdout === 'string' ? output.stdout : ''
  const stdout = output['stdout-encoding'] === 'base64' ? Buffer.from(raw, 'base64').toString('utf8') : raw
  if (code !== 0) warnings.push(`${where}: the collection exited ${code}; what it printed is audited`)
  return stdout
}
