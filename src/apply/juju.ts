/**
 * Carries out the Juju calls of a ReconcilePlan through jujulib, one change per call, on the
 * controller connection (access, users) or the model's own connection (blocks, exposure).
 * A refused or failed call does not stop the others; each outcome is reported with the
 * action's before and after. Nothing is sent when the section is not enforced, on --dry-run,
 * or when the enforced changes exceed --max-changes.
 */
import {IncompleteError} from '../errors.js'
import type {ControllerTarget} from '../sources/juju-api/juju-data.js'
import {type FacadeName, JujuCallError, JujuSession, type SessionOptions} from '../sources/juju-api/session.js'
import {JUJU_SECTION_SWITCH, type JujuAction, type JujuFacade} from '../plan/types.js'

export interface JujuApplyOptions {
  /** The controllers hardenctl collected from, with their logins; changes go back to the same ones. */
  controllers: readonly ControllerTarget[]
  insecureSkipVerify: boolean
  dryRun: boolean
  maxChanges: number
  timeoutMs?: number
  onProgress?: (message: string) => void
}

export type JujuOutcomeStatus = 'applied' | 'failed' | 'planned' | 'not-enforced' | 'held'

export interface JujuOutcome {
  action: JujuAction
  status: JujuOutcomeStatus
  message?: string
}

export interface JujuApplyResult {
  outcomes: JujuOutcome[]
  applied: number
  failed: number
  /** Set when the enforced changes exceeded --max-changes and nothing was sent. */
  heldBack?: string
  /** API calls sent (logins included). */
  calls: number
}

const FACADE_NAMES: Record<JujuFacade, FacadeName> = {
  ModelManager: 'modelManager',
  Controller: 'controller',
  ApplicationOffers: 'applicationOffers',
  UserManager: 'userManager',
  Block: 'block',
  Application: 'application',
}

const DEFAULT_TIMEOUT_MS = 60_000

export async function applyJujuActions(actions: readonly JujuAction[], options: JujuApplyOptions): Promise<JujuApplyResult> {
  const result: JujuApplyResult = {outcomes: [], applied: 0, failed: 0, calls: 0}
  const enforced = actions.filter((action) => action.enforced)
  const notEnforced = (action: JujuAction): JujuOutcome => ({action, status: 'not-enforced', message: `needs ${JUJU_SECTION_SWITCH[action.section]}`})

  if (options.dryRun || enforced.length === 0) {
    result.outcomes = actions.map((action) => (action.enforced ? {action, status: 'planned'} : notEnforced(action)))
    return result
  }
  if (enforced.length > options.maxChanges) {
    result.heldBack = `${enforced.length} Juju changes exceed --max-changes ${options.maxChanges}: none were made; review the plan and run again with --max-changes ${enforced.length}`
    result.outcomes = actions.map((action) => (action.enforced ? {action, status: 'held'} : notEnforced(action)))
    return result
  }

  const sessions = new SessionPool(options, () => result.calls++)
  try {
    for (const action of actions) {
      if (!action.enforced) {
        result.outcomes.push(notEnforced(action))
        continue
      }
      options.onProgress?.(`juju ${action.controller}: ${action.facade}.${action.method} ${action.target}`)
      const outcome = await applyOne(sessions, action)
      result.outcomes.push(outcome)
      if (outcome.status === 'applied') result.applied++
      else result.failed++
    }
  } finally {
    sessions.closeAll()
  }
  return result
}

async function applyOne(sessions: SessionPool, action: JujuAction): Promise<JujuOutcome> {
  try {
    const session = await sessions.forAction(action)
    const answer = await session.call<unknown>(FACADE_NAMES[action.facade], lowerFirst(action.method), action.params)
    const error = answerError(answer)
    return error === undefined ? {action, status: 'applied'} : {action, status: 'failed', message: error}
  } catch (error) {
    if (error instanceof JujuCallError || error instanceof IncompleteError) return {action, status: 'failed', message: error.message}
    throw error
  }
}

/** Juju answers these calls with ErrorResults (`results[].error`) or one ErrorResult (`error`). */
function answerError(answer: unknown): string | undefined {
  const value = answer as {error?: {message?: string} | null; results?: {error?: {message?: string} | null}[]} | null | undefined
  const error = value?.error ?? value?.results?.find((entry) => entry.error)?.error
  return error ? (error.message ?? 'the controller refused the change') : undefined
}

/** One logged-in session per controller and per model, opened when first needed; a failed login is remembered. */
class SessionPool {
  private readonly sessions = new Map<string, Promise<JujuSession>>()

  constructor(
    private readonly options: JujuApplyOptions,
    private readonly onCall: () => void,
  ) {}

  forAction(action: JujuAction): Promise<JujuSession> {
    const target = this.options.controllers.find((controller) => controller.name === action.controller)
    if (!target) throw new IncompleteError(`no login for controller ${action.controller || '(unnamed)'}: it was not among the controllers inspected`)
    if (action.connection === 'controller') return this.open(target, '/api', `controller ${target.name}`)
    if (!action.modelUuid) throw new IncompleteError(`the UUID of model ${action.model ?? '?'} is not known, so its API cannot be reached`)
    return this.open(target, `/model/${action.modelUuid}/api`, `model ${target.name}:${action.model ?? action.modelUuid}`)
  }

  private open(target: ControllerTarget, path: string, where: string): Promise<JujuSession> {
    const key = `${target.name}${path}`
    let session = this.sessions.get(key)
    if (!session) {
      const sessionOptions: SessionOptions = {
        insecureSkipVerify: this.options.insecureSkipVerify,
        timeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        onCall: this.onCall,
      }
      session = JujuSession.open(target, path, where, sessionOptions)
      // Keep the rejection for the next action on this connection, without an unhandled rejection now.
      session.catch(() => undefined)
      this.sessions.set(key, session)
    }
    return session
  }

  closeAll(): void {
    for (const session of this.sessions.values()) void session.then((open) => open.close(), () => undefined)
  }
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1)
}
