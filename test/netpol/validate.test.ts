import {describe, expect, it} from 'vitest'

import {policyProblems} from '../../src/netpol/validate.js'
import {policy} from './world.js'

describe('policyProblems: what the API server would reject', () => {
  it('accepts a well-formed policy', () => {
    const ok = policy('n', 'ok', {
      podSelector: {matchExpressions: [{key: 'app', operator: 'In', values: ['a']}]},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{from: [{namespaceSelector: {}, podSelector: {matchLabels: {a: 'b'}}}, {ipBlock: {cidr: '0.0.0.0/0', except: ['10.0.0.0/8']}}], ports: [{port: 8000, endPort: 8100}, {port: 'http'}]}],
      egress: [{ports: [{protocol: 'UDP', port: 53}]}],
    })
    expect(policyProblems(ok)).toEqual([])
  })

  it('names each problem with its path', () => {
    const bad = policy('n', 'bad', {
      podSelector: {matchExpressions: [{key: 'app', operator: 'In'}]},
      ingress: [
        {
          from: [{ipBlock: {cidr: '10.0.0.0/8', except: ['192.168.0.0/16']}, podSelector: {}}, {}],
          ports: [{port: 'http', endPort: 90}, {port: 90, endPort: 80}, {protocol: 'ICMP' as never}],
        },
      ],
    })
    expect(policyProblems(bad)).toEqual([
      'spec.podSelector.matchExpressions[0]: In needs values',
      'spec.ingress[0].from[0]: ipBlock cannot be combined with podSelector or namespaceSelector',
      'spec.ingress[0].from[0].ipBlock.except: 192.168.0.0/16 must lie strictly inside 10.0.0.0/8',
      'spec.ingress[0].from[1]: a peer needs podSelector, namespaceSelector or ipBlock',
      'spec.ingress[0].ports[0].endPort: needs a numeric port',
      'spec.ingress[0].ports[1].endPort: 80 is below port 90',
      'spec.ingress[0].ports[2].protocol: must be TCP, UDP or SCTP, not "ICMP"',
    ])
  })
})
