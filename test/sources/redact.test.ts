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

/**
 * Credentials inside values, whatever the key (issue 14): each row is a value as a container's env
 * or args would carry it, the secret in it, and what must be kept.
 */
describe('redactDocuments: credentials inside values', () => {
  const podWith = (container: Record<string, unknown>) => ({
    apiVersion: 'v1',
    kind: 'List',
    items: [{apiVersion: 'v1', kind: 'Pod', metadata: {name: 'p', namespace: 'n'}, spec: {containers: [{name: 'c', image: 'app:1', ...container}]}}],
  })
  const redactedContainer = (container: Record<string, unknown>) => {
    const [out] = redactDocuments([{path: 'kubernetes/pods.json', data: podWith(container)}])
    return (out!.data as {items: {spec: {containers: Record<string, unknown>[]}}[]}).items[0]!.spec.containers[0]!
  }

  it.each([
    ['a URL in an env value', {env: [{name: 'DATABASE_URL', value: 'postgres://app:S3cretPw@db.shop.svc:5432/shop'}]}, 'S3cretPw', 'postgres://app:<redacted>@db.shop.svc:5432/shop'],
    ['a URL with no user', {env: [{name: 'CACHE', value: 'redis://:R3disPw@cache:6379/0'}]}, 'R3disPw', 'redis://:<redacted>@cache:6379/0'],
    ['--password=value in args', {args: ['--listen=:8080', '--password=Hunter2x']}, 'Hunter2x', '--password=<redacted>'],
    ['--token value as two args', {args: ['serve', '--token', 'tok-abc123', '--verbose']}, 'tok-abc123', '"--verbose"'],
    ['--secret value in a shell line', {command: ['sh', '-c', 'exec app --secret s3cr3t-val --port 80']}, 's3cr3t-val', 'exec app --secret <redacted> --port 80'],
    ['--db-password="quoted value" in a shell line', {command: ['sh', '-c', 'app --db-password="two words"']}, 'two words', '--db-password="<redacted>"'],
    ['PGPASSWORD= in a shell line', {command: ['/bin/sh', '-c', 'PGPASSWORD=pgpw123 psql -h db -U app']}, 'pgpw123', 'PGPASSWORD=<redacted> psql -h db -U app'],
    ['a URL in args', {args: ['--upstream=https://admin:Adm1nPw@registry.example.com/v2']}, 'Adm1nPw', '--upstream=https://admin:<redacted>@registry.example.com/v2'],
  ])('%s', (_, container, secret, kept) => {
    const text = JSON.stringify(redactedContainer(container))
    expect(text).not.toContain(secret)
    expect(text).toContain(kept.startsWith('"') ? kept : kept.replaceAll('"', '\\"'))
  })

  it('keeps what is not a credential: references to other variables, paths, ports, plain URLs', () => {
    const container = {
      env: [{name: 'URL', value: 'https://api.example.com:8443/v1'}, {name: 'LEVEL', value: 'debug'}],
      args: ['--password=$(DB_PASSWORD)', '--password-file', '/run/secrets/pw', '--token-ttl=3600', '--port', '8080'],
    }
    expect(redactedContainer(container)).toEqual({name: 'c', image: 'app:1', ...container})
  })

  it('redacts the same inside kubectl\'s last-applied annotation of a Deployment', () => {
    const spec = {template: {spec: {containers: [{name: 'c', env: [{name: 'DATABASE_URL', value: 'postgres://u:LastApplied1@db/x'}], args: ['--api-key=Ak-998877']}]}}}
    const deployment = {apiVersion: 'apps/v1', kind: 'Deployment', metadata: {name: 'd', namespace: 'n', annotations: {'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify({kind: 'Deployment', spec})}\n`}}, spec: structuredClone(spec)}
    const [out] = redactDocuments([{path: 'kubernetes/deployments.json', data: {apiVersion: 'v1', kind: 'List', items: [deployment]}}])
    const text = JSON.stringify(out)
    expect(text).not.toMatch(/LastApplied1|Ak-998877/)
    expect(text).toContain('postgres://u:<redacted>@db/x')
    expect(text).toContain('--api-key=<redacted>')
  })

  it('redacts URL passwords in any charm option and numeric passwords in a bundle', () => {
    const bundle = 'applications:\n  app:\n    charm: app\n    options:\n      database-uri: postgres://u:BundleUrlPw@db/x\n      root-password: 987654321987\n      port: 5432\n'
    const [out] = redactDocuments([{path: 'juju/c/models/m/bundle.yaml', data: undefined, text: bundle}])
    expect(out!.text).not.toMatch(/BundleUrlPw|987654321987/)
    expect(out!.text).toContain('database-uri: postgres://u:<redacted>@db/x')
    expect(out!.text).toContain(`root-password: ${REDACTED}`)
    expect(out!.text).toContain('port: 5432')
  })

  it('redacts Application.Get config (the fallback when a bundle cannot be exported) by name and by value', () => {
    const config = {application: 'app', charm: 'app', settings: {'admin-password': {value: 'AppGetPw', type: 'string'}, upstream: {value: 'https://u:AppGetUrlPw@h/', type: 'string'}, port: {value: 80, type: 'int'}}}
    const [out] = redactDocuments([{path: 'juju/c/models/m/config/app.json', data: config}])
    const text = JSON.stringify(out)
    expect(text).not.toMatch(/AppGetPw|AppGetUrlPw/)
    expect(text).toContain('https://u:<redacted>@h/')
    expect(text).toContain('"port":{"value":80')
  })
})
