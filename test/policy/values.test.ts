import {describe, expect, it} from 'vitest'

import {cidrProblem} from '../../src/policy/cidr.js'
import {closestName} from '../../src/policy/closest.js'
import {globMatches, globProblem} from '../../src/policy/glob.js'
import {validatePolicyData} from '../../src/policy/problems.js'
import {defaultPolicy, type Policy} from '../../src/policy/schema.js'

describe('policy CIDRs', () => {
  it('accepts what Juju (Go net.ParseCIDR) and the Kubernetes API accept', () => {
    for (const cidr of ['10.0.0.0/8', '0.0.0.0/0', '192.168.1.7/32', '10.0.0.1/8', '::/0', 'fd00::/8', 'fe80::/128', '2001:db8::1/64', '::ffff:10.0.0.0/104']) {
      expect(cidrProblem(cidr), cidr).toBeUndefined()
    }
  })

  it.each([
    ['10.0.0.0/33', 'the prefix length of an IPv4 CIDR is 0 to 32, not "33"'],
    ['fe80::/129', 'the prefix length of an IPv6 CIDR is 0 to 128, not "129"'],
    ['300.1.1.1/8', '"300.1.1.1" is not an IPv4 or IPv6 address'],
    // ipaddr.js alone reads these as IPv4 (10.0.0.1, and octal 8.0.0.0, 10.0.0.0); Go and Kubernetes refuse them.
    ['10.1/8', '"10.1" is not an IPv4 or IPv6 address'],
    ['010.0.0.0/8', '"010.0.0.0" is not an IPv4 or IPv6 address'],
    ['0x0a.0.0.0/8', '"0x0a.0.0.0" is not an IPv4 or IPv6 address'],
    ['fe80::1%eth0/64', '"fe80::1%eth0" is not an IPv4 or IPv6 address'],
    ['10.0.0.0/08', 'the prefix length of an IPv4 CIDR is 0 to 32, not "08"'],
    ['10.0.0.0/', 'the prefix length of an IPv4 CIDR is 0 to 32, not ""'],
    ['10.0.0.0/-1', 'the prefix length of an IPv4 CIDR is 0 to 32, not "-1"'],
    ['10.0.0.0/8 ', 'the prefix length of an IPv4 CIDR is 0 to 32, not "8 "'],
    ['10.0.0.1', 'a CIDR needs a prefix length: 10.0.0.1/32 for this one address'],
    ['fd00::1', 'a CIDR needs a prefix length: fd00::1/128 for this one address'],
    ['any', 'expected an address and a prefix length such as 10.0.0.0/8 or ::/0'],
  ])('refuses %s', (cidr, problem) => {
    expect(cidrProblem(cidr)).toBe(problem)
  })
})

describe('policy globs', () => {
  it('accepts the globs a policy uses, and they match as documented', () => {
    for (const glob of ['*', 'prod-*', 'cos/*', 'livepatch/postgresql', 'ctrl:prod/*', '[a-c]*', 'db-?', '{prod,staging}-*', '\\[literal\\]']) {
      expect(globProblem(glob), glob).toBeUndefined()
    }
    expect(globMatches('[a-c]*', 'beta')).toBe(true)
    expect(globMatches('\\[literal\\]', '[literal]')).toBe(true)
  })

  it.each([
    ['[', 'opens [ without a closing ]'],
    ['prod-[a', 'opens [ without a closing ]'],
    ['prod-]', 'closes ] without an opening ['],
    ['{prod,staging', 'opens { without a closing }'],
    ['(a|b', 'opens ( without a closing )'],
    ['[z-a]', 'it can match nothing'],
    ['', 'an empty pattern matches nothing'],
  ])('refuses %j', (glob, problem) => {
    expect(globProblem(glob)).toContain(problem)
    // Without the check, picomatch matches these against nothing, or literally: a waiver or allowlist entry that silently does nothing.
    if (glob !== '') expect(['prod-a', 'prod-', 'a', 'prod'].some((name) => globMatches(glob, name))).toBe(false)
  })
})

describe('did you mean', () => {
  it('suggests the closest name for a typo, and nothing for a guess', () => {
    expect(closestName('JUJU-TRUSTT', ['JUJU-TRUST', 'JUJU-EXPOSED'])).toBe('JUJU-TRUST')
    expect(closestName('exposre', ['exposure', 'trust'])).toBe('exposure')
    expect(closestName('k8s-privileged', ['K8S-PRIVILEGED', 'K8S-HOST-ACCESS'])).toBe('K8S-PRIVILEGED')
    expect(closestName('FOO', ['JUJU-TRUST', 'MAAS-TLS'])).toBeUndefined()
  })
})

function fromFile(): Policy {
  const result = validatePolicyData({apiVersion: 'hardenctl.io/v1', kind: 'Policy'})
  if (!result.ok) throw new Error(JSON.stringify(result.problems))
  return result.policy
}

describe('parsed policies', () => {
  it('share no objects: a change to one policy shows in no other parsed in the same process', () => {
    const first = defaultPolicy()
    first.exposure.allow['traefik'] = ['10.0.0.0/8']
    first.trust.allow.push('*')
    first.host.allowPorts.push(80)
    fromFile().access.controller.superusers.push('bob')
    for (const later of [defaultPolicy(), fromFile()]) {
      expect(later.exposure.allow).toEqual({})
      expect(later.trust.allow).toEqual([])
      expect(later.host.allowPorts).toEqual([22])
      expect(later.access.controller.superusers).toEqual(['admin'])
    }
  })
})
