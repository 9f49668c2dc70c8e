import {describe, expect, it} from 'vitest'

import {accessModelAdmin, accessOffer, accessStaleUser, accessSuperuser} from '../../src/rules/juju-access.js'
import {parseLastConnection} from '../../src/policy/last-connection.js'
import {controller, findings, inventory, model, NOW, policy, ref, run} from './factories.js'

describe('ACCESS-SUPERUSER', () => {
  const ctrl = controller('prod', {
    users: [
      {name: 'admin', access: 'superuser'},
      {name: 'bob', access: 'superuser', ref: ref('users.json', 1)},
      {name: 'carol', access: 'login'},
      {name: 'old', access: 'superuser', disabled: true},
    ],
  })

  it('flags enabled superusers beyond the allowlist', () => {
    const fs = findings(accessSuperuser, inventory({controllers: [ctrl], inputs: ['juju-users']}))
    expect(fs).toHaveLength(1)
    expect(fs[0]).toMatchObject({rule: 'ACCESS-SUPERUSER', severity: 'high', target: {kind: 'user', name: 'bob', controller: 'prod'}})
    expect(fs[0]?.message).toContain('superuser of controller prod')
    expect(fs[0]?.remediation).toBe('juju revoke -c prod bob superuser')
  })

  it('honours the allowlist (globs, admin@local = admin)', () => {
    const c = controller('prod', {users: [{name: 'admin@local', access: 'superuser'}, {name: 'ops-1', access: 'superuser'}]})
    expect(findings(accessSuperuser, inventory({controllers: [c], inputs: ['juju-users']}), policy({access: {controller: {superusers: ['admin', 'ops-*']}}}))).toEqual([])
  })

  it('is not evaluated for a controller without users', () => {
    const result = run(accessSuperuser, inventory({controllers: [controller('prod')], inputs: ['juju-users']}))
    expect(result.notEvaluated[0]?.targets).toEqual([{kind: 'controller', name: 'prod', controller: 'prod'}])
  })
})

describe('ACCESS-MODEL-ADMIN', () => {
  const m = () =>
    model('web', {
      owner: 'alice',
      inputs: ['juju-show-model'],
      users: [
        {name: 'alice', access: 'admin'},
        {name: 'admin', access: 'admin'},
        {name: 'bob', access: 'write'},
        {name: 'carol', access: 'read'},
        {name: 'everyone@external', access: 'read'},
      ],
    })

  it('flags write/admin beyond owner and superusers, and everyone@external', () => {
    const fs = findings(accessModelAdmin, inventory({models: [m()]}))
    expect(fs.map((f) => f.target.name)).toEqual(['bob', 'everyone@external'])
    expect(fs[0]).toMatchObject({severity: 'high', target: {kind: 'user', model: 'web', controller: 'prod'}})
    expect(fs[0]?.remediation).toContain('juju revoke -c prod bob write alice/web')
    expect(fs[1]?.message).toContain('everyone@external')
  })

  it('a Juju 4 model has no owner: its qualifier spells it for the policy but exempts nobody', () => {
    const qualified = m()
    delete qualified.owner
    qualified.version = '4.0.10'
    qualified.qualifier = 'alice'
    const fs = findings(accessModelAdmin, inventory({models: [qualified]}))
    expect(fs.map((f) => f.target.name)).toEqual(['alice', 'bob', 'everyone@external'])
    expect(fs[0]?.message).toBe('alice holds admin on model web; only controller superusers and users listed in access.models (a Juju 4 model has no owner) may.')
    const listed = findings(accessModelAdmin, inventory({models: [qualified]}), policy({access: {models: {'alice/web': {admins: ['alice'], writers: ['bob']}}}}))
    expect(listed.map((f) => f.target.name)).toEqual(['everyone@external'])
  })

  it('allows users listed for the model', () => {
    const fs = findings(accessModelAdmin, inventory({models: [m()]}), policy({access: {models: {'w*': {writers: ['bob']}}}}))
    expect(fs.map((f) => f.target.name)).toEqual(['everyone@external'])
  })

  it('a writer on the list may not hold admin', () => {
    const mm = model('web', {owner: 'alice', inputs: ['juju-show-model'], users: [{name: 'bob', access: 'admin'}]})
    expect(findings(accessModelAdmin, inventory({models: [mm]}), policy({access: {models: {web: {writers: ['bob']}}}}))).toHaveLength(1)
  })

  it('a disabled user: low, and the fix removes the model access (Juju lowers no level of a disabled user), not marked auto-fixable', () => {
    const ctrl = controller('prod', {users: [{name: 'bob', access: 'login', disabled: true}]})
    const [f] = findings(accessModelAdmin, inventory({controllers: [ctrl], models: [m()]})).filter((finding) => finding.target.name === 'bob')
    expect(f).toMatchObject({severity: 'low', autoFixable: false, evidence: {disabled: true}})
    expect(f?.message).toContain('bob holds write on model web while disabled')
    expect(f?.remediation).toBe("juju revoke -c prod bob read alice/web   # takes all model access away: Juju refuses to lower a disabled user's access any other way; or juju remove-user -c prod bob if the user is no longer needed")
  })

  it('is not evaluated for models without show-model', () => {
    const inv = inventory({models: [model('other', {inputs: ['juju-status']}), m()]})
    expect(run(accessModelAdmin, inv).notEvaluated[0]?.targets?.map((t) => t.name)).toEqual(['other'])
  })
})

describe('ACCESS-STALE-USER', () => {
  const users = [
    {name: 'admin', access: 'superuser', lastConnection: 'just now'},
    {name: 'new', access: 'login', lastConnection: 'never connected'},
    {name: 'idle', access: 'login', lastConnection: '2024-01-02'},
    {name: 'recent', access: 'login', lastConnection: '3 days ago'},
    {name: 'gone', access: 'login', lastConnection: 'never connected', disabled: true},
    {name: 'odd', access: 'login', lastConnection: 'sometime'},
  ]

  it('the controller owner (admin), whom Juju refuses to disable or remove: the fix rotates its password, not marked auto-fixable', () => {
    const ctrl = controller('prod', {users: [{name: 'admin', access: 'superuser', lastConnection: '2025-01-01T00:00:00Z'}]})
    const [f] = findings(accessStaleUser, inventory({controllers: [ctrl], inputs: ['juju-users']}))
    expect(f).toMatchObject({rule: 'ACCESS-STALE-USER', target: {name: 'admin'}, autoFixable: false})
    expect(f?.remediation).toBe('juju change-user-password -c prod admin   # admin owns the controller: Juju refuses to disable or remove it, so rotate its password and keep it for recovery')
  })

  it('flags enabled users that never connected or are idle past the limit', () => {
    const result = run(accessStaleUser, inventory({controllers: [controller('prod', {users})], inputs: ['juju-users']}))
    const fs = result.findings.map((f) => f.finding)
    expect(fs.map((f) => f.target.name)).toEqual(['new', 'idle'])
    expect(fs[0]).toMatchObject({severity: 'medium', target: {kind: 'user', controller: 'prod'}})
    expect(fs[0]?.message).toContain('never connected')
    expect(fs[1]?.message).toContain('days ago')
    expect(fs[1]?.remediation).toContain('juju disable-user -c prod idle')
    expect(result.notEvaluated[0]?.targets?.map((t) => t.name)).toEqual(['odd'])
  })

  it('uses the policy limit', () => {
    const fs = findings(accessStaleUser, inventory({controllers: [controller('prod', {users: [{name: 'recent', access: 'login', lastConnection: '3 days ago'}]})], inputs: ['juju-users']}), policy({access: {staleUserDays: 2}}))
    expect(fs.map((f) => f.target.name)).toEqual(['recent'])
  })

  it('parses what Juju prints', () => {
    expect(parseLastConnection('never connected', NOW)).toEqual({never: true})
    expect(parseLastConnection('2 hours ago', NOW)).toEqual({never: false, at: new Date('2025-06-01T10:00:00Z')})
    expect(parseLastConnection('an hour ago', NOW)).toEqual({never: false, at: new Date('2025-06-01T11:00:00Z')})
    expect(parseLastConnection('2023-04-26', NOW)).toEqual({never: false, at: new Date('2023-04-26T00:00:00Z')})
    expect(parseLastConnection('2025-05-01T10:00:00Z', NOW)).toEqual({never: false, at: new Date('2025-05-01T10:00:00Z')})
    expect(parseLastConnection('whenever', NOW)).toBeUndefined()
  })
})

describe('ACCESS-OFFER', () => {
  const offering = () =>
    model('cos', {
      owner: 'admin',
      inputs: ['juju-offers'],
      offers: [
        {
          name: 'prometheus',
          application: 'prometheus',
          url: 'prod:admin/cos.prometheus',
          endpoints: [],
          users: [
            {name: 'admin', access: 'admin'},
            {name: 'everyone@external', access: 'read'},
            {name: 'bob', access: 'consume'},
            {name: 'carol', access: 'admin'},
          ],
          ref: ref('offers.json', 'prometheus'),
        },
      ],
    })

  it('flags consume/admin beyond the owner and allowed consumers', () => {
    const fs = findings(accessOffer, inventory({models: [offering()]}))
    expect(fs.map((f) => f.evidence.user)).toEqual(['bob', 'carol'])
    expect(fs[0]).toMatchObject({rule: 'ACCESS-OFFER', severity: 'medium', target: {kind: 'offer', name: 'prometheus', model: 'cos'}})
    expect(fs[0]?.remediation).toBe('juju revoke -c prod bob consume prod:admin/cos.prometheus')
  })

  it("takes the model's owner from the offer URL when only juju offers was read: the owner's admin is not reported", () => {
    // carol owns the model the URL names (admin stays allowed as a superuser of the default policy).
    const ownedByCarol = offering()
    delete ownedByCarol.owner
    ownedByCarol.offers[0]!.url = 'prod:carol/cos.prometheus'
    expect(findings(accessOffer, inventory({models: [ownedByCarol]})).map((f) => f.evidence.user)).toEqual(['bob'])
  })

  it('on a Juju 4 model the offer URL names a qualifier, which is no user: a user named like it is not taken for the owner', () => {
    const qualified = offering()
    delete qualified.owner
    qualified.version = '4.0.10'
    qualified.qualifier = 'carol'
    qualified.offers[0]!.url = 'prod:carol/cos.prometheus'
    const fs = findings(accessOffer, inventory({models: [qualified]}))
    expect(fs.map((f) => f.evidence.user)).toEqual(['bob', 'carol'])
    expect(fs[1]?.message).toBe('carol holds admin on offer prod:carol/cos.prometheus; only superusers (a Juju 4 model has no owner) should administer an offer.')
    // The qualifier still spells the offer for the policy, as Juju 4 spells it.
    expect(findings(accessOffer, inventory({models: [qualified]}), policy({access: {offers: {'carol/cos.prometheus': {consumers: ['bob']}}}})).map((f) => f.evidence.user)).toEqual(['carol'])
  })

  it('an offer whose model no input qualifies (a bundle\'s) is named model.offer, as juju qualifies it with the user running the command, not a guessed admin/', () => {
    const unqualified = offering()
    delete unqualified.owner
    delete unqualified.offers[0]!.url
    const fs = findings(accessOffer, inventory({models: [unqualified]}))
    expect(fs[0]?.message).toBe('bob holds consume on offer cos.prometheus but is not an allowed consumer.')
    expect(fs[0]?.remediation).toBe('juju revoke -c prod bob consume cos.prometheus')
  })

  it('allows consumers listed for the offer', () => {
    const fs = findings(accessOffer, inventory({models: [offering()]}), policy({access: {offers: {'admin/cos.*': {consumers: ['bob']}}}}))
    expect(fs.map((f) => f.evidence.user)).toEqual(['carol'])
  })

  it('is not evaluated for offers without users', () => {
    const mm = model('cos', {inputs: ['juju-bundle'], offers: [{name: 'x', application: 'x', endpoints: []}]})
    expect(run(accessOffer, inventory({models: [mm]})).notEvaluated[0]?.targets?.map((t) => t.name)).toEqual(['x'])
  })
})
