import {stripVTControlCharacters} from 'node:util'

import {describe, expect, it} from 'vitest'

import {renderRuleDetail} from '../../src/report/rule-detail.js'
import {closestRuleIds, findRule} from '../../src/rules/lookup.js'
import {JUJU_GUIDE_URL, RULES} from './fixtures.js'

describe('renderRuleDetail', () => {
  const trust = RULES.find((rule) => rule.id === 'JUJU-TRUST')!

  it('wraps prose to the width but never the guide address or the fix', () => {
    const long = {...trust, remediation: `juju trust APP --remove ${'--and-a-long-option '.repeat(5).trim()}`}
    const text = renderRuleDetail(long, {color: false, width: 40})
    const lines = text.split('\n')
    expect(lines).toContain(`  ${JUJU_GUIDE_URL}`)
    expect(lines).toContain(`  ${long.remediation}`)
    for (const line of lines) {
      // The heading line, and a single word longer than the line (a command's argument), overflow.
      if (line === `  ${JUJU_GUIDE_URL}` || line === `  ${long.remediation}` || line.startsWith('JUJU-TRUST') || !line.trim().includes(' ')) continue
      expect(line.length, line).toBeLessThanOrEqual(40)
    }
  })

  it('colours the severity only when asked', () => {
    const plain = renderRuleDetail(trust, {color: false})
    expect(plain).not.toContain('\u001b[')
    expect(stripVTControlCharacters(renderRuleDetail(trust, {color: true}))).toBe(plain)
  })

  it('says which inputs each need takes, one line per need', () => {
    const text = renderRuleDetail({...trust, needs: [['charm-metadata'], ['juju-status', 'juju-bundle']]}, {color: false})
    expect(text).toContain('\nReads\n  charm metadata (charmcraft.yaml or metadata.yaml)\n  `juju status --format=json` or a bundle (`juju export-bundle`; on Juju 4, which removed it, `hardenctl snapshot`)\n')
  })
})

describe('rule lookup', () => {
  it('finds a rule in any letter case', () => {
    expect(findRule(RULES, ' juju-trust ')?.id).toBe('JUJU-TRUST')
    expect(findRule(RULES, 'JUJU-TRUSTT')).toBeUndefined()
  })

  it('suggests ids a few edits away or containing the text, nearest first, and nothing far off', () => {
    expect(closestRuleIds(RULES, 'JUJU-TRUSTT')[0]).toBe('JUJU-TRUST')
    expect(closestRuleIds(RULES, 'trust')).toContain('JUJU-TRUST')
    expect(closestRuleIds(RULES, 'QQQQQQQQ')).toEqual([])
  })
})
