import {describe, expect, it} from 'vitest'

import {planAccess} from '../../src/plan/juju/access.js'
import {planCommandBlocks} from '../../src/plan/juju/commands.js'
import {applySafety} from '../../src/plan/juju/safety.js'
import type {JujuAction} from '../../src/plan/types.js'
import {accessModelAdmin, accessOffer, accessStaleUser, accessSuperuser} from '../../src/rules/juju-access.js'
import {jujuDisabledCommands} from '../../src/rules/juju-models.js'
import {controller, findings, inventory, model, NOW, policy} from '../rules/factories.js'

const UUID = '9c2e4f7a-1b3d-4e5f-8a6b-7c8d9e0f1a2b'

function estate() {
  return inventory({
    inputs: ['juju-users'],
    controllers: [
      controller('prod', {
        users: [
          {name: 'admin', access: 'superuser', lastConnection: '2025-06-01T00:00:00Z'},
          {name: 'ops', access: 'superuser', lastConnection: '2025-05-30T00:00:00Z'},
          {name: 'bob', access: 'login', lastConnection: '2024-11-01T00:00:00Z'},
          {name: 'carol', access: 'login', lastConnection: 'never connected'},
          {name: 'dave', access: 'login', disabled: true, lastConnection: 'never connected'},
        ],
      }),
    ],
    models: [
      model('prod-db', {
        uuid: UUID,
        owner: 'admin',
        inputs: ['juju-show-model', 'juju-disabled-commands', 'juju-offers'],
        users: [
          {name: 'admin', access: 'admin'},
          {name: 'alice', access: 'admin'},
          {name: 'bob', access: 'write'},
          {name: 'everyone@external', access: 'read'},
          {name: 'erin', access: 'read'},
        ],
        disabledCommands: [{commandSet: 'destroy-model'}],
        offers: [
          {
            name: 'postgresql',
            application: 'postgresql',
            url: 'prod:admin/prod-db.postgresql',
            endpoints: [],
            users: [
              {name: 'admin', access: 'admin'},
              {name: 'landscape-admin', access: 'consume'},
              {name: 'mallory', access: 'consume'},
              {name: 'alice', access: 'admin'},
              {name: 'everyone@external', access: 'read'},
            ],
          },
        ],
      }),
    ],
  })
}

const POLICY = policy({
  access: {
    enforce: true,
    controller: {superusers: ['admin']},
    models: {'prod-*': {admins: [], writers: ['ci-bot'], readers: ['*']}},
    offers: {'admin/prod-db.postgresql': {consumers: ['landscape-admin']}},
    staleUserDays: 90,
  },
  commands: {'prod-*': ['destroy-model', 'remove-object']},
})

const summary = (actions: JujuAction[]) => actions.map((a) => `${a.facade}.${a.method} ${a.target}: ${a.before} → ${a.after}`)

describe('planAccess', () => {
  it('revokes exactly what exceeds the policy, one call per change, with the exact wire params', () => {
    const actions = planAccess(estate(), POLICY, NOW)
    expect(summary(actions)).toEqual([
      'Controller.ModifyControllerAccess user ops on controller prod: superuser → login',
      'ModelManager.ModifyModelAccess user alice on model prod:prod-db: admin → read',
      'ModelManager.ModifyModelAccess user bob on model prod:prod-db: write → read',
      'ModelManager.ModifyModelAccess user everyone@external on model prod:prod-db: read → no access',
      'ApplicationOffers.ModifyOfferAccess user mallory on offer admin/prod-db.postgresql: consume → read',
      'ApplicationOffers.ModifyOfferAccess user alice on offer admin/prod-db.postgresql: admin → read',
      'UserManager.DisableUser user bob on controller prod: enabled → disabled',
      'UserManager.DisableUser user carol on controller prod: enabled → disabled',
    ])
    expect(actions.map((a) => a.params)).toEqual([
      {changes: [{'user-tag': 'user-ops', action: 'revoke', access: 'superuser'}]},
      {changes: [{'user-tag': 'user-alice', action: 'revoke', access: 'write', 'model-tag': `model-${UUID}`}]},
      {changes: [{'user-tag': 'user-bob', action: 'revoke', access: 'write', 'model-tag': `model-${UUID}`}]},
      {changes: [{'user-tag': 'user-everyone@external', action: 'revoke', access: 'read', 'model-tag': `model-${UUID}`}]},
      {changes: [{'user-tag': 'user-mallory', action: 'revoke', access: 'consume', 'offer-url': 'admin/prod-db.postgresql'}]},
      {changes: [{'user-tag': 'user-alice', action: 'revoke', access: 'consume', 'offer-url': 'admin/prod-db.postgresql'}]},
      {entities: [{tag: 'user-bob'}]},
      {entities: [{tag: 'user-carol'}]},
    ])
    expect(actions.every((a) => a.op === 'juju')).toBe(true)
  })

  it('stale users are disabled only with disableStaleUsers; access needs access.enforce', () => {
    const off = planAccess(estate(), policy({access: {models: {}}}), NOW)
    expect(off.every((a) => !a.enforced)).toBe(true)
    const stale = planAccess(estate(), policy({access: {enforce: true, disableStaleUsers: true}}), NOW).filter((a) => a.section === 'stale-users')
    expect(stale.map((a) => [a.target, a.enforced])).toEqual([
      ['user bob on controller prod', true],
      ['user carol on controller prod', true],
    ])
    const notOptedIn = planAccess(estate(), POLICY, NOW).filter((a) => a.section === 'stale-users')
    expect(notOptedIn.every((a) => !a.enforced)).toBe(true)
  })

  it('grants nothing and plans nothing for a compliant estate', () => {
    const compliant = inventory({
      controllers: [controller('prod', {users: [{name: 'admin', access: 'superuser', lastConnection: '2025-06-01T00:00:00Z'}]})],
      models: [model('dev', {uuid: UUID, owner: 'admin', users: [{name: 'admin', access: 'admin'}, {name: 'bob', access: 'read'}]})],
    })
    expect(planAccess(compliant, POLICY, NOW)).toEqual([])
  })

  it('plans a change for every access finding the audit reports, and for nothing else', () => {
    const inv = estate()
    const pol = policy({access: {enforce: true, controller: {superusers: ['admin']}, models: {'prod-*': {admins: [], writers: ['ci-bot'], readers: ['*']}}, offers: {'admin/prod-db.postgresql': {consumers: ['landscape-admin']}}}})
    const found = [accessSuperuser, accessModelAdmin, accessOffer, accessStaleUser]
      .flatMap((rule) => findings(rule, inv, pol))
      .map((f) => `${f.rule} ${String(f.evidence.user)}`)
      .sort()
    const planned = planAccess(inv, pol, NOW)
      .map((a) => `${a.rule} ${String((a.params as {changes?: {'user-tag': string}[]; entities?: {tag: string}[]}).changes?.[0]?.['user-tag'] ?? (a.params as {entities: {tag: string}[]}).entities[0]?.tag).replace(/^user-/, '')}`)
      .sort()
    expect(planned).toEqual(found)
  })
})

describe('planCommandBlocks', () => {
  it('switches on the missing blocks the policy names, with a message naming hardenctl and the policy line', () => {
    const actions = planCommandBlocks(estate(), POLICY, '/etc/hardenctl/hardenctl.yaml')
    expect(actions).toHaveLength(1)
    expect(actions[0]).toMatchObject({
      facade: 'Block',
      method: 'SwitchBlockOn',
      connection: 'model',
      modelUuid: UUID,
      params: {type: 'BlockRemove', message: 'disabled by hardenctl: hardenctl.yaml commands["prod-*"]'},
      enforced: true,
      rule: 'JUJU-DISABLED-COMMANDS',
    })
    expect(findings(jujuDisabledCommands, estate(), POLICY)).toHaveLength(1)
  })

  it('plans the guide default without applying it when the policy has no commands section', () => {
    const actions = planCommandBlocks(estate(), policy({access: {}}), undefined)
    expect(actions.map((a) => [a.params.type, a.enforced])).toEqual([['BlockRemove', false]])
  })

  it('never plans a block a model already has, or one a broader block covers', () => {
    const inv = estate()
    inv.models.get('prod/prod-db')!.disabledCommands = [{commandSet: 'all'}]
    expect(planCommandBlocks(inv, POLICY, undefined)).toEqual([])
  })
})

describe('applySafety', () => {
  const wanted = (inv = estate()) => planAccess(inv, POLICY, NOW)

  it('refuses to touch the user hardenctl logs in as', () => {
    const {actions, refused} = applySafety(wanted(), estate(), {self: new Map([['prod', 'ops']])})
    expect(actions.some((a) => a.target === 'user ops on controller prod')).toBe(false)
    expect(refused).toEqual([
      expect.objectContaining({rule: 'ACCESS-SUPERUSER', target: 'user ops on controller prod', reason: 'hardenctl is logged in to controller prod as ops; it never changes its own access'}),
    ])
  })

  it('refuses to downgrade or disable the controller admin', () => {
    const pol = policy({access: {enforce: true, disableStaleUsers: true, controller: {superusers: ['ops']}}})
    const inv = estate()
    inv.controllers.get('prod')!.users![0]!.lastConnection = '2024-01-01T00:00:00Z'
    const {actions, refused} = applySafety(planAccess(inv, pol, NOW), inv, {})
    expect(actions.some((a) => a.target.startsWith('user admin '))).toBe(false)
    expect(refused.map((r) => [r.target, r.wanted])).toEqual([
      ['user admin on controller prod', 'Controller.ModifyControllerAccess: superuser → login'],
      ['user admin on controller prod', 'UserManager.DisableUser: enabled → disabled'],
    ])
  })

  it('refuses to leave a model without an admin, and to disable its last admin', () => {
    const inv = inventory({
      controllers: [controller('prod', {users: [{name: 'alice', access: 'login', lastConnection: 'never connected'}]})],
      models: [model('team', {uuid: UUID, owner: 'nobody', users: [{name: 'alice', access: 'admin'}, {name: 'bob', access: 'admin'}]})],
    })
    const pol = policy({access: {enforce: true, disableStaleUsers: true, models: {team: {admins: []}}}})
    const {actions, refused} = applySafety(planAccess(inv, pol, NOW), inv, {})
    // alice goes first and bob is left as the admin; alice, no longer an admin, may then be disabled.
    expect(summary(actions)).toEqual([
      'ModelManager.ModifyModelAccess user alice on model prod:team: admin → read',
      'UserManager.DisableUser user alice on controller prod: enabled → disabled',
    ])
    expect(refused.map((r) => r.reason)).toEqual(['bob is the last admin of model prod:team'])
  })

  it('refuses to disable the only admin of a model', () => {
    const inv = inventory({
      controllers: [controller('prod', {users: [{name: 'alice', access: 'login', lastConnection: 'never connected'}]})],
      models: [model('team', {uuid: UUID, owner: 'alice', users: [{name: 'alice', access: 'admin'}]})],
    })
    const pol = policy({access: {enforce: true, disableStaleUsers: true}})
    const {actions, refused} = applySafety(planAccess(inv, pol, NOW), inv, {})
    expect(actions).toEqual([])
    expect(refused.map((r) => r.reason)).toEqual(['alice is the last admin of model prod:team'])
  })
})
