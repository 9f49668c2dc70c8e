/**
 * oclif's parse errors span several lines; the user gets the reasons on one line, with the
 * command's help to read next, and exit 2.
 */
import {describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'

const LIVEPATCH = 'examples/livepatch-k8s'

describe('usage errors say what is wrong, in one line', () => {
  it.each([
    [['audit', '--from', LIVEPATCH, '-n', 'ns'], 'hardenctl: --namespace=ns cannot also be provided when using --from (see hardenctl audit --help)'],
    [['snapshot'], 'hardenctl: Missing required flag out (see hardenctl snapshot --help)'],
    // -o is a file everywhere; a directory is only ever --out.
    ...['-o', '--output', '--output=estate'].map((flag): [string[], string] => [
      ['snapshot', flag, ...(flag.includes('=') ? [] : ['estate'])],
      'hardenctl: snapshot writes a directory: give it with --out DIR (in every other command, -o/--output names the file the output goes to)',
    ]),
    [['audit', '--from', LIVEPATCH, '--frobnicate'], 'hardenctl: Nonexistent flag: --frobnicate (see hardenctl audit --help)'],
    [['audit', '--from', LIVEPATCH, '--fail-on', 'severe'], 'hardenctl: Expected --fail-on=severe to be one of: critical, high, medium, low, info, never (see hardenctl audit --help)'],
    [
      ['netpol', 'explain', 'A', 'B'],
      'hardenctl: Missing 1 required arg: port (5432, 5432/TCP, 53/UDP or a port name of TO); --from, --controller, --model, --namespace take several values, so give the arguments before them (or end the flags with --) (see hardenctl netpol explain --help)',
    ],
  ])('%j', async (args, line) => {
    const result = await runCli(args)
    expect(result.code).toBe(2)
    expect(result.stderr.trim().split('\n')).toEqual([line])
  })
})

describe('commands that do not exist, and the version', () => {
  it.each([
    [['audt', '--from', LIVEPATCH], 'hardenctl: "audt" is not a hardenctl command; did you mean audit? (hardenctl --help lists the commands)'],
    [['netpol', 'explan', 'a', 'b', '80'], 'hardenctl: "netpol explan" is not a hardenctl command; did you mean netpol explain? (hardenctl --help lists the commands)'],
    [['frobnicate'], 'hardenctl: "frobnicate" is not a hardenctl command (hardenctl --help lists the commands)'],
  ])('an unknown command %j is one hardenctl: line with the closest commands, exit 127', async (args, line) => {
    const result = await runCli(args)
    expect(result.code).toBe(127)
    expect(result.stderr).toBe(`${line}\n`)
    expect(result.stdout).toBe('')
  })

  it.each([['-v'], ['--version'], ['version']])('%s prints the version', async (flag) => {
    const result = await runCli([flag])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^hardenctl\/\d+\.\d+\.\d+ /)
  })
})

