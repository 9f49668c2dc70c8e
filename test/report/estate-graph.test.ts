import {describe, expect, it} from 'vitest'

import {estateGraphs} from '../../src/report/html/estate-graph.js'
import {app, inventory, model} from '../rules/factories.js'

const marksOf = (type: 'iaas' | 'caas', options: Parameters<typeof app>[1]) =>
  estateGraphs(inventory({models: [model('m', {type, apps: [app('web', options)]})]})).graphs[0]!.nodes.find((node) => node.id === 'app:web')!.marks

describe('the estate graph marks what the Juju flag does', () => {
  it('an exposed application of a machine model is exposed; of a Kubernetes model, only marked exposed (the flag opens nothing there)', () => {
    expect(marksOf('iaas', {exposed: true})).toEqual(['exposed'])
    expect(marksOf('caas', {exposed: true})).toEqual(['marked exposed'])
    expect(marksOf('caas', {exposed: true, options: {'juju-external-hostname': 'web.example.com'}})).toEqual(['exposed'])
    expect(marksOf('caas', {exposed: false})).toEqual([])
  })
})
