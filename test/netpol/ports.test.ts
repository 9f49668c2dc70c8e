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
    expect(formatPorts(subtractPorts(allOf('TCP'), portRange('TCP', 5432)))).toBe('1-5431/TCP, 5433-65535/TCP')
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
    expect(portsToJson(ALL_PORTS)).toEqual({all: true})
    expect(portsToJson(portRange('TCP', 8000, 8100))).toEqual({ports: [{protocol: 'TCP', from: 8000, to: 8100}]})
    expect(portsToJson(NO_PORTS)).toEqual({ports: []})
  })
})
