/**
 * Hostile and careless input (issue 14), as a table: each case runs the built CLI the way a user
 * would and checks the exit code, that stderr is exactly one line naming what was refused, and
 * that no stack trace or engine message leaks. Cases of valid input check that it is accepted.
 * Time and memory bounds are in the bench (test/bench/large-input-bench.ts), not here.
 */
import {execFileSync} from 'node:child_process'
import {copyFile, mkdir, mkdtemp, rm, symlink, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {zip} from '../helpers/zip.js'

const STATUS = 'test/fixtures/juju/status-k8s-3.4.json'
const METADATA = 'name: demo\ncharm-user: root\ncontainers:\n  workload:\n    resource: image\n    uid: 0\nresources:\n  image:\n    type: oci-image\n'
const HARMLESS_METADATA = 'name: demo\ncharm-user: non-root\n'
const BUNDLE = 'bundle: kubernetes\napplications:\n  db:\n    charm: postgresql-k8s\n    channel: 14/stable\n  web:\n    charm: my-web-k8s\nrelations:\n- [db:database, web:db]\n'

let dir: string
const at = (name: string): string => join(dir, name)

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hardenctl-bad-input-'))
  // .charm archives
  await writeFile(at('duplicate.charm'), zip([{name: 'metadata.yaml', data: HARMLESS_METADATA}, {name: 'metadata.yaml', data: METADATA}]))
  await writeFile(at('bad-crc.charm'), zip([{name: 'metadata.yaml', data: METADATA, headerCrc: 0xdeadbeef}]))
  await writeFile(at('short-count.charm'), zip([{name: 'metadata.yaml', data: HARMLESS_METADATA}, {name: 'charmcraft.yaml', data: 'type: charm\ncharm-user: root\n'}], {declaredEntries: 1}))
  // Directories that hold nothing hardenctl reads
  await mkdir(at('empty'))
  await mkdir(at('hidden'))
  await writeFile(at('hidden/.status.json'), '{}')
  await mkdir(at('loop'))
  await symlink('b.json', at('loop/a.json'))
  await symlink('a.json', at('loop/b.json'))
  await mkdir(at('fifo-dir'))
  execFileSync('mkfifo', [at('fifo-dir/status.json')])
  execFileSync('mkfifo', [at('pipe.json')])
  await mkdir(at('text-dumps'))
  await writeFile(at('text-dumps/status.txt'), 'Model  Controller  Cloud/Region  Version\ncos    prod        k8s           3.4.0\n')
  await writeFile(at('text-dumps/pods.txt'), 'NAME        READY   STATUS    RESTARTS   AGE\ngrafana-0   2/2     Running   0          5d\n')
  // A symlinked status.json in a directory is read, not skipped
  await mkdir(at('linked'))
  await symlink(join(process.cwd(), STATUS), at('linked/status.json'))
  // Encodings and bytes
  const status = (await import('node:fs')).readFileSync(STATUS, 'utf8')
  await writeFile(at('bom.json'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(status)]))
  await writeFile(at('utf16.json'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(status, 'utf16le')]))
  await writeFile(at('nul.yaml'), 'applications:\n  a:\n    charm: x\u0000\n')
  await writeFile(at('big.json'), status)
  // What Juju refuses
  await writeFile(at('duplicate-key.yaml'), 'bundle: kubernetes\napplications:\n  db:\n    charm: postgresql-k8s\n    trust: false\n    trust: true\n')
  await writeFile(at('duplicate-key.json'), '{"applications": {"db": {"charm": "postgresql-k8s", "trust": false, "trust": true}}}')
  await writeFile(at('unknown-relation.yaml'), 'relations:\n- [db:certificates, tls:certificates]\n')
  await writeFile(at('bad-machines.yaml'), `${BUNDLE.replace('bundle: kubernetes\n', '')}machines:\n  web-0:\n    constraints: mem=4G\n`)
  await writeFile(at('bundle.yaml'), BUNDLE)
  await writeFile(at('delete-unknown.yaml'), 'applications:\n  ghost:\n')
  await writeFile(at('items-null.json'), '{"apiVersion": "v1", "kind": "List", "items": null}')
  await writeFile(at('items-missing.json'), '{"apiVersion": "v1", "kind": "List", "metadata": {}}')
  // Valid YAML that must pass: 120 merge keys; and what must fail in one line: 10,000 levels
  const apps = Array.from({length: 120}, (_, i) => `  app${i}:\n    <<: *common\n    charm: postgresql-k8s\n    channel: 14/stable\n`).join('')
  await writeFile(at('merge-keys.yaml'), `common: &common\n  constraints: arch=amd64\n  trust: false\nbundle: kubernetes\napplications:\n${apps}`)
  await writeFile(at('deep.yaml'), `a: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`)
  await copyFile(STATUS, at('status.json'))
})

afterAll(async () => {
  await rm(dir, {recursive: true, force: true})
})

interface Case {
  name: string
  args: () => string[]
  env?: Record<string, string>
  /** Refused: exit 2, one line matching this, naming `names` (a path under the case directory). */
  refused?: RegExp
  names?: string
  /** Accepted: this exit code, and stderr empty. */
  accepted?: number
}

const CASES: Case[] = [
  // .charm archives
  {name: 'a .charm with two metadata.yaml entries', args: () => ['review', at('duplicate.charm')], refused: /entry "metadata\.yaml" appears twice in the archive; refused/, names: 'duplicate.charm'},
  {name: 'a .charm entry with a wrong CRC-32', args: () => ['review', at('bad-crc.charm')], refused: /fails its CRC-32 check/, names: 'bad-crc.charm'},
  {name: 'a .charm whose end record counts fewer entries than it has', args: () => ['review', at('short-count.charm')], refused: /counts 1 entries but the central directory holds more/, names: 'short-count.charm'},
  // Reading nothing is not a clean result
  {name: 'an empty directory', args: () => ['audit', '--from', at('empty')], refused: /nothing recognised in .*empty: the directory is empty/, names: 'empty'},
  {name: 'a directory of hidden files', args: () => ['audit', '--from', at('hidden')], refused: /nothing recognised in .*hidden: skipped \.status\.json \(hidden\)/, names: 'hidden'},
  {name: 'a directory with a symbolic link loop', args: () => ['audit', '--from', at('loop')], refused: /nothing recognised in .*loop: skipped a\.json \(a symbolic link loop\), b\.json \(a symbolic link loop\)/, names: 'loop'},
  {name: 'a directory with a FIFO', args: () => ['audit', '--from', at('fifo-dir')], refused: /skipped status\.json \(a named pipe \(FIFO\); only regular files are read\)/, names: 'fifo-dir'},
  {name: 'reconcile of an empty directory', args: () => ['reconcile', '--dry-run', '--from', at('empty')], refused: /nothing recognised in .*empty/, names: 'empty'},
  {name: 'review of `juju status` and `kubectl get pods` text dumps', args: () => ['review', at('text-dumps')], refused: /nothing recognised in .*text-dumps: skipped pods\.txt \(not a \.json or \.yaml file\), status\.txt/, names: 'text-dumps'},
  // Only regular files, sizes first
  {name: 'a FIFO given to --from', args: () => ['audit', '--from', at('pipe.json')], refused: /is a named pipe \(FIFO\); only regular files are read$/, names: 'pipe.json'},
  {name: '/dev/zero', args: () => ['audit', '--from', '/dev/zero'], refused: /^hardenctl: \/dev\/zero: is a character device; only regular files are read$/},
  {name: '/dev/urandom', args: () => ['review', '/dev/urandom'], refused: /^hardenctl: \/dev\/urandom: is a character device; only regular files are read$/},
  {name: 'a file over the input limit', args: () => ['audit', '--from', at('big.json')], env: {HARDENCTL_MAX_INPUT_BYTES: '1K'}, refused: /is \d+(\.\d)? KiB; inputs over 1 KiB are refused \(raise the limit with HARDENCTL_MAX_INPUT_BYTES\)$/, names: 'big.json'},
  {name: 'a malformed input limit', args: () => ['audit', '--from', at('status.json')], env: {HARDENCTL_MAX_INPUT_BYTES: 'lots'}, refused: /^hardenctl: HARDENCTL_MAX_INPUT_BYTES="lots": expected a positive size/},
  {name: 'a missing file', args: () => ['audit', '--from', at('nope.json')], refused: /cannot read \(ENOENT: no such file or directory\)$/, names: 'nope.json'},
  // Encodings
  {name: 'UTF-16 input', args: () => ['audit', '--from', at('utf16.json')], refused: /is UTF-16 text; hardenctl reads UTF-8/, names: 'utf16.json'},
  {name: 'a NUL byte', args: () => ['review', at('nul.yaml')], refused: /nul\.yaml:3:13: holds a NUL byte/, names: 'nul.yaml'},
  {name: '10,000 nested levels of YAML', args: () => ['review', at('deep.yaml')], refused: /nested too deeply to read/, names: 'deep.yaml'},
  // What Juju refuses
  {name: 'a duplicate key in YAML', args: () => ['review', at('duplicate-key.yaml')], refused: /duplicate-key\.yaml:6:5: the key "trust" appears twice in one map/, names: 'duplicate-key.yaml'},
  {name: 'a duplicate key in JSON', args: () => ['audit', '--from', at('duplicate-key.json')], refused: /duplicate-key\.json:1:\d+: the key "trust" appears twice in one map/, names: 'duplicate-key.json'},
  {name: 'a bundle relation naming an unknown application', args: () => ['review', at('bundle.yaml'), '--overlay', at('unknown-relation.yaml')], refused: /unknown-relation\.yaml:2:3 at relations\[0\]: the relation names application "tls", which the bundle does not have/, names: 'unknown-relation.yaml'},
  {name: 'a bundle with malformed machines', args: () => ['review', at('bad-machines.yaml')], refused: /at machines\.web-0: machine id "web-0" is not a whole number/, names: 'bad-machines.yaml'},
  {name: 'an overlay removing an unknown application', args: () => ['review', at('bundle.yaml'), '--overlay', at('delete-unknown.yaml')], refused: /delete-unknown\.yaml:2:3 at applications\.ghost: the overlay removes application "ghost"/, names: 'delete-unknown.yaml'},
  {name: 'a kubectl List with items null', args: () => ['audit', '--from', at('items-null.json')], refused: /at items: a List without items \(null\) does not show that there are none/, names: 'items-null.json'},
  {name: 'a kubectl List without items', args: () => ['audit', '--from', at('items-missing.json')], refused: /at items: a List without items \(missing\)/, names: 'items-missing.json'},
  // Usage
  {name: '-o into a missing directory', args: () => ['audit', '--from', at('status.json'), '-o', at('no/such/report.json')], refused: /-o\/--output: the directory .* does not exist$/, names: 'no/such/report.json'},
  {name: '-o at a directory', args: () => ['audit', '--from', at('status.json'), '-o', at('empty')], refused: /-o\/--output is a directory; expected a file to write to$/, names: 'empty'},
  {name: 'rules -o into a missing directory', args: () => ['rules', '-o', at('no/such/rules.txt')], refused: /-o\/--output: the directory .* does not exist$/, names: 'no/such/rules.txt'},
  {name: 'netpol matrix -o at a directory', args: () => ['netpol', 'matrix', '--from', at('status.json'), '-o', at('empty')], refused: /-o\/--output is a directory/, names: 'empty'},
  {name: 'manifests -o at a directory', args: () => ['manifests', '--image', 'registry.example/hardenctl:1', '-o', at('empty')], refused: /-o\/--output is a directory/, names: 'empty'},
  {name: 'reconcile -o at a directory', args: () => ['reconcile', '--dry-run', '--from', at('status.json'), '-o', at('empty')], refused: /-o\/--output is a directory/, names: 'empty'},
  {name: '--max-changes -5', args: () => ['reconcile', '--dry-run', '--from', at('status.json'), '--max-changes', '-5'], refused: /^hardenctl: --max-changes: expected a whole number of changes, 0 or more \(got "-5"\)/},
  // Valid input accepted
  {name: 'JSON with a UTF-8 byte-order mark', args: () => ['audit', '--from', at('bom.json'), '--fail-on', 'never'], accepted: 0},
  {name: 'a bundle with 120 merge keys', args: () => ['review', at('merge-keys.yaml'), '--fail-on', 'never'], accepted: 0},
  {name: 'a symlinked status.json in a directory', args: () => ['audit', '--from', at('linked'), '--fail-on', 'never'], accepted: 0},
]

// Each case spawns the CLI (about a second): run them side by side.
describe.concurrent('hostile and careless input: one line, the right exit code, no stack trace', () => {
  for (const testCase of CASES) {
    it(testCase.name, async () => {
      const {code, stdout, stderr} = await runCli(testCase.args(), {env: testCase.env ?? {}})
      expect(stderr).not.toMatch(/\n\s+at |Error:|Maximum call stack|internal error/)
      if (testCase.accepted !== undefined) {
        expect(stderr).toBe('')
        expect(code).toBe(testCase.accepted)
        expect(stdout).not.toBe('')
        return
      }
      expect(code, stderr).toBe(2)
      expect(stdout).toBe('')
      const lines = stderr.split('\n').filter((line) => line !== '')
      expect(lines, stderr).toHaveLength(1)
      expect(lines[0]).toMatch(/^hardenctl: /)
      expect(lines[0]).toMatch(testCase.refused!)
      if (testCase.names !== undefined) expect(lines[0]).toContain(at(testCase.names))
    })
  }

  // Root reads every file whatever its mode: the case can only be seen as another user.
  it.skipIf(process.getuid?.() === 0)('an unreadable directory and file (EACCES) name themselves, exit 2', async () => {
    const locked = at('locked')
    await mkdir(locked, {mode: 0o000})
    const file = at('locked.json')
    await writeFile(file, '{}', {mode: 0o000})
    for (const target of [locked, file]) {
      const {code, stderr} = await runCli(['audit', '--from', target])
      expect(code).toBe(2)
      expect(stderr.trim()).toBe(`hardenctl: ${target}: cannot read${target === locked ? ' directory' : ''} (EACCES: permission denied)`)
    }
  })
})

describe('the symlinked status.json is read as status', () => {
  it('its findings name it', async () => {
    const {stdout} = await runCli(['audit', '--from', at('linked'), '--format', 'json', '--fail-on', 'never'])
    const report = JSON.parse(stdout) as {findings: {location?: {file: string}}[]}
    expect(report.findings.some((finding) => finding.location?.file === at('linked/status.json'))).toBe(true)
  })
})
