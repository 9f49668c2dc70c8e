/**
 * `hardenctl review` refuses a bundle `juju deploy` refuses (juju/juju internal/charm/bundledata.go,
 * Verify), one line at the place and exit 2, so the gate never passes a bundle that cannot deploy:
 * placements that name no machine or application, more placements than units, a machine no
 * placement uses, a relation of an application to itself or given twice, machines in a Kubernetes
 * bundle. What Juju accepts (containers, application placement, `new`, an overlay's machines
 * replacing the bundle's) passes. `audit` reads such a bundle as it is: it describes a model.
 */
import {mkdtemp, readFile, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {beforeAll, describe, expect, it} from 'vitest'

import {REPO_ROOT} from '../helpers/cli.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'

const REAL_WORLD = join(REPO_ROOT, 'test/real-world')
const OPENSTACK_BASE = join(REAL_WORLD, 'bundles/openstack-charmers__openstack-bundles__stable__openstack-base__bundle.yaml')
const VIRT_OVERLAY = join(REAL_WORLD, 'overlays/openstack-charmers__openstack-bundles__stable__overlays__openstack-base-virt-overlay.yaml')

const MACHINE_APPS = (to: string, units = 2) => `series: jammy
machines:
  "0": {}
  "1": {}
applications:
  db:
    charm: postgresql
    channel: 14/stable
    num_units: ${units}
    to: ${to}
  app:
    charm: ubuntu
    num_units: 1
    to: ["lxd:db/0"]
relations:
  - ["app:juju-info", "db:juju-info"]
`

const REFUSED: {name: string; bundle: string; line: string}[] = [
  {name: 'a placement naming a machine the bundle does not define', bundle: MACHINE_APPS('["0", "lxd:3"]'), line: ':10:15 at applications.db.to[1]: placement "lxd:3" names machine 3, which the bundle\'s machines do not define; juju deploy refuses it'},
  {name: 'a placement naming an application the bundle does not have', bundle: MACHINE_APPS('["0", "1"]').replace('lxd:db/0', 'lxd:nowhere/0'), line: ':14:10 at applications.app.to[0]: placement "lxd:nowhere/0" names application "nowhere", which the bundle does not have; juju deploy refuses it'},
  {name: 'a placement naming a unit the application does not start', bundle: MACHINE_APPS('["0", "1"]').replace('lxd:db/0', 'lxd:db/2'), line: ':14:10 at applications.app.to[0]: placement "lxd:db/2" names unit 2 of db, which deploys 2 unit(s); juju deploy refuses it'},
  {name: 'more placements than units', bundle: MACHINE_APPS('["0", "1"]', 1), line: ':10:5 at applications.db.to: application "db" places 2 units (to:) but deploys 1 (num_units); juju deploy refuses more placements than units'},
  {name: 'a placement Juju cannot parse', bundle: MACHINE_APPS('["0", "zone=a"]'), line: ':10:15 at applications.db.to[1]: placement "zone=a" is not MACHINE, CONTAINER:MACHINE, APPLICATION[/UNIT], CONTAINER:APPLICATION[/UNIT] or new; juju deploy refuses it'},
  {name: 'a machine no placement uses', bundle: MACHINE_APPS('["0", "new"]'), line: ':4:3 at machines["1"]: machine "1" is not used by any application\'s to: placement; juju deploy refuses a bundle with an unused machine'},
  {name: 'a relation of an application to itself', bundle: `${MACHINE_APPS('["0", "1"]')}  - ["db:juju-info", "db:db"]\n`, line: ':17:5 at relations[1]: the relation relates application "db" to itself; juju deploy refuses it'},
  {name: 'a relation given twice, the other way round', bundle: `${MACHINE_APPS('["0", "1"]')}  - ["db:juju-info", "app:juju-info"]\n`, line: ':17:5 at relations[1]: the relation is defined more than once (also at FILE:16); juju deploy refuses it'},
  {name: 'machines in a Kubernetes bundle', bundle: 'bundle: kubernetes\nmachines:\n  "0": {}\napplications:\n  a:\n    charm: ubuntu-k8s\n    scale: 1\n', line: ':3:3 at machines["0"]: a Kubernetes bundle (bundle: kubernetes) has no machines; juju deploy refuses one that defines them'},
]

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hardenctl-review-deployable-'))
})

describe('review refuses what juju deploy refuses: one line at the place, exit 2', () => {
  it.each(REFUSED)('$name', async ({name, bundle, line}) => {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.yaml`)
    await writeFile(file, bundle)
    const result = await runCliInWorker(['review', file])
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe(`hardenctl: ${file}${line.replace('FILE', file)}\n`)
    expect(result.code).toBe(2)
  })

  it('passes what Juju deploys: machines, containers, application placement and new', async () => {
    const file = join(dir, 'placed.yaml')
    await writeFile(file, MACHINE_APPS('["0", "lxd:1"]').replace('num_units: 1\n    to: ["lxd:db/0"]', 'num_units: 2\n    to: ["lxd:db/1", "new"]'))
    const result = await runCliInWorker(['review', file, '--format', 'json'])
    expect(result.stderr).toBe('')
    expect(result.code).toBeLessThan(2)
  })

  it('audit reads the same bundle as a model: it describes what is deployed, not what will be', async () => {
    const file = join(dir, 'audited.yaml')
    await writeFile(file, MACHINE_APPS('["0", "new"]'))
    const result = await runCliInWorker(['audit', '--from', file, '--format', 'json'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
  })
})

describe("openstack-bundles' virt overlay, as upstream had it and as upstream fixed it", () => {
  it('the old one unplaces every application and leaves the bundle\'s machines unused: refused', async () => {
    const result = await runCliInWorker(['review', OPENSTACK_BASE, '--overlay', VIRT_OVERLAY])
    expect(result.stderr).toBe(`hardenctl: ${OPENSTACK_BASE}:2:3 at machines["0"]: machine "0" is not used by any application's to: placement; juju deploy refuses a bundle with an unused machine\n`)
    expect(result.code).toBe(2)
  })

  it("with upstream's fix (machines: {} replaces the bundle's machines, stable/overlays at 83c5ecdd): reviewed", async () => {
    const fixed = join(dir, 'virt-overlay-fixed.yaml')
    await writeFile(fixed, `machines: {}\n${await readFile(VIRT_OVERLAY, 'utf8')}`)
    const result = await runCliInWorker(['review', OPENSTACK_BASE, '--overlay', fixed, '--format', 'json'])
    expect(result.stderr).toBe('')
    expect(result.code).toBeLessThan(2)
    expect((JSON.parse(result.stdout) as {findings: unknown[]}).findings.length).toBeGreaterThan(0)
  })
})
