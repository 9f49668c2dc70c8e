/**
 * The Juju side of `reconcile --watch` (src/sources/juju-api/watch-models.ts) against the fake
 * controller over a real WebSocket: jujulib's Controller.WatchAllModels and AllModelWatcher.Next.
 */
import {afterEach, describe, expect, it} from 'vitest'

import type {ControllerTarget} from '../../../src/sources/juju-api/juju-data.js'
import {watchJuju} from '../../../src/sources/juju-api/watch-models.js'
import type {FakeControllerOptions} from '../../fake-juju/server.js'
import {type FakeController, startFakeController} from '../../fake-juju/server.js'
import {livepatchJujuEstate} from '../../helpers/livepatch-estate.js'

const PASSWORD = 'watch-models-password'

type Apps = Record<string, {relations: Record<string, unknown[]>; 'application-status'?: {message?: string}}>
const appsOf = (controller: FakeController) => controller.estate.models[0]!.status.applications as Apps
const end = (app: string) => ({'related-application': app, interface: 'postgresql_client', scope: 'global'})

function relateIngress(controller: FakeController, add: boolean): void {
  controller.changeEstate(() => {
    const apps = appsOf(controller)
    if (add) {
      apps.ingress!.relations.database = [end('postgresql')]
      apps.postgresql!.relations.database!.push(end('ingress'))
    } else {
      delete apps.ingress!.relations.database
      apps.postgresql!.relations.database = apps.postgresql!.relations.database!.filter((entry) => (entry as ReturnType<typeof end>)['related-application'] !== 'ingress')
    }
  })
}

async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 10))
}

describe('watching the models of a controller', () => {
  const stops: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop()
  })

  async function start(options: FakeControllerOptions = {}, user = 'admin', extraUsers = true, jujuVersion: '3.6' | '4.0' = '3.6') {
    const estate = {...(await livepatchJujuEstate(PASSWORD)), jujuVersion}
    if (extraUsers) estate.users.push({name: 'auditor', password: PASSWORD, access: 'login'})
    const controller = await startFakeController(estate, options)
    const target: ControllerTarget = {name: 'prod', endpoints: [`${controller.host}:${controller.port}`], caCert: controller.caCert, user, password: PASSWORD} as ControllerTarget
    const changes: string[] = []
    const problems: string[] = []
    const stop = new AbortController()
    const watch = watchJuju({controllers: [target], insecureSkipVerify: false, signal: stop.signal, onChange: (line) => changes.push(line), onProblem: (line) => problems.push(line)})
    const nexts = () => controller.calls.filter((call) => call.type === 'AllModelWatcher' && call.request === 'Next').length
    stops.push(async () => {
      stop.abort()
      await watch.stopped
      await controller.close()
    })
    return {controller, changes, problems, nexts, watch, stop}
  }

  it('says when a relation is added or removed, not when only a status moves', async () => {
    const {controller, changes, problems, nexts} = await start()
    await until(() => nexts() >= 2)

    // An update-status hook's kind of change: the application's status message.
    controller.changeEstate(() => {
      appsOf(controller).postgresql!['application-status'] = {...appsOf(controller).postgresql!['application-status'], message: 'vacuuming'}
    })
    await until(() => nexts() >= 3)
    relateIngress(controller, true)
    await until(() => changes.length >= 1)
    relateIngress(controller, false)
    await until(() => changes.length >= 2)

    expect(changes).toEqual([
      expect.stringMatching(/^juju prod:livepatch: relation ".*ingress:database.*" added$/),
      expect.stringMatching(/^juju prod:livepatch: relation ".*ingress:database.*" removed$/),
    ])
    expect(problems).toEqual([])
  })

  it('an account without superuser is told once that its models cannot be watched, and the watch ends', async () => {
    const {problems, watch} = await start({}, 'auditor')
    await watch.stopped
    expect(problems).toEqual([
      'juju controller prod: cannot watch its models (permission denied; Controller.WatchAllModels needs superuser): their changes are seen at each --interval only',
    ])
  })

  it('a Juju 4 controller (no AllWatcher) is said once, not retried, and vouches for no model', async () => {
    const {controller, problems, watch} = await start({}, 'admin', true, '4.0')
    await watch.stopped
    expect(problems).toEqual([
      'juju controller prod: cannot watch its models (WatchAllModels not implemented; Juju 4 has no AllWatcher): their changes are seen at each --interval only',
    ])
    expect(controller.calls.filter((call) => call.request === 'WatchAllModels')).toHaveLength(1)
    expect(watch.modelVersion('prod', controller.estate.models[0]!.uuid)).toBeUndefined()
  })

  it('a controller that offers no AllModelWatcher version hardenctl knows is said once, not retried', async () => {
    const {problems, watch} = await start({facades: {AllModelWatcher: []}})
    await watch.stopped
    expect(problems).toEqual([
      'juju controller prod: cannot watch its models (the controller (Juju 3.6.1) offers no allModelWatcher.next at a version hardenctl knows): their changes are seen at each --interval only',
    ])
  })

  it('stops without waiting for a controller that never answers the login', async () => {
    const {controller, watch, stop} = await start({faults: {silentOn: {request: 'Login'}}})
    await until(() => controller.calls.some((call) => call.request === 'Login'))
    stop.abort()
    // The login would wait a minute for its answer; the watch ends now.
    await watch.stopped
  })

  it('a lost connection is said once, retried, and what changed meanwhile is told once it is back', async () => {
    const options: FakeControllerOptions = {faults: {}}
    const {controller, changes, problems, nexts} = await start(options)
    await until(() => nexts() >= 2)
    // The next Next closes the connection: the relation added now is told, then the watch is lost.
    options.faults!.closeOn = {request: 'Next'}
    relateIngress(controller, true)
    await until(() => problems.length >= 1)
    // While it is down, the relation goes again; then the controller answers again.
    relateIngress(controller, false)
    options.faults!.closeOn = undefined
    await until(() => problems.length >= 2 && changes.length >= 2)

    expect(problems).toEqual([
      expect.stringMatching(/^juju controller prod: cannot watch its models: .*; retrying \(meanwhile their changes are seen at each --interval\)$/),
      'juju controller prod: watching its models again',
    ])
    expect(changes).toEqual([expect.stringMatching(/relation ".*ingress:database.*" added$/), expect.stringMatching(/relation ".*ingress:database.*" removed$/)])
  })
})
