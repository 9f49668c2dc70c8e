import {describe, expect, it} from 'vitest'

import {readSourceDocuments} from '../../src/sources/files.js'
import {REDACTED, redactDocuments} from '../../src/sources/redact.js'

const BUNDLE = `# exported
applications:
  postgresql:
    charm: postgresql-k8s
    options:
      admin-password: hunter2-plain   # set by hand
      ssl_cert: SELFSIGNED
      key-size: "4096"
      tls-secret-name: livepatch-tls
relations: []
`

describe('redactDocuments', () => {
  it('replaces credential option values in an exported bundle, keeping placeholders, comments and other keys', () => {
    const [out] = redactDocuments([{path: 'juju/c/models/m/bundle.yaml', data: undefined, text: BUNDLE}])
    expect(out!.text).not.toContain('hunter2-plain')
    expect(out!.text).toContain(`admin-password: ${REDACTED} # set by hand`)
    expect(out!.text).toContain('ssl_cert: SELFSIGNED')
    expect(out!.text).toContain('key-size: "4096"')
    expect(out!.text).toContain('# exported')
  })

  it('keeps a redacted credential "set", so JUJU-NO-SECRETS still sees it', () => {
    const [out] = redactDocuments([{path: 'juju/c/models/m/bundle.yaml', data: undefined, text: BUNDLE}])
    const read = readSourceDocuments([out!])
    const app = read.contributions.find((c) => c.type === 'application' && c.facts.name === 'postgresql')
    expect(app && app.type === 'application' ? app.facts.options?.['admin-password'] : undefined).toBe(REDACTED)
  })

  it('redacts Secret data, secret-looking env values and controller-config passwords', () => {
    const pods = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {apiVersion: 'v1', kind: 'Secret', metadata: {name: 's', namespace: 'n', annotations: {'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"p":"aHVudGVy"}}'}}, data: {p: 'aHVudGVy'}},
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {name: 'p', namespace: 'n'},
          spec: {containers: [{name: 'c', env: [{name: 'DB_PASSWORD', value: 'hunter2'}, {name: 'LOG_LEVEL', value: 'debug'}, {name: 'API_TOKEN', valueFrom: {secretKeyRef: {name: 's', key: 'p'}}}]}]},
        },
        {
          apiVersion: 'batch/v1',
          kind: 'CronJob',
          metadata: {name: 'backup', namespace: 'n'},
          spec: {schedule: '0 * * * *', jobTemplate: {spec: {template: {spec: {containers: [{name: 'b', env: [{name: 'S3_SECRET_KEY', value: 'cron-secret'}]}]}}}}},
        },
      ],
    }
    const config = {'api-port': 17070, 'caas-image-repo': {repository: 'r', password: 'registry-pass'}}
    const out = redactDocuments([
      {path: 'kubernetes/pods.json', data: pods},
      {path: 'juju/c/controller-config.json', data: config},
    ])
    const text = JSON.stringify(out)
    expect(text).not.toMatch(/aHVudGVy|hunter2|registry-pass|cron-secret/)
    expect(text).toContain('"LOG_LEVEL","value":"debug"')
    expect(text).toContain('secretKeyRef')
    expect(text).toContain('"api-port":17070')
  })
})
