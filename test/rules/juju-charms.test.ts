import {describe, expect, it} from 'vitest'

import {jujuCharmUser, jujuNoSecrets, jujuRootContainer} from '../../src/rules/juju-charms.js'
import {app, charm, container, findings, inventory, jujuSidecarPod, jujuStatefulSet, model, option, pod, ref, run, workload} from './factories.js'

const pgMeta = charm('postgresql-k8s', {containers: [container('postgresql')]})
const minioMeta = charm('minio', {containers: [container('minio', {uid: 584792, gid: 584792})], charmUser: 'non-root'})

describe('JUJU-ROOT-CONTAINER', () => {
  it('flags a container without uid/gid in the charm metadata', () => {
    const inv = inventory({models: [model('db', {type: 'caas', apps: [app('postgresql', {charm: 'postgresql-k8s'})]})], charms: [pgMeta], inputs: ['charm-metadata']})
    const [f] = findings(jujuRootContainer, inv)
    expect(f).toMatchObject({rule: 'JUJU-ROOT-CONTAINER', severity: 'high', target: {kind: 'application', name: 'postgresql', model: 'db'}})
    expect(f?.message).toContain('container postgresql')
    expect(f?.message).toContain('no uid/gid')
    expect(f?.evidence).toMatchObject({container: 'postgresql', uid: null, gid: null, source: 'charm metadata'})
    expect(f?.location?.file).toBe('charmcraft.yaml')
  })

  it('says what is known of the user: root for certain at uid 0, group root at gid 0, and "may" where the image decides', () => {
    const messages = (containers: ReturnType<typeof container>[]) =>
      findings(jujuRootContainer, inventory({charms: [charm('db-k8s', {containers})], inputs: ['charm-metadata']})).map((f) => f.message)
    expect(messages([container('db', {uid: 0, gid: 0})])).toEqual(['container db of charm db-k8s runs as root: the charm sets uid 0, gid 0.'])
    expect(messages([container('db', {uid: 1000, gid: 0})])).toEqual(['container db of charm db-k8s runs with group root: the charm sets uid 1000, gid 0.'])
    expect(messages([container('db')])).toEqual(["container db of charm db-k8s may run as root: the charm sets no uid/gid, so Juju sets none and its image's USER decides (root for most images)."])
    expect(messages([container('db', {uid: 1000})])).toEqual(["container db of charm db-k8s may run with group root: the charm sets uid 1000 but no gid, so its image's group decides."])
  })

  it('does not flag containers with non-zero uid and gid', () => {
    const inv = inventory({models: [model('m', {type: 'caas', apps: [app('minio')]})], charms: [minioMeta], inputs: ['charm-metadata']})
    expect(findings(jujuRootContainer, inv)).toEqual([])
  })

  it('reports once per app and workload container from pods, listing the pods; Juju\'s charm and charm-init containers are not workload containers', () => {
    const spec = {
      initContainers: [{name: 'charm-init', securityContext: {runAsUser: 0}}],
      containers: [{name: 'charm'}, {name: 'web', securityContext: {runAsUser: 0}}, {name: 'side', securityContext: {runAsUser: 1000}}],
    }
    const labels = {'app.kubernetes.io/name': 'web'}
    const owner = {kind: 'StatefulSet', name: 'web'}
    const inv = inventory({
      models: [model('m', {type: 'caas', namespace: 'm', apps: [app('web')]})],
      inputs: ['k8s-pods'],
      kube: {pods: [pod('m', 'web-0', {labels, spec, owner}), pod('m', 'web-1', {labels, spec, owner})]},
    })
    const fs = findings(jujuRootContainer, inv)
    expect(fs.map((f) => f.evidence.container)).toEqual(['web'])
    expect(fs[0]?.evidence).toMatchObject({pods: ['web-0', 'web-1'], runAsUser: 0, source: 'pods'})
    expect(fs[0]?.message).toContain('runAsUser is 0')
  })

  it("a Juju 3.6 sidecar pod with charm-user root: the charm container is JUJU-CHARM-USER's finding only, the workload container JUJU-ROOT-CONTAINER's", () => {
    const inv = inventory({
      models: [model('gitlab', {type: 'caas', namespace: 'gitlab', apps: [app('gitlab', {charm: 'gitlab-k8s'})]})],
      inputs: ['k8s-pods', 'k8s-workloads'],
      kube: {pods: [jujuSidecarPod('gitlab', 'gitlab-0', 'gitlab', 0)], workloads: [jujuStatefulSet('gitlab', 'gitlab', 0)]},
    })
    const root = findings(jujuRootContainer, inv)
    expect(root.map((f) => [f.evidence.container, f.message])).toEqual([
      ['gitlab', "container gitlab of gitlab (gitlab-k8s) may run as root: no runAsUser and no runAsNonRoot, so its image's USER decides (root for most images) and nothing keeps it from root."],
    ])
    const charmUser = findings(jujuCharmUser, inv)
    expect(charmUser.map((f) => f.message)).toEqual(['the charm code of gitlab (gitlab-k8s) runs as root: its charm container runs as uid 0.'])
  })

  it('when the pods are known they decide: a container only the charm metadata names is not reported as running', () => {
    // The charm revision declares an exporter container; the deployed pods do not run it.
    const meta = charm('gitlab-k8s', {containers: [container('gitlab', {uid: 584792, gid: 584792}), container('exporter')]})
    const deployed = () => model('gitlab', {type: 'caas', namespace: 'gitlab', apps: [app('gitlab', {charm: 'gitlab-k8s'})]})
    const pods = [jujuSidecarPod('gitlab', 'gitlab-0', 'gitlab', 170, {runAsUser: 584792, runAsGroup: 584792})]
    const withPods = inventory({models: [deployed()], charms: [meta], inputs: ['charm-metadata', 'k8s-pods'], kube: {pods}})
    expect(findings(jujuRootContainer, withPods)).toEqual([])
    // Without the pods, the metadata speaks for what Juju will run.
    const [f] = findings(jujuRootContainer, inventory({models: [deployed()], charms: [meta], inputs: ['charm-metadata']}))
    expect(f?.evidence).toMatchObject({container: 'exporter', source: 'charm metadata', uid: null, gid: null})
  })

  it('an application whose pods run only Juju\'s containers is evaluated, with nothing to report', () => {
    const spec = {initContainers: [{name: 'charm-init', securityContext: {runAsUser: 170, runAsGroup: 170}}], containers: [{name: 'charm', securityContext: {runAsUser: 170, runAsGroup: 170}}]}
    const inv = inventory({
      models: [model('ca', {type: 'caas', namespace: 'ca', apps: [app('certs', {charm: 'self-signed-certificates'})]})],
      inputs: ['k8s-pods'],
      kube: {pods: [pod('ca', 'certs-0', {labels: {'app.kubernetes.io/name': 'certs'}, spec, owner: {kind: 'StatefulSet', name: 'certs'}})]},
    })
    expect(run(jujuRootContainer, inv)).toMatchObject({findings: [], notEvaluated: []})
  })

  it('lets pods overrule metadata', () => {
    const inv = inventory({
      models: [model('db', {type: 'caas', namespace: 'db', apps: [app('postgresql', {charm: 'postgresql-k8s'})]})],
      charms: [pgMeta],
      inputs: ['charm-metadata', 'k8s-workloads'],
      kube: {workloads: [workload('StatefulSet', 'db', 'postgresql', {spec: {securityContext: {runAsNonRoot: true, runAsUser: 584792}, containers: [{name: 'postgresql'}, {name: 'charm'}]}})]},
    })
    expect(findings(jujuRootContainer, inv)).toEqual([])
  })

  it('leaves a Kubernetes app without metadata or pods not evaluated, and skips machine apps', () => {
    const inv = inventory({
      models: [model('k', {type: 'caas', apps: [app('x')]}), model('v', {type: 'iaas', apps: [app('y')]})],
      inputs: ['charm-metadata'],
    })
    const result = run(jujuRootContainer, inv)
    expect(result.findings).toEqual([])
    expect(result.notEvaluated[0]?.targets?.map((t) => t.name)).toEqual(['x'])
  })

  it('judges charms no application uses, as target kind charm', () => {
    const [f] = findings(jujuRootContainer, inventory({charms: [pgMeta], inputs: ['charm-metadata']}))
    expect(f?.target).toEqual({kind: 'charm', name: 'postgresql-k8s'})
  })
})

describe('JUJU-CHARM-USER', () => {
  it('flags an unset charm-user as medium (root)', () => {
    const [f] = findings(jujuCharmUser, inventory({charms: [pgMeta], inputs: ['charm-metadata']}))
    expect(f).toMatchObject({rule: 'JUJU-CHARM-USER', severity: 'medium', target: {kind: 'charm', name: 'postgresql-k8s'}})
    expect(f?.message).toContain('sets no charm-user')
  })

  it('flags sudoer as low and accepts non-root', () => {
    const sudo = charm('sudo-k8s', {containers: [container('c', {uid: 1000, gid: 1000})], charmUser: 'sudoer', refs: {definition: ref('c.yaml'), charmUser: ref('c.yaml', 'charm-user')}})
    const fs = findings(jujuCharmUser, inventory({charms: [sudo, minioMeta], inputs: ['charm-metadata']}))
    expect(fs).toHaveLength(1)
    expect(fs[0]).toMatchObject({severity: 'low', target: {name: 'sudo-k8s'}})
    expect(fs[0]?.location).toEqual({file: 'c.yaml', line: 2})
  })

  it('reads the charm container uid from pods', () => {
    const spec = {containers: [{name: 'charm', securityContext: {runAsUser: 170}}]}
    const inv = inventory({
      models: [model('m', {type: 'caas', namespace: 'm', apps: [app('web')]})],
      inputs: ['k8s-pods'],
      kube: {pods: [pod('m', 'web-0', {labels: {'app.kubernetes.io/name': 'web'}, spec})]},
    })
    expect(findings(jujuCharmUser, inv)).toEqual([])
  })

  it('skips machine charms and leaves unknown Kubernetes apps not evaluated', () => {
    const machine = charm('landscape-server')
    const inv = inventory({models: [model('k', {type: 'caas', apps: [app('x')]})], charms: [machine], inputs: ['charm-metadata']})
    const result = run(jujuCharmUser, inv)
    expect(result.findings).toEqual([])
    expect(result.notEvaluated[0]?.targets?.map((t) => t.name)).toEqual(['x'])
  })
})

describe('JUJU-NO-SECRETS', () => {
  it('flags credentials set in plain config, naming options but never values', () => {
    const a = app('grafana', {options: {'admin-password': 'hunter2', 'log-level': 'info'}, optionRefs: {'admin-password': ref('bundle.yaml', 'applications', 'grafana', 'options', 'admin-password')}})
    const [f] = findings(jujuNoSecrets, inventory({models: [model('m', {apps: [a], inputs: ['juju-bundle']})]}))
    expect(f).toMatchObject({rule: 'JUJU-NO-SECRETS', severity: 'medium', target: {name: 'grafana'}, evidence: {setOptions: ['admin-password']}})
    expect(JSON.stringify(f)).not.toContain('hunter2')
    expect(f?.remediation).toContain('juju add-secret')
  })

  it("clears keystone's admin-password rather than moving it to a secret no keystone revision reads: the charm keeps the password in its leader settings", () => {
    // openstack-base (stable, xenial): `admin-password: openstack` on keystone.
    const keystone = app('keystone', {channel: 'yoga/stable', options: {'admin-password': 'openstack'}})
    const [f] = findings(jujuNoSecrets, inventory({models: [model('openstack', {apps: [keystone], inputs: ['juju-bundle']})]}))
    expect(f?.severity).toBe('medium')
    expect(f?.remediation).toBe(
      'juju config -m prod:openstack keystone --reset admin-password && juju run -m prod:openstack keystone/leader rotate-admin-password' +
        "   # keystone keeps the password it uses in its leader settings, which only the model's admins can read, and makes one where it has none;" +
        ' the rotation replaces the value config exposed to every reader of the model (revisions without the action: change the password in Keystone by hand);' +
        ' read the new one with `juju exec -m prod:openstack --unit keystone/leader -- leader-get admin_passwd`',
    )
  })

  it('gives a finding with a generated and another credential both fixes, as one line of commands before the comments', () => {
    const keystone = app('keystone', {options: {'admin-password': 'openstack', 'ldap-password': 'hunter2'}})
    const [f] = findings(jujuNoSecrets, inventory({models: [model('openstack', {apps: [keystone], inputs: ['juju-bundle']})]}))
    const [commands, comment] = f!.remediation.split('   # ')
    expect(commands).toBe(
      'juju config -m prod:openstack keystone --reset admin-password && juju run -m prod:openstack keystone/leader rotate-admin-password && ' +
        'uri=$(juju add-secret -m prod:openstack keystone-credentials ldap-password#file=ldap-password.txt) && juju grant-secret -m prod:openstack keystone-credentials keystone',
    )
    expect(comment).toContain('only then: juju config -m prod:openstack keystone --reset ldap-password')
    expect(f!.remediation.split('   # ')).toHaveLength(2)
  })

  it('flags string credential options a charm declares as low, and not secret-typed ones', () => {
    const c = charm('svc', {options: {api_token: option('string'), db_password: option('secret'), ssl_key: option('string'), 'key-size': option('string')}})
    const [f] = findings(jujuNoSecrets, inventory({charms: [c], inputs: ['charm-metadata']}))
    expect(f).toMatchObject({severity: 'low', evidence: {declaredStringOptions: ['api_token'], setOptions: []}})
  })

  it('ignores secret URIs and harmless options', () => {
    const a = app('svc', {options: {password: 'secret:cv2s3g7mp25c7ak9i4ug', keystone: 'x', 'monkey-mode': 'on', key: 'ABCD1234', 'auth-url': 'https://keystone:5000/v3', 'keepalive': '30'}})
    expect(findings(jujuNoSecrets, inventory({models: [model('m', {apps: [a], inputs: ['juju-config']})]}))).toEqual([])
  })

  it('finds credentials in compound names and in user:pass values', () => {
    const a = app('nuage', {
      charm: 'nuage-vrs',
      options: {prometheus_registration_authtoken: 'f4c1b2d3e4', 'vsd-auth': 'csproot:csproot', 'admin-passwd': 'Passw0rd!', 'http-proxy': 'http://squid:s3cret@proxy.internal:3128', source: 'cloud:jammy-zed'},
    })
    const [f] = findings(jujuNoSecrets, inventory({models: [model('m', {apps: [a], inputs: ['juju-bundle']})]}))
    expect(f?.evidence).toMatchObject({setOptions: ['admin-passwd', 'http-proxy', 'prometheus_registration_authtoken', 'vsd-auth']})
    expect(f?.message).toContain('http-proxy holds a user:password pair or a URL with a password')
    for (const secret of ['f4c1b2d3e4', 'csproot', 'Passw0rd', 's3cret']) expect(JSON.stringify(f)).not.toContain(secret)
  })

  it('flags a numeric password (YAML reads `root-password: 987654321987` as a number) as plain text, never printing it', () => {
    const a = app('mysql', {charm: 'mysql-k8s', options: {'root-password': 987654321987, 'max-connections': 300}})
    const [f] = findings(jujuNoSecrets, inventory({models: [model('m', {apps: [a], inputs: ['juju-bundle']})]}))
    expect(f).toMatchObject({severity: 'medium', evidence: {setOptions: ['root-password']}})
    expect(JSON.stringify(f)).not.toContain('987654321987')
  })

  it('reports placeholders as placeholders, low, and not as secrets', () => {
    const a = app('landscape-server', {options: {'admin-password': 'FCE_TEMPLATE', 'secret-token': 'changeme', 'smtp-password': '<password>'}})
    const [f] = findings(jujuNoSecrets, inventory({models: [model('m', {apps: [a], inputs: ['juju-bundle']})]}))
    expect(f).toMatchObject({severity: 'low', evidence: {setOptions: [], placeholderOptions: ['admin-password', 'secret-token', 'smtp-password']}})
    expect(f?.message).toContain('set to a placeholder, not a real secret yet')
    // Nothing real to clear yet.
    expect(f?.remediation).not.toContain('--reset')
  })

  it('prints juju add-secret keys Juju accepts, values read from files, and resets only once the secret is in place', () => {
    const c = charm('svc', {options: {admin_password: option('string'), 'api.token': option('string'), credentials: option('secret')}})
    const a = app('svc', {options: {admin_password: 'p4ss-w0rd', 'api.token': 'tok-123'}})
    const [f] = findings(jujuNoSecrets, inventory({models: [model('m', {apps: [a], inputs: ['juju-config']})], charms: [c]}))
    expect(f?.remediation).toBe(
      'uri=$(juju add-secret -m prod:m svc-credentials admin-password#file=admin-password.txt api-token#file=api-token.txt) && juju grant-secret -m prod:m svc-credentials svc && juju config -m prod:m svc credentials="$uri" && juju config -m prod:m svc --reset admin_password,api.token',
    )
    for (const key of f?.remediation?.matchAll(/ ([^ =#]+)#file=/g) ?? []) expect(key[1]).toMatch(/^([a-z](?:-?[a-z0-9]){2,})$/)
  })

  it('does not reset a credential the charm can only take as plain config', () => {
    const a = app('grafana', {options: {admin_pw: 'hunter2'}})
    const [f] = findings(jujuNoSecrets, inventory({models: [model('m', {apps: [a], inputs: ['juju-bundle']})]}))
    expect(f?.remediation).toMatch(/^uri=\$\(juju add-secret -m prod:m grafana-credentials admin-pw#file=admin-pw.txt\) && juju grant-secret -m prod:m grafana-credentials grafana {3}# /)
    expect(f?.remediation).toContain('only then: juju config -m prod:m grafana --reset admin_pw')
  })

  it('is not evaluated without metadata, bundle or config', () => {
    expect(run(jujuNoSecrets, inventory({models: [model('m', {apps: [app('a')]})]})).notEvaluated[0]?.targets).toBeUndefined()
  })
})
