/**
 * One logged-in jujulib connection to a controller (`/api`) or a model (`/model/UUID/api`), with
 * what jujulib leaves to its caller: a clear line for each way login fails, following a model
 * that moved to another controller, a per-call timeout, failing in-flight calls when the socket
 * closes (jujulib would leave them pending forever), and counting calls for the benchmark.
 */
import {connect, type Connection} from '@canonical/jujulib'
import Action from '@canonical/jujulib/dist/api/facades/action/index.js'
import AllModelWatcher from '@canonical/jujulib/dist/api/facades/all-model-watcher/index.js'
import Application from '@canonical/jujulib/dist/api/facades/application/index.js'
import ApplicationOffers from '@canonical/jujulib/dist/api/facades/application-offers/index.js'
import Block from '@canonical/jujulib/dist/api/facades/block/index.js'
import Bundle from '@canonical/jujulib/dist/api/facades/bundle/index.js'
import Client from '@canonical/jujulib/dist/api/facades/client/index.js'
import Controller from '@canonical/jujulib/dist/api/facades/controller/index.js'
import ModelManager from '@canonical/jujulib/dist/api/facades/model-manager/index.js'
import UserManager from '@canonical/jujulib/dist/api/facades/user-manager/index.js'

import {IncompleteError} from '../../errors.js'
import type {Deadline} from '../deadline.js'
import {isEndpoint} from '../environment.js'
import type {ControllerTarget} from './juju-data.js'
import {HANDSHAKE_TIMEOUT_MS, type TlsPolicy, webSocketClass} from './websocket.js'

/**
 * Every facade hardenctl calls, each with its versions in numeric order: jujulib takes the last of
 * the versions both sides know, and its own lists are in string order (ModelManagerV10, V11, V2, …,
 * V9), so against a controller serving 9 and 10 it would take 9.
 */
const FACADES = [Action, AllModelWatcher, Application, ApplicationOffers, Block, Bundle, Client, Controller, ModelManager, UserManager].map((facade) => ({
  ...facade,
  versions: [...facade.versions].sort((a, b) => a.VERSION - b.VERSION),
}))

/** The facade objects as jujulib names them on `conn.facades` (uncapitalised). */
export type FacadeName = 'action' | 'allModelWatcher' | 'application' | 'applicationOffers' | 'block' | 'bundle' | 'client' | 'controller' | 'modelManager' | 'userManager'

export interface SessionOptions {
  insecureSkipVerify: boolean
  /** Per call, login included. */
  timeoutMs: number
  /** Every handshake, login and call ends by then; default none. */
  deadline?: Deadline
  /** Counts every API call (login included) for the benchmark. */
  onCall?: () => void
}

/** A Juju API error answer (the call reached the controller and it said no). */
export class JujuCallError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'JujuCallError'
  }
}

/** The controller offers no version of the facade, or not the method, that hardenctl knows. */
export class FacadeMissingError extends JujuCallError {
  constructor(message: string) {
    super(message)
    this.name = 'FacadeMissingError'
  }
}

export interface LoginInfo {
  serverVersion: string
  controllerAccess: string
  modelAccess: string
}

export class JujuSession {
  private closedReason: string | undefined
  private readonly closeWaiters = new Set<(reason: string) => void>()

  private constructor(
    private readonly connection: Connection,
    private readonly logout: () => void,
    readonly info: LoginInfo,
    readonly where: string,
    private readonly options: SessionOptions,
  ) {}

  /**
   * Connects and logs in. `where` names the connection in messages ("controller prod",
   * "model prod:cos"). Login failures and unreachable controllers become IncompleteErrors.
   */
  static async open(target: ControllerTarget, path: string, where: string, options: SessionOptions): Promise<JujuSession> {
    let lastProblem = 'no api-endpoints'
    for (const endpoint of target.endpoints) {
      if (options.deadline?.passed()) {
        const tried = lastProblem === 'no api-endpoints' ? '' : `${lastProblem}; `
        lastProblem = `${tried}no time left to try ${endpoint} before ${options.deadline.describe()}`
        break
      }
      const attempt = await tryEndpoint(target, `wss://${endpoint}${path}`, {caCert: target.caCert, insecureSkipVerify: options.insecureSkipVerify}, where, options)
      if (attempt.session) return attempt.session
      lastProblem = attempt.problem
      if (attempt.final) break
    }
    throw new IncompleteError(`juju ${where}: ${lastProblem}`)
  }

  /**
   * Calls `facade.method(params)`; rejects with JujuCallError for an API error, IncompleteError
   * when the connection is lost or, unless `untimed` (a watcher's Next answers when something
   * changes), when no answer comes within the call timeout.
   */
  async call<T>(facade: FacadeName, method: string, params: unknown = {}, {untimed = false}: {untimed?: boolean} = {}): Promise<T> {
    if (this.closedReason !== undefined) throw this.lost(facade, method)
    const api = (this.connection.facades as Record<string, Record<string, (p: unknown) => Promise<T>> | undefined>)[facade]
    const fn = api?.[method]
    if (!api || typeof fn !== 'function') {
      throw new FacadeMissingError(`the controller (Juju ${this.info.serverVersion}) offers no ${facade}.${method} at a version hardenctl knows`)
    }
    this.options.onCall?.()
    let timer: NodeJS.Timeout | undefined
    let onClose: ((reason: string) => void) | undefined
    try {
      return await Promise.race([
        fn.call(api, params).catch((error: unknown) => {
          throw this.closedReason === undefined ? new JujuCallError(messageOf(error)) : this.lost(facade, method)
        }),
        new Promise<never>((_, reject) => {
          if (!untimed) {
            const wait = waitFor(this.options)
            timer = setTimeout(() => reject(new IncompleteError(`juju ${this.where}: ${capitalise(facade)}.${method} got no answer ${wait.reason}`)), wait.ms)
          }
          onClose = () => reject(this.lost(facade, method))
          this.closeWaiters.add(onClose)
        }),
      ])
    } finally {
      clearTimeout(timer)
      if (onClose) this.closeWaiters.delete(onClose)
    }
  }

  close(): void {
    this.closedReason ??= 'closed by hardenctl'
    this.logout()
  }

  /** Called by jujulib's transport when the socket closes. */
  private socketClosed(code: number): void {
    this.closedReason ??= `connection closed by the controller (code ${code})`
    for (const waiter of this.closeWaiters) waiter(this.closedReason)
  }

  private lost(facade: string, method: string): IncompleteError {
    return new IncompleteError(`juju ${this.where}: ${this.closedReason ?? 'connection lost'} during ${capitalise(facade)}.${method}`)
  }

  /** Wires jujulib's close callback to a session that does not exist yet when connect() needs it. */
  static closeRelay(): {callback: (code: number) => void; attach(session: JujuSession): void} {
    let session: JujuSession | undefined
    let pending: number | undefined
    return {
      callback: (code) => (session ? session.socketClosed(code) : (pending = code)),
      attach(target) {
        session = target
        if (pending !== undefined) target.socketClosed(pending)
      },
    }
  }

  /** @internal used by tryEndpoint */
  static create(connection: Connection, logout: () => void, info: LoginInfo, where: string, options: SessionOptions): JujuSession {
    return new JujuSession(connection, logout, info, where, options)
  }
}

type Attempt = {session: JujuSession; problem?: undefined; final?: undefined} | {session?: undefined; problem: string; final: boolean}

async function tryEndpoint(
  target: ControllerTarget,
  url: string,
  tls: TlsPolicy,
  where: string,
  options: SessionOptions,
  redirected = false,
): Promise<Attempt> {
  const relay = JujuSession.closeRelay()
  let client: Awaited<ReturnType<typeof connect>>
  try {
    const handshake = (): {ms: number; reason: string} => waitFor(options, HANDSHAKE_TIMEOUT_MS)
    client = await connect(url, {
      facades: FACADES,
      wsclass: webSocketClass(tls, handshake) as unknown as typeof WebSocket,
      closeCallback: relay.callback,
      debug: false,
    })
  } catch (error) {
    // jujulib: "cannot connect WebSocket: <reason>"
    return {problem: `cannot connect to ${hostOf(url)}: ${messageOf(error).replace(/^cannot connect WebSocket: /, '')}`, final: false}
  }
  options.onCall?.()
  try {
    // The password goes to the controller inside Admin.Login and nowhere else.
    const connection = await answeredInTime(client.login({username: target.user, password: target.password ?? ''}), waitFor(options), 'Admin.Login')
    if (!connection) throw new Error('the controller accepted the login but returned no connection')
    const user = (connection.info.user ?? {}) as {'controller-access'?: string; 'model-access'?: string}
    const session = JujuSession.create(
      connection,
      () => client.logout(),
      {serverVersion: connection.info.serverVersion ?? 'unknown', controllerAccess: user['controller-access'] ?? '', modelAccess: user['model-access'] ?? ''},
      where,
      options,
    )
    relay.attach(session)
    return {session}
  } catch (error) {
    client.logout()
    const redirect = error as {servers?: {value: string; port: number; type?: string; scope?: string}[][]; caCert?: string}
    if (client.isRedirectionError(error) && !redirected) {
      return followRedirect(target, url, redirect, where, options)
    }
    return {problem: loginProblem(target.user, withoutSecret(messageOf(error), target.password)), final: true}
  }
}

/** The model moved to another controller: log in there, trusting the CA that controller's redirect names. */
async function followRedirect(
  target: ControllerTarget,
  url: string,
  redirect: {servers?: {value: string; port: number}[][]; caCert?: string},
  where: string,
  options: SessionOptions,
): Promise<Attempt> {
  const path = new URL(url).pathname
  const servers = (redirect.servers ?? []).flat()
  let problem = 'the model was moved to another controller, which named no addresses'
  for (const server of servers) {
    const host = server.value.includes(':') ? `[${server.value}]` : server.value
    // The address comes from the controller: one that makes no URL is skipped, not a crash.
    if (!isEndpoint(`${host}:${server.port}`)) {
      problem = `the model was moved to another controller, which named an address that is not host:port (${host}:${server.port})`
      continue
    }
    const attempt = await tryEndpoint(target, `wss://${host}:${server.port}${path}`, {caCert: redirect.caCert, insecureSkipVerify: options.insecureSkipVerify}, where, options, true)
    if (attempt.session) return attempt
    problem = `the model was moved to another controller: ${attempt.problem}`
  }
  return {problem, final: true}
}

/** One line per way a login fails; Juju deliberately answers unknown users and bad passwords alike. */
function loginProblem(user: string, message: string): string {
  if (/invalid entity name or password|have you been granted permission/i.test(message)) {
    return `login as ${user} failed: unknown user or wrong password`
  }
  if (/is disabled/i.test(message)) return `login as ${user} failed: the user is disabled`
  if (/permission denied|login' permission/i.test(message)) {
    return `login as ${user} failed: permission denied (the user needs at least login access on the controller, or access to this model)`
  }
  return `login as ${user} failed: ${message}`
}

/**
 * jujulib puts the whole request in some errors ("cannot send request {...}"), and the login
 * request carries the password: never let that text out.
 */
export function withoutSecret(message: string, secret: string | undefined): string {
  if (/^cannot send request /.test(message)) return 'the connection closed before the login was sent'
  return secret ? message.split(secret).join('<redacted>') : message
}

/** How long a wait may last: `ms`, shortened to what the deadline leaves, and how to say it ran out. */
function waitFor(options: SessionOptions, ms = options.timeoutMs): {ms: number; reason: string} {
  const bounded = options.deadline?.bound(ms) ?? ms
  return {ms: bounded, reason: bounded < ms && options.deadline ? `before ${options.deadline.describe()}` : `within ${ms / 1000} s`}
}

/** jujulib's login waits for its answer forever; a controller that never gives one must not hold the run. */
async function answeredInTime<T>(promise: Promise<T>, wait: {ms: number; reason: string}, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} got no answer ${wait.reason}`)), wait.ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : typeof error === 'string' ? error : JSON.stringify(error)
}

function hostOf(url: string): string {
  return new URL(url).host
}

function capitalise(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1)
}
