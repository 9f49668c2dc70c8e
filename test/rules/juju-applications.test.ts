import {describe, expect, it} from 'vitest'

import {
  baseVerdict,
  channelRisk,
  jujuBaseNotLts,
  jujuCharmOutdated,
  jujuCharmSource,
  jujuExposed,
  jujuExposeExternal,
  jujuTrust,
} from '../../src/rules/juju-applications.js'
import {app, binding, findings, inventory, model, policy, ref, role, run, serviceAccount, WILDCARD} from './factories.js'

describe('JUJU-TRUST', () => {
  it('keeps the trust of a charm whose documentation says it needs it: audit and allow, not --remove first', () => {
    const pg = app('postgresql', {charm: 'postgresql-k8s', trust: true})
    const [f] = findings(jujuTrust, inventory({models: [model('db', {apps: [pg], inputs: ['juju-bundle']})]}))
    expect(f?.severity).toBe('high')
    expect(f?.remediation).toMatch(/^audit postgresql and add "db\/postgresql" to trust\.allow in hardenctl\.yaml: postgresql-k8s needs --trust/)
    expect(f?.remediation).toContain('would break it')
  })

  it('flags an app whose config says trust=true, pointing at the trust fact', () => {
    const pg = app('postgresql', {charm: 'postgresql-k8s', trust: true, refs: {trust: ref('config/postgresql.json', 'application-config', 'trust')}})
    const inv = inventory({models: [model('db', {apps: [pg], inputs: ['juju-config']})]})
    const [f] = findings(jujuTrust, inv)
    expect(f).toMatchObject({rule: 'JUJU-TRUST', severity: 'high', target: {kind: 'application', name: 'postgresql', model: 'db', controller: 'prod'}})
    expect(f?.message).toContain('--trust')
    expect(f?.location).toEqual({file: 'config/postgresql.json', line: 3})
    expect(f?.remediation).toContain('juju trust -m prod:db postgresql --remove')
    // A charm whose documentation does not ask for --trust: remove it first.
    const [other] = findings(jujuTrust, inventory({models: [model('db', {apps: [app('wiki', {charm: 'discourse-k8s', trust: true})], inputs: ['juju-config']})]}))
    expect(other?.remediation).toMatch(/^juju trust -m prod:db wiki --remove {3}# or: juju config -m prod:db wiki trust=false/)
  })

  it('is critical when the app\'s ClusterRole grants * on *', () => {
    const pg = app('postgresql', {charm: 'postgresql-k8s'})
    const m = model('db', {type: 'caas', namespace: 'db', apps: [pg]})
    const inv = inventory({
      models: [m],
      inputs: ['k8s-rbac'],
      kube: {
        roles: [role('db', 'postgresql', [{apiGroups: [''], resources: ['pods'], verbs: ['get']}])],
        clusterRoles: [role(undefined, 'db-postgresql', [WILDCARD])],
        serviceAccounts: [serviceAccount('db', 'postgresql')],
        clusterRoleBindings: [binding(undefined, 'db-postgresql', {kind: 'ClusterRole', name: 'db-postgresql'}, [{kind: 'ServiceAccount', name: 'postgresql', namespace: 'db'}])],
      },
    })
    const [f] = findings(jujuTrust, inv)
    expect(f?.severity).toBe('critical')
    expect(f?.evidence).toMatchObject({wildcardClusterRoles: ['db-postgresql'], wildcardRoles: []})
    expect(f?.message).toContain('ClusterRole db-postgresql')
  })

  it('does not flag an untrusted app or one on the allowlist', () => {
    const a = app('web', {trust: false})
    const b = app('ingress', {trust: true})
    const inv = inventory({models: [model('m', {apps: [a, b], inputs: ['juju-bundle']})]})
    expect(findings(jujuTrust, inv, policy({trust: {allow: ['m/ingress']}}))).toEqual([])
  })

  it('leaves an app without trust or RBAC knowledge not evaluated', () => {
    const inv = inventory({models: [model('m', {apps: [app('web')], inputs: ['juju-status', 'juju-bundle']})]})
    const result = run(jujuTrust, inv)
    expect(result.findings).toEqual([])
    expect(result.notEvaluated[0]).toMatchObject({rule: 'JUJU-TRUST', targets: [{kind: 'application', name: 'web'}], message: 'needs juju config or a bundle or Kubernetes RBAC'})
  })

  it('is not evaluated at all without config, bundle or RBAC', () => {
    const result = run(jujuTrust, inventory({models: [model('m', {apps: [app('web')]})]}))
    expect(result.notEvaluated).toEqual([{rule: 'JUJU-TRUST', needs: ['juju-config', 'juju-bundle', 'k8s-rbac'], message: 'not evaluated: needs juju config, a bundle or Kubernetes RBAC'}])
  })
})

describe('JUJU-EXPOSED', () => {
  it('flags exposed: true (no CIDRs: the world) as high', () => {
    const h = app('haproxy', {exposed: true, refs: {expose: ref('bundle.yaml', 'applications', 'haproxy', 'expose')}})
    const [f] = findings(jujuExposed, inventory({models: [model('lma', {apps: [h]})]}))
    expect(f).toMatchObject({rule: 'JUJU-EXPOSED', severity: 'high', target: {kind: 'application', name: 'haproxy'}})
    expect(f?.message).toContain('0.0.0.0/0')
    // haproxy is how clients get in: narrow it first; unexposing would cut them all off.
    expect(f?.remediation).toMatch(/^juju expose -m prod:lma haproxy --to-cidrs ADMIN-CIDRS {3}# haproxy is how clients get in/)
    expect(f?.remediation).toContain('`juju unexpose -m prod:lma haproxy` cuts them all off')
    expect(f?.location?.file).toBe('bundle.yaml')
    const [db] = findings(jujuExposed, inventory({models: [model('lma', {apps: [app('postgresql', {exposed: true})]})]}))
    expect(db?.remediation).toMatch(/^juju unexpose -m prod:lma postgresql {3}# or restrict \(then list those networks under exposure\.allow in hardenctl\.yaml\): /)
  })

  it("narrows an OpenStack API rather than unexposing it: the cloud's users reach keystone there (openstack-base's virt overlay exposes six)", () => {
    const keystone = app('keystone', {exposed: true})
    const [f] = findings(jujuExposed, inventory({models: [model('openstack', {apps: [keystone]})]}))
    expect(f?.remediation).toBe(
      "juju expose -m prod:openstack keystone --to-cidrs ADMIN-CIDRS   # keystone serves the cloud's API to its users: put the networks they come from, not only the admins', in --to-cidrs rather than unexpose it (`juju unexpose -m prod:openstack keystone` cuts them all off); list intended exposure under exposure.allow in hardenctl.yaml",
    )
  })

  it('flags restricted CIDRs off the allowlist as medium', () => {
    const h = app('haproxy', {exposed: true, exposedEndpoints: {website: {cidrs: ['192.168.0.0/16'], spaces: []}}})
    const [f] = findings(jujuExposed, inventory({models: [model('m', {apps: [h]})]}))
    expect(f?.severity).toBe('medium')
    expect(f?.evidence).toMatchObject({exposedEndpoints: {website: {cidrs: ['192.168.0.0/16']}}})
  })

  it('narrowing an endpoint exposed to a space names the space again (juju expose replaces the endpoint\'s settings)', () => {
    const magic = app('magic', {exposed: true, exposedEndpoints: {rabbit: {cidrs: ['10.0.0.0/24'], spaces: ['some-space']}}})
    const [f] = findings(jujuExposed, inventory({models: [model('m', {apps: [magic]})]}))
    expect(f?.remediation).toBe('juju unexpose -m prod:m magic   # or restrict (then list those networks under exposure.allow in hardenctl.yaml): juju expose -m prod:m magic --endpoints rabbit --to-spaces some-space --to-cidrs ADMIN-CIDRS')
  })

  it('accepts an allowlisted app exposed inside its CIDRs, and flags it beyond them', () => {
    const inside = app('haproxy', {exposed: true, exposedEndpoints: {'': {cidrs: ['10.1.0.0/16'], spaces: []}}})
    const pol = policy({exposure: {allow: {haproxy: ['10.0.0.0/8']}}})
    expect(findings(jujuExposed, inventory({models: [model('m', {apps: [inside]})]}), pol)).toEqual([])
    const world = app('haproxy', {exposed: true})
    expect(findings(jujuExposed, inventory({models: [model('m', {apps: [world]})]}), pol)[0]?.severity).toBe('high')
  })

  it('on Kubernetes, a sidecar charm\'s flag opens nothing: low, says so, and the fix clears the flag without a narrowing Juju would not enforce', () => {
    const traefik = app('traefik', {charm: 'traefik-k8s', exposed: true})
    const [f] = findings(jujuExposed, inventory({models: [model('clite', {type: 'caas', apps: [traefik]})]}))
    expect(f).toMatchObject({rule: 'JUJU-EXPOSED', severity: 'low', evidence: {opensNothing: true}})
    expect(f?.message).toBe(
      'traefik is marked exposed (all endpoints), but on Kubernetes `juju expose` opens nothing to a sidecar charm: traffic from outside the cluster reaches its pods only through a LoadBalancer or NodePort Service or an Ingress, which the Kubernetes rules judge.',
    )
    expect(f?.remediation).toMatch(/^juju unexpose -m prod:clite traefik {3}# changes no traffic: /)
    expect(f?.remediation).toContain('clients reach it through the LoadBalancer Service traefik-k8s makes')
    const [grafana] = findings(jujuExposed, inventory({models: [model('clite', {type: 'caas', apps: [app('grafana', {charm: 'grafana-k8s', exposed: true})]})]}))
    expect(grafana?.remediation).toContain('reach the application from outside through an ingress such as traefik-k8s')
    expect(f?.remediation).not.toContain('--to-cidrs')
    // Listed at all, it is meant: Juju enforces no CIDRs there to compare.
    expect(findings(jujuExposed, inventory({models: [model('clite', {type: 'caas', apps: [traefik]})]}), policy({exposure: {allow: {traefik: ['10.0.0.0/8']}}}))).toEqual([])
  })

  it("on Kubernetes, a podspec charm's expose makes an Ingress for its juju-external-hostname: high, named", () => {
    const gitlab = app('gitlab', {charm: 'gitlab-k8s', exposed: true, options: {'juju-external-hostname': 'gitlab.example.com'}})
    const [f] = findings(jujuExposed, inventory({models: [model('apps', {type: 'caas', apps: [gitlab]})]}))
    expect(f).toMatchObject({severity: 'high', evidence: {ingressHost: 'gitlab.example.com'}})
    expect(f?.message).toContain('Juju makes an Ingress for gitlab.example.com')
    expect(f?.remediation).toMatch(/^juju unexpose -m prod:apps gitlab {3}# removes the Ingress Juju made for gitlab\.example\.com/)
  })

  it('ignores unexposed apps and leaves unknown exposure not evaluated', () => {
    const inv = inventory({models: [model('m', {apps: [app('a', {exposed: false}), app('b')]})]})
    const result = run(jujuExposed, inv)
    expect(result.findings).toEqual([])
    expect(result.notEvaluated[0]?.targets).toEqual([{kind: 'application', name: 'b', model: 'm', controller: 'prod'}])
  })
})

describe('JUJU-CHARM-SOURCE', () => {
  it('flags local charms and non-stable channels', () => {
    const inv = inventory({
      models: [
        model('m', {
          apps: [
            app('landscape-server', {charm: '../landscape-server_ubuntu@22.04-amd64.charm'}),
            app('rabbitmq-server', {channel: 'latest/edge'}),
            app('postgresql', {channel: '14/stable'}),
          ],
        }),
      ],
    })
    const fs = findings(jujuCharmSource, inv)
    expect(fs.map((f) => f.target.name)).toEqual(['landscape-server', 'rabbitmq-server'])
    expect(fs[0]?.message).toContain('local charm')
    // Switched to Charmhub's charm of that name only where there is one, on its default channel (its tracks are not known).
    expect(fs[0]?.remediation).toMatch(/^juju info landscape-server && juju refresh -m \S+ landscape-server --switch landscape-server {3}#/)
    expect(fs[0]?.remediation).not.toMatch(/--switch \S+ --channel/)
    // Without a channel the switch takes Charmhub's default track, which may not be the release this build is of.
    expect(fs[0]?.remediation).toContain("`juju info landscape-server` lists its tracks: add `--channel TRACK/stable` for the one this build follows, or the switch takes Charmhub's default")
    expect(fs[1]?.message).toContain('risk edge')
    expect(fs[1]?.severity).toBe('medium')
  })

  it("flags a charm of the retired Charm Store, channel or not, and switches it to Charmhub's on the Juju 2.9 controller", () => {
    const inv = inventory({models: [model('m', {apps: [app('aws-integrator', {charm: 'aws-integrator', charmOrigin: 'charmstore'}), app('ubuntu', {charm: 'ubuntu', charmOrigin: 'charmhub'})]})]})
    const fs = findings(jujuCharmSource, inv)
    expect(fs.map((f) => f.target.name)).toEqual(['aws-integrator'])
    expect(fs[0]?.message).toBe('aws-integrator: its charm comes from the retired Charm Store (cs:), not Charmhub.')
    expect(fs[0]?.remediation).toMatch(/^juju info aws-integrator && juju refresh -m prod:m aws-integrator --switch aws-integrator {3}# the Charm Store is retired and Juju 3 deploys none of its charms: run this on the Juju 2.9 controller/)
  })

  it('moves to the stable channel only after comparing revisions: stable may be a downgrade', () => {
    const inv = inventory({models: [model('m', {apps: [app('hydra', {channel: 'latest/edge', revision: 404}), app('kratos', {channel: '1/candidate'})]})]})
    const [hydra, kratos] = findings(jujuCharmSource, inv)
    // The latest track names no version, and its stable channel may be missing or years old: the track is the user's to pick.
    expect(hydra?.remediation).toBe(
      "juju refresh -m prod:m hydra --channel TRACK/stable   # hydra follows the latest track, which names no version: for TRACK take the track of the version it runs among those `juju info hydra` lists (latest only if the charm publishes its stable releases there: many publish them on version tracks only, and an OpenStack charm's latest/stable is its 21.10 release); " +
        "first compare revisions: `juju info hydra` lists TRACK/stable's (this one runs revision 404); a lower one is a downgrade, which a charm that migrates data or schemas may not survive: then wait for TRACK/stable to catch up",
    )
    // Without a revision in the input, the comparison is still asked for.
    expect(kratos?.remediation).toMatch(/^juju refresh -m prod:m kratos --channel 1\/stable {3}# first compare revisions: `juju info kratos` lists 1\/stable's; a lower one is a downgrade/)
  })

  it("on a Sunbeam model, moves the channel through Sunbeam's manifest: its refresh sets each charm to the manifest's channel", () => {
    // The jhack Sunbeam status: keystone-k8s and cinder-k8s on 2023.1/edge in model openstack.
    const m = model('openstack', {
      apps: [app('keystone', {charm: 'keystone-k8s', channel: '2023.1/edge'}), app('cinder', {charm: 'cinder-k8s', channel: '2023.1/edge', revision: 42}), app('mysql', {charm: 'mysql-k8s', channel: '8.0/candidate'})],
    })
    const [, cinder, mysql] = findings(jujuCharmSource, inventory({models: [m]}))
    // mysql-k8s is one of the infrastructure charms Sunbeam's refresh leaves out: refreshed with juju.
    expect(mysql?.remediation).toMatch(/^juju refresh -m prod:openstack mysql --channel 8\.0\/stable {3}# first compare revisions/)
    expect(cinder?.remediation).toBe(
      'sunbeam cluster refresh --manifest manifest.yaml   # this model is Sunbeam\'s: in a copy of its manifest (`sunbeam manifest show latest`), set software.charms.cinder-k8s.channel to 2023.1/stable, then apply it with this command (`sunbeam refresh` in older snaps); ' +
        "Sunbeam refreshes each charm to the channel its manifest gives (an edge or candidate deployment's manifest names every charm's), so its next refresh undoes one made by hand with juju; " +
        "first compare revisions: `juju info cinder-k8s` lists 2023.1/stable's (this one runs revision 42); a lower one is a downgrade, which a charm that migrates data or schemas may not survive: then wait for 2023.1/stable to catch up",
    )
  })

  it('reads channel risks', () => {
    expect(channelRisk('edge')).toBe('edge')
    expect(channelRisk('3/candidate/hotfix')).toBe('candidate')
    expect(channelRisk('14/stable')).toBe('stable')
    expect(channelRisk(undefined)).toBeUndefined()
  })
})

describe('JUJU-CHARM-OUTDATED', () => {
  it('flags can-upgrade-to as low', () => {
    const inv = inventory({models: [model('m', {apps: [app('pg', {canUpgradeTo: 'ch:postgresql-400', revision: 300})]})]})
    const [f] = findings(jujuCharmOutdated, inv)
    expect(f).toMatchObject({severity: 'low', target: {name: 'pg'}})
    expect(f?.message).toContain('ch:postgresql-400')
    expect(f?.remediation).toBe('juju refresh -m prod:m pg')
  })

  it('is quiet for current charms and not evaluated for models without status', () => {
    const inv = inventory({models: [model('m', {apps: [app('pg')]}), model('b', {apps: [app('x')], inputs: ['juju-bundle']})]})
    const result = run(jujuCharmOutdated, inv)
    expect(result.findings).toEqual([])
    expect(result.notEvaluated[0]?.targets).toEqual([{kind: 'model', name: 'b', model: 'b', controller: 'prod'}])
  })
})

describe('JUJU-BASE-NOT-LTS', () => {
  it('on a Juju 4 model, which has no set-application-base, says to use the charm\'s upgrade flow or a new application on an LTS base', () => {
    const m = {...model('m', {apps: [app('web', {charm: 'web', base: {name: 'ubuntu', channel: '23.10'}})]}), version: '4.0.15'}
    const [f] = findings(jujuBaseNotLts, inventory({models: [m]}))
    expect(f?.remediation).toMatch(/^juju info web {3}# this model runs Juju 4, which removed set-application-base and upgrade-machine/)
    expect(f?.remediation).toContain('`juju deploy -m prod:m web web-lts --base ubuntu@24.04`')
    expect(f?.remediation).not.toMatch(/^juju set-application-base/)
    // On Juju 3 the base still moves in place.
    const m3 = {...m, version: '3.6.9'}
    expect(findings(jujuBaseNotLts, inventory({models: [m3]}))[0]?.remediation).toMatch(/^juju set-application-base -m prod:m web ubuntu@24\.04/)
  })

  it('flags interim bases and series on machines and applications', () => {
    const m = model('m', {
      apps: [app('a', {base: {name: 'ubuntu', channel: '23.10/stable'}}), app('b', {series: 'jammy'}), app('c', {series: 'mantic'})],
      machines: [{id: '0', base: {name: 'ubuntu', channel: '22.04'}}, {id: '1', series: 'lunar'}],
    })
    const fs = findings(jujuBaseNotLts, inventory({models: [m]}))
    expect(fs.map((f) => `${f.target.kind}:${f.target.name}`)).toEqual(['machine:1', 'application:a', 'application:c'])
    expect(fs[1]?.message).toContain('ubuntu@23.10')
    expect(fs.every((f) => f.severity === 'low')).toBe(true)
    // The charm must support the new base: the fix says where to look, and that only new units take it
    // (set-application-base's CLI reference: run `juju refresh` before `juju add-unit`).
    expect(fs[1]?.remediation).toBe(
      "juju set-application-base -m prod:m a ubuntu@24.04   # an LTS base the charm supports (`juju info a` lists each channel's bases); it applies to new units only: first `juju refresh -m prod:m a` for that base's charm, as Juju's CLI reference says, then add units on new machines and remove the old ones",
    )
  })

  it('knows LTS releases', () => {
    expect(baseVerdict({name: 'ubuntu', channel: '24.04'}, undefined)).toEqual({lts: true})
    expect(baseVerdict({name: 'ubuntu@22.04', channel: ''}, undefined)).toEqual({lts: true})
    expect(baseVerdict({name: 'ubuntu', channel: '25.04'}, undefined)).toMatchObject({lts: false})
    expect(baseVerdict(undefined, 'focal')).toEqual({lts: true})
    expect(baseVerdict(undefined, 'kubernetes')).toBeUndefined()
  })
})

describe('JUJU-EXPOSE-EXTERNAL', () => {
  const withOption = (value: unknown) =>
    inventory({
      models: [
        model('db', {
          apps: [app('postgresql', {charm: 'postgresql-k8s', options: {'expose-external': value}, optionRefs: {'expose-external': ref('bundle.yaml', 'applications', 'postgresql', 'options', 'expose-external')}})],
          inputs: ['juju-bundle'],
        }),
      ],
    })

  it('flags loadbalancer and nodeport at the option, case-insensitively', () => {
    const [lb] = findings(jujuExposeExternal, withOption('loadbalancer'))
    expect(lb).toMatchObject({rule: 'JUJU-EXPOSE-EXTERNAL', severity: 'high', target: {kind: 'application', name: 'postgresql'}, evidence: {serviceType: 'LoadBalancer'}})
    expect(lb?.location?.file).toBe('bundle.yaml')
    expect(findings(jujuExposeExternal, withOption('NodePort'))[0]?.evidence).toMatchObject({serviceType: 'NodePort'})
  })

  it('passes false, absent and allowlisted applications', () => {
    expect(findings(jujuExposeExternal, withOption('false'))).toEqual([])
    expect(findings(jujuExposeExternal, withOption(false))).toEqual([])
    expect(findings(jujuExposeExternal, withOption('loadbalancer'), policy({exposure: {allow: {'db/postgresql': ['10.0.0.0/8']}}}))).toEqual([])
  })
})
