import {describe, expect, it} from 'vitest'

import {
  ALL_PORTS,
  allOf,
  containsPort,
  formatPorts,
  intersectPorts,
  isAllPorts,
  NO_PORTS,
  portRange,
  portsToJson,
  subtractPorts,
  unionPorts,
} from '../../src/netpol/ports.js'

describe('port sets', () => {
  it('merge adjacent and overlapping ranges', () => {
    const set = unionPorts(unionPorts(portRange('TCP', 80), portRange('TCP', 81, 90)), portRange('TCP', 85, 100))
    expect(formatPorts(set)).toBe('80-100/TCP')
    expect(formatPorts(unionPorts(set, portRange('UDP', 53)))).toBe('80-100/TCP, 53/UDP')
  })

  it('intersect and subtract', () => {
    const web = unionPorts(portRange('TCP', 80), portRange('TCP', 443))
    expect(formatPorts(intersectPorts(web, portRange('TCP', 400, 500)))).toBe('443/TCP')
    expect(intersectPorts(web, portRange('UDP', 80))).toBe(NO_PORTS)
    expect(formatPorts(subtractPorts(allOf('TCP'), portRange('TCP', 5432)))).toBe('TCP (all ports but 5432)')
    expect(subtractPorts(web, web)).toBe(NO_PORTS)
  })

  it('the full set is always the ALL_PORTS singleton', () => {
    const all = unionPorts(unionPorts(allOf('TCP'), allOf('UDP')), allOf('SCTP'))
    expect(all).toBe(ALL_PORTS)
    expect(isAllPorts(all)).toBe(true)
    expect(unionPorts(subtractPorts(ALL_PORTS, portRange('TCP', 22)), portRange('TCP', 22))).toBe(ALL_PORTS)
  })

  it('contain, print and serialise', () => {
    expect(containsPort(portRange('TCP', 8000, 8100), 8100, 'TCP')).toBe(true)
    expect(containsPort(portRange('TCP', 8000, 8100), 8100, 'UDP')).toBe(false)
    expect(formatPorts(ALL_PORTS)).toBe('all ports')
    expect(formatPorts(NO_PORTS)).toBe('none')
    expect(formatPorts(unionPorts(allOf('UDP'), portRange('TCP', 53)))).toBe('53/TCP, UDP (all ports)')
    // What is left out, when that is shorter to say (issue 12: not "1-8079/TCP, 8081-65535/TCP, UDP (all ports), SCTP (all ports)").
    expect(formatPorts(subtractPorts(ALL_PORTS, portRange('TCP', 8080)))).toBe('all but 8080/TCP')
    expect(formatPorts(subtractPorts(ALL_PORTS, unionPorts(portRange('TCP', 8080), portRange('UDP', 53))))).toBe('all but 8080/TCP, 53/UDP')
    expect(formatPorts(subtractPorts(allOf('TCP'), unionPorts(portRange('TCP', 22), portRange('TCP', 8000, 8100))))).toBe('TCP (all ports but 22, 8000-8100)')
    expect(formatPorts(subtractPorts(allOf('TCP'), portRange('TCP', 1, 1023)))).toBe('1024-65535/TCP')
    expect(portsToJson(ALL_PORTS)).toEqual({all: true})
    expect(portsToJson(portRange('TCP', 8000, 8100))).toEqual({ports: [{protocol: 'TCP', from: 8000, to: 8100}]})
    expect(portsToJson(NO_PORTS)).toEqual({ports: []})
  })
})
