import {Flags} from '@oclif/core'

import {PROFILES, SEVERITIES} from '../findings/types.js'
import {REPORT_FORMATS} from '../report/index.js'

/** Flags shared by the commands that read an estate and print a report. */
export const reportFlags = {
  format: Flags.option({
    options: REPORT_FORMATS,
    default: 'table' as const,
    description: 'Report format: a table for people, JSON (the stable contract), SARIF 2.1.0 or JUnit XML for CI.',
    env: 'HARDENCTL_FORMAT',
  })(),
  output: Flags.string({
    char: 'o',
    description: 'Write the report to this file instead of stdout.',
    env: 'HARDENCTL_OUTPUT',
  }),
  policy: Flags.string({
    description: 'Policy file (allowlists, waivers). Default: ./hardenctl.yaml when it exists.',
    env: 'HARDENCTL_POLICY',
  }),
  profile: Flags.option({
    options: PROFILES,
    multiple: true,
    description: 'Run only these rule profiles (repeatable). Default: chosen from the charms present.',
  })(),
  'fail-on': Flags.option({
    options: [...SEVERITIES, 'never'] as const,
    description: 'Exit 1 when an unwaived finding is at or above this severity.',
    env: 'HARDENCTL_FAIL_ON',
  })(),
}
