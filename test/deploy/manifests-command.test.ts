/**
 * `hardenctl manifests` input checks: a bad cron expression, image or namespace is one line and
 * exit 2, before anything is printed.
 */
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {validateImage, validateNamespace, validateSchedule} from '../../src/deploy/validate.js'
import {InputError} from '../../src/errors.js'
import {REPO_ROOT} from '../helpers/cli.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'
import {IMAGE, SCHEDULE} from './render.js'

function problem(check: () => unknown): string {
  try {
    check()
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return (error as InputError).message
  }
  throw new Error('expected an InputError')
}

describe('validateSchedule', () => {
  it.each(['*/30 * * * *', '0 3 * * 1-5', '5,35 */2 1-15/2 jan-jun mon,fri', '0 0 ? * SUN', '59 23 31 12 6', '  */5  *  *  *  *  ', '@hourly', '@daily'])(
    'accepts %j',
    (schedule) => {
      expect(() => validateSchedule(schedule)).not.toThrow()
    },
  )

  it('normalises the spacing', () => {
    expect(validateSchedule('  */5  *  *  *  *  ')).toBe('*/5 * * * *')
  })

  it.each([
    ['*/30 * * *', 'expected a cron expression of 5 fields'],
    ['*/30 * * * * *', 'got 6'],
    ['', 'got 0'],
    ['60 * * * *', 'minute field "60": "60" is not a value between 0 and 59'],
    ['* 24 * * *', 'hour field'],
    ['* * 0 * *', 'day of month field'],
    ['* * * 13 *', 'month field "13"'],
    ['* * * * 7', 'day of week field "7"'],
    ['*/0 * * * *', 'a step must be at least 1'],
    ['*/x * * * *', 'step "x" is not a number'],
    ['10-5 * * * *', 'range 10-5 goes backwards'],
    ['1,,2 * * * *', 'empty list item'],
    ['? * * * *', 'minute field "?"'],
    ['@every 5m', 'expected five cron fields or one of'],
    ['TZ=UTC 0 * * * *', 'time zone'],
  ])('refuses %j: %s', (schedule, expected) => {
    const message = problem(() => validateSchedule(schedule))
    expect(message).toContain(`--schedule ${JSON.stringify(schedule)}`)
    expect(message).toContain(expected)
    expect(message).not.toContain('\n')
  })
})

describe('validateImage', () => {
  it.each([IMAGE, 'hardenctl', 'localhost:5000/hardenctl', 'registry.example.com/team/hardenctl:v1.2.3-rc.1', `ghcr.io/hardenctl/hardenctl@sha256:${'a'.repeat(64)}`])('accepts %j', (image) => {
    expect(validateImage(image)).toBe(image)
  })

  it.each(['', '   ', 'Registry.example.com/Hardenctl', 'hardenctl:', 'a b', 'ghcr.io/hardenctl/hardenctl:0.1.0 --privileged', 'hardenctl@sha256:short'])('refuses %j', (image) => {
    const message = problem(() => validateImage(image))
    expect(message).toMatch(/^--image/)
    expect(message).not.toContain('\n')
  })
})

describe('validateNamespace', () => {
  it.each(['hardenctl-system', 'a', 'sec0'])('accepts %j', (namespace) => {
    expect(validateNamespace(namespace)).toBe(namespace)
  })

  it.each(['', 'Hardenctl', '-x', 'x-', 'a_b', 'a'.repeat(64)])('refuses %j', (namespace) => {
    expect(problem(() => validateNamespace(namespace))).toMatch(/^--namespace/)
  })
})

describe('hardenctl manifests with bad input', () => {
  it('a schedule that is not 5 cron fields: exit 2, one line, nothing printed', async () => {
    const result = await runCliInWorker(['manifests', '--image', IMAGE, '--schedule', '*/30 * * *'])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toContain('hardenctl: --schedule "*/30 * * *": expected a cron expression of 5 fields')
  })

  it('an out-of-range field: exit 2, one line naming it', async () => {
    const result = await runCliInWorker(['manifests', '--image', IMAGE, '--schedule', '*/30 25 * * *'])
    expect(result.code).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toContain('hour field "25"')
  })

  it('an empty image: exit 2, one line, nothing printed', async () => {
    const result = await runCliInWorker(['manifests', '--image', '', '--schedule', SCHEDULE])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toContain('--image')
  })

  it('a malformed image and a bad namespace: exit 2, one line each', async () => {
    for (const args of [
      ['--image', 'Not An/Image', '--schedule', SCHEDULE],
      ['--image', IMAGE, '--schedule', SCHEDULE, '--namespace', 'Bad_NS'],
    ]) {
      const result = await runCliInWorker(['manifests', ...args])
      expect(result.code).toBe(2)
      expect(result.stdout).toBe('')
      expect(result.stderr.trim().split('\n')).toHaveLength(1)
    }
  })

  it('missing --image is a usage error: exit 2, one line', async () => {
    const result = await runCliInWorker(['manifests', '--schedule', SCHEDULE])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe('hardenctl: Missing required flag image (see hardenctl manifests --help)\n')
  })
})

describe('hardenctl manifests --help and defaults', () => {
  it('shows --image as required and --schedule with its default', async () => {
    const help = await runCliInWorker(['manifests', '--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/\$ hardenctl manifests --image <value> \[--schedule <value>\]/)
    expect(help.stdout).toMatch(/--image=<value> +\(required\)/)
    expect(help.stdout).toMatch(/--schedule=<value> +\[default: \*\/30 \* \* \* \*\]/)
  })

  it('without --schedule, keeps the shipped CronJob\'s schedule (manifests/base/cronjob.yaml)', async () => {
    const shipped = parse(await readFile(join(REPO_ROOT, 'manifests/base/cronjob.yaml'), 'utf8')) as {spec: {schedule: string}}
    const result = await runCliInWorker(['manifests', '--image', IMAGE])
    expect(result.code).toBe(0)
    expect(result.stdout.split('\n')[0]).toContain(`--schedule '${shipped.spec.schedule}'`)
    expect(result.stdout).toContain(`  schedule: ${JSON.stringify(shipped.spec.schedule)}\n`)
  })
})
