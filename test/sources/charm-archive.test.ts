/**
 * `.charm` archives are untrusted input: each hostile archive below is crafted with the test zip
 * writer and must be refused with one line naming the archive and the entry, without anything
 * being written to disk. An honest archive reads as one charm whose findings point inside it.
 */
import {existsSync} from 'node:fs'
import {mkdir, mkdtemp, readdir, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {InputError} from '../../src/errors.js'
import {type ArchiveLimits, DEFAULT_ARCHIVE_LIMITS, readCharmArchive} from '../../src/sources/charm/archive.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'
import {type ZipEntry, type ZipOptions, zip} from '../helpers/zip.js'

const METADATA = `name: demo
charm-user: root
containers:
  workload:
    resource: workload-image
    uid: 0
    gid: 0
resources:
  workload-image:
    type: oci-image
`
/** Line of `workload:` in METADATA: where JUJU-ROOT-CONTAINER points. */
const WORKLOAD_LINE = 4
const CONFIG = `options:
  log-level:
    type: string
    default: info
`

const temporary: string[] = []
afterAll(async () => {
  await Promise.all(temporary.map((dir) => rm(dir, {recursive: true, force: true})))
})

/**
 * Writes the archive to ROOT/in/NAME (a fresh ROOT), so an entry extracted next to it or one
 * level up (`../evil.yaml`) would show in ROOT/in or ROOT.
 */
async function writeArchive(content: ZipEntry[] | Buffer, name = 'x.charm', options: ZipOptions = {}): Promise<{root: string; dir: string; file: string}> {
  const root = await mkdtemp(join(tmpdir(), 'hardenctl-charm-archive-'))
  temporary.push(root)
  const dir = join(root, 'in')
  await mkdir(dir)
  const file = join(dir, name)
  await writeFile(file, Buffer.isBuffer(content) ? content : zip(content, options))
  return {root, dir, file}
}

/** Nothing beside the archive, nothing one level up, no `evil.yaml` in the working directory. */
async function expectNothingWritten({root, dir, file}: {root: string; dir: string; file: string}): Promise<void> {
  expect(await readdir(root)).toEqual(['in'])
  expect(await readdir(dir)).toEqual([file.slice(dir.length + 1)])
  expect(existsSync(join(process.cwd(), 'evil.yaml'))).toBe(false)
}

/** Reads the archive, which must be refused; checks the message is one line naming the archive (and the entry, when given). */
async function refused(content: ZipEntry[] | Buffer, options: {entry?: string; limits?: Partial<ArchiveLimits>; zip?: ZipOptions} = {}): Promise<string> {
  const where = await writeArchive(content, 'x.charm', options.zip)
  const limits = {...DEFAULT_ARCHIVE_LIMITS, ...options.limits}
  const error = await readCharmArchive(where.file, limits).then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(InputError)
  const {message, file} = error as InputError
  expect(file).toBe(where.file)
  expect(message.startsWith(`${where.file}: `), message).toBe(true)
  expect(message).not.toMatch(/[\r\n]/)
  if (options.entry !== undefined) expect(message).toContain(JSON.stringify(options.entry))
  await expectNothingWritten(where)
  return message.slice(where.file.length + 2)
}

describe('an honest .charm archive', () => {
  it('reads as one charm from metadata.yaml and config.yaml', async () => {
    const {file} = await writeArchive([
      {name: 'metadata.yaml', data: METADATA},
      {name: 'config.yaml', data: CONFIG, method: 'stored'},
      {name: 'src/charm.py', data: 'import ops\n'.repeat(50)},
      {name: 'venv/bin/python3', data: '/usr/bin/python3', mode: 0o100755, method: 'stored'},
    ])
    const {contributions, files} = await readCharmArchive(file)
    expect(files.map((parsed) => parsed.file)).toEqual([`${file}/metadata.yaml`, `${file}/config.yaml`])
    expect(contributions).toContainEqual({type: 'input', scope: {file}, input: 'charm-metadata'})
    const charms = contributions.flatMap((contribution) => (contribution.type === 'charm' ? [contribution.charm] : []))
    expect(charms).toHaveLength(1)
    const charm = charms[0]!
    expect(charm.name).toBe('demo')
    expect(charm.source).toBe(file)
    expect(charm.charmUser).toBe('root')
    expect(charm.containers).toEqual([
      {name: 'workload', resource: 'workload-image', uid: 0, gid: 0, ref: {file: `${file}/metadata.yaml`, document: 0, path: ['containers', 'workload']}},
    ])
    expect(charm.options?.['log-level']).toMatchObject({type: 'string', ref: {file: `${file}/config.yaml`, path: ['options', 'log-level']}})
  })
})

describe('a hostile .charm archive is refused', () => {
  it('an entry that climbs out with ..', async () => {
    expect(await refused([{name: 'metadata.yaml', data: METADATA}, {name: '../evil.yaml', data: 'pwned: true\n'}], {entry: '../evil.yaml'})).toBe(
      `entry "../evil.yaml" climbs out of the archive with '..'; refused`,
    )
    expect(await refused([{name: 'charm/../../evil.yaml', data: 'x'}], {entry: 'charm/../../evil.yaml'})).toMatch(/climbs out/)
  })

  it('an absolute entry name', async () => {
    expect(await refused([{name: '/etc/passwd', data: 'root::0:0::/root:/bin/sh\n'}], {entry: '/etc/passwd'})).toBe('entry "/etc/passwd" is an absolute path; refused')
    expect(await refused([{name: 'C:/Windows/evil.yaml', data: 'x'}], {entry: 'C:/Windows/evil.yaml'})).toMatch(/is an absolute path/)
  })

  it('an entry name with a backslash, not read as a / (so ..\\ cannot climb either)', async () => {
    expect(await refused([{name: 'metadata.yaml', data: METADATA}, {name: 'hooks\\install', data: 'x'}], {entry: 'hooks\\install'})).toBe(
      'entry "hooks\\\\install" has a backslash in its name; refused',
    )
    expect(await refused([{name: '..\\evil.yaml', data: 'x'}], {entry: '..\\evil.yaml'})).toMatch(/has a backslash/)
  })

  it('a symbolic link, even one named metadata.yaml', async () => {
    expect(await refused([{name: 'metadata.yaml', data: METADATA}, {name: 'lib/evil', data: '/etc/passwd', mode: 0o120777, method: 'stored'}], {entry: 'lib/evil'})).toBe(
      'entry "lib/evil" is a symbolic link; refused',
    )
    expect(await refused([{name: 'metadata.yaml', data: '/etc/passwd', mode: 0o120777}], {entry: 'metadata.yaml'})).toMatch(/symbolic link/)
  })

  it('an entry name with a newline still makes a one-line message', async () => {
    expect(await refused([{name: '/etc/x\nname: forged', data: 'x'}], {entry: '/etc/x\nname: forged'})).toMatch(/is an absolute path/)
  })

  it('more entries than the limit', async () => {
    const entries = Array.from({length: 6}, (_, i): ZipEntry => ({name: `f${i}.txt`, data: `${i}`}))
    expect(await refused([{name: 'metadata.yaml', data: METADATA}, ...entries], {limits: {maxEntries: 5}})).toBe('the archive has 7 entries; more than 5 is refused')
  })

  it('more entries than the default limit (20,000), refused before any is walked', async () => {
    const entries = Array.from({length: DEFAULT_ARCHIVE_LIMITS.maxEntries + 1}, (_, i): ZipEntry => ({name: `f/${i}`, data: '', method: 'stored'}))
    expect(await refused(entries)).toBe(`the archive has 20001 entries; more than 20000 is refused`)
  })

  it('more uncompressed bytes in all than the cap: a header that claims a huge size', async () => {
    const message = await refused(
      [
        {name: 'metadata.yaml', data: METADATA},
        {name: 'lib/huge.bin', data: 'tiny', headerSizes: {uncompressed: 0xfffffff0}},
      ],
      {entry: 'lib/huge.bin'},
    )
    expect(message).toBe(`entry "lib/huge.bin" (${0xfffffff0} bytes) brings the archive to more than ${DEFAULT_ARCHIVE_LIMITS.maxTotalBytes} bytes uncompressed; refused`)
    // Honest headers too: the sizes of all entries count, not each alone.
    const entries = Array.from({length: 3}, (_, i): ZipEntry => ({name: `part${i}`, data: Buffer.alloc(400, i + 1), method: 'stored'}))
    expect(await refused(entries, {entry: 'part2', limits: {maxTotalBytes: 1000}})).toMatch(/^entry "part2" \(400 bytes\) brings the archive to more than 1000 bytes/)
  })

  it('a zip bomb: 10 MB of zeros deflated, far above 200:1', async () => {
    const message = await refused([{name: 'metadata.yaml', data: METADATA}, {name: 'bomb.bin', data: Buffer.alloc(10 * 1024 * 1024)}], {entry: 'bomb.bin'})
    const ratio = Number(/compresses (\d+):1; more than 200:1 is refused$/.exec(message)?.[1])
    expect(ratio).toBeGreaterThan(200)
  })

  it('a metadata.yaml larger than maxFileBytes', async () => {
    const big = `${METADATA}${'# padding\n'.repeat(300)}`
    expect(await refused([{name: 'metadata.yaml', data: big}], {limits: {maxFileBytes: 1024}})).toBe(
      `metadata.yaml in the archive is ${big.length} bytes; more than 1024 is refused`,
    )
  })

  it('a metadata.yaml that inflates to more than its header says', async () => {
    const message = await refused([{name: 'metadata.yaml', data: `${METADATA}${'#'.repeat(2000)}\n`, headerSizes: {uncompressed: 100}}])
    expect(message).toMatch(/^cannot read metadata\.yaml in the archive: /)
  })

  it('an archive with neither metadata.yaml nor charmcraft.yaml at its top level', async () => {
    expect(await refused([{name: 'charm/metadata.yaml', data: METADATA}, {name: 'config.yaml', data: CONFIG}])).toBe(
      'not a charm archive: it holds neither metadata.yaml nor charmcraft.yaml at its top level',
    )
  })

  it('a stored entry whose header sizes disagree, named by its place in the central directory', async () => {
    expect(await refused([{name: 'metadata.yaml', data: METADATA}, {name: 'lib/x', data: 'tiny', method: 'stored', headerSizes: {uncompressed: 4096}}])).toBe(
      'not a valid .charm (zip) archive: entry 2 of 2: compressed/uncompressed size mismatch for stored file: 4 != 4096',
    )
  })

  it('two entries of the same name: Juju reads the first metadata.yaml, so a second could hide it', async () => {
    const harmless = 'name: demo\n'
    expect(await refused([{name: 'metadata.yaml', data: harmless}, {name: 'metadata.yaml', data: METADATA}], {entry: 'metadata.yaml'})).toBe(
      'entry "metadata.yaml" appears twice in the archive; refused (Juju reads the first copy, other tools the last)',
    )
    // Names that extract to the same file are the same entry.
    expect(await refused([{name: 'metadata.yaml', data: METADATA}, {name: './metadata.yaml', data: harmless}], {entry: './metadata.yaml'})).toMatch(/appears twice/)
    expect(await refused([{name: 'metadata.yaml', data: METADATA}, {name: 'src/a.py', data: 'x'}, {name: 'src//a.py', data: 'y'}], {entry: 'src//a.py'})).toMatch(/appears twice/)
  })

  it('an entry whose CRC-32 is not the one its header gives', async () => {
    expect(await refused([{name: 'metadata.yaml', data: METADATA, headerCrc: 0x12345678}], {entry: 'metadata.yaml'})).toBe(
      'entry "metadata.yaml" fails its CRC-32 check (damaged or altered); refused',
    )
    expect(await refused([{name: 'metadata.yaml', data: METADATA, method: 'stored', headerCrc: 0}], {entry: 'metadata.yaml'})).toMatch(/CRC-32/)
  })

  it('an end-of-central-directory record that counts fewer entries than there are (Go reads them all)', async () => {
    const entries: ZipEntry[] = [
      {name: 'metadata.yaml', data: 'name: demo\n'},
      {name: 'config.yaml', data: CONFIG},
      {name: 'charmcraft.yaml', data: 'type: charm\nname: demo\ncharm-user: root\n'},
    ]
    expect(await refused(entries, {zip: {declaredEntries: 2}})).toBe(
      'the end-of-central-directory record counts 2 entries but the central directory holds more; refused (Juju would read entries hardenctl did not)',
    )
    expect(await refused(entries, {zip: {declaredEntries: 1}})).toMatch(/counts 1 entries but/)
  })

  it('a file that is not a zip', async () => {
    expect(await refused(Buffer.from(METADATA))).toMatch(/^not a valid \.charm \(zip\) archive: /)
    // A zip cut short: the central directory is gone.
    const whole = zip([{name: 'metadata.yaml', data: METADATA}])
    expect(await refused(whole.subarray(0, whole.length - 30))).toMatch(/^not a valid \.charm \(zip\) archive: /)
  })
})

describe('hardenctl review x.charm', () => {
  it('points its findings inside the archive (x.charm/metadata.yaml:LINE)', async () => {
    const where = await writeArchive([
      {name: 'metadata.yaml', data: METADATA},
      {name: 'config.yaml', data: CONFIG},
    ])
    const {code, stdout, stderr} = await runCliInWorker(['review', where.file, '--format', 'json', '--fail-on', 'never'], {cwd: where.dir})
    expect(stderr).toBe('')
    expect(code).toBe(0)
    const report = JSON.parse(stdout) as {findings: {rule: string; location?: {file: string; line: number}}[]}
    const root = report.findings.find((finding) => finding.rule === 'JUJU-ROOT-CONTAINER')
    expect(root?.location).toMatchObject({file: `${where.file}/metadata.yaml`, line: WORKLOAD_LINE})
    const charmUser = report.findings.find((finding) => finding.rule === 'JUJU-CHARM-USER')
    expect(charmUser?.location).toMatchObject({file: `${where.file}/metadata.yaml`, line: 2})
    await expectNothingWritten(where)
  })

  it('exits 2 with one line on stderr naming the archive and the entry', async () => {
    const where = await writeArchive([
      {name: 'metadata.yaml', data: METADATA},
      {name: '../evil.yaml', data: 'pwned: true\n'},
    ])
    const {code, stdout, stderr} = await runCliInWorker(['review', where.file], {cwd: where.dir})
    expect(code).toBe(2)
    expect(stdout).toBe('')
    const lines = stderr.trimEnd().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(where.file)
    expect(lines[0]).toContain('"../evil.yaml"')
    await expectNothingWritten(where)
  })
})
