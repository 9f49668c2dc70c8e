// test/fixtures/juju/offers.json is shaped like `juju offers --format=json` from Juju 3.6:
// checked against juju/juju cmd/juju/crossmodel/list.go (ListOfferItem with application, store,
// charm, offer-url, endpoints, connections, users; offerConnectionDetails with source-model-uuid,
// username, relation-id, endpoint, status, ingress-subnets), remoteendpoints.go (RemoteEndpoint)
// and show.go (OfferUser).
import {describe, expect, it} from 'vitest'

import {parseOfferUrl} from '../../../src/sources/juju/offers.js'
import {fixture, ofType, readFile} from './helpers.js'

describe('juju offers', () => {
  const file = fixture('offers.json')
  const {documents, contributions} = readFile(file)

  it('gives one offer per entry, scoped by offer URL and store', () => {
    expect(documents.map((d) => d.kind)).toEqual(['juju offers'])
    expect(ofType(contributions, 'input')).toEqual([{type: 'input', scope: {file, controller: 'mk8scloud', model: 'clite'}, input: 'juju-offers'}])
    const offers = ofType(contributions, 'offer')
    expect(offers.map((c) => c.scope)).toEqual([
      {file, controller: 'mk8scloud', model: 'clite'},
      {file, controller: 'mk8scloud', model: 'clite'},
    ])
    expect(offers[0]!.offer).toEqual({
      name: 'alertmanager',
      application: 'alertmanager',
      url: 'admin/clite.alertmanager',
      endpoints: [{name: 'ingress', interface: 'ingress', role: 'requirer'}],
      users: [
        {name: 'admin', access: 'admin'},
        {name: 'everyone@external', access: 'read'},
      ],
      connections: [{sourceModel: 'a1b2c3d4-0000-4000-8000-000000000001', username: 'admin', endpoint: 'ingress'}],
      ref: {file, document: 0, path: ['alertmanager']},
    })
    expect(offers[1]!.offer).toMatchObject({name: 'prometheus-scrape', application: 'prometheus', connections: []})
    expect(offers[1]!.offer.users).toBeUndefined()
  })

  it('parses offer URLs', () => {
    expect(parseOfferUrl('mk8scloud:admin/clite.alertmanager')).toEqual({controller: 'mk8scloud', owner: 'admin', model: 'clite', offer: 'alertmanager'})
    expect(parseOfferUrl('admin/clite.my.offer')).toEqual({owner: 'admin', model: 'clite', offer: 'my.offer'})
    expect(parseOfferUrl('clite.alertmanager')).toBeUndefined()
  })
})
