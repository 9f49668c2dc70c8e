import {stripVTControlCharacters} from 'node:util'

import {describe, expect, it} from 'vitest'

import {renderTable} from '../../src/report/table.js'
import {ALL_FINDINGS, JUJU_GUIDE_URL, emptyReport, fullReport, loadBalancer, notEvaluatedOffers, trustIngress, trustPostgres, waivedIngress} from './fixtures.js'

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/

describe('renderTable', () => {
  const text = renderTable(fullReport(), {color: false})
  const lines = text.split('\n')

  it('groups findings by model, then by namespace for targets outside a model', () => {
    expect(lines[0]).toBe('Model prod:livepatch')
    const order = ['Model prod:livepatch', 'Namespace cos', 'Waived (1)', 'Not evaluated', 'Expired waivers (1)', '6 findings:']
    const positions = order.map((heading) => text.indexOf(heading))
    expect(positions.every((position) => position >= 0)).toBe(true)
    expect([...positions].sort((a, b) => a - b)).toEqual(positions)
    // The LoadBalancer Service has no model: it sits under its namespace.
    const service = text.indexOf('Service/traefik')
    expect(service).toBeGreaterThan(text.indexOf('Namespace cos'))
    expect(service).toBeLessThan(text.indexOf('Waived (1)'))
  })

  it('prints severity, rule, target and message, then location, guide and fix', () => {
    expect(lines).toContain(
      '  HIGH      JUJU-TRUST             application/postgresql-k8s     postgresql-k8s is deployed with trust: true, which gives it the Kubernetes API',
    )
    const row = lines.findIndex((line) => line.includes('application/postgresql-k8s     postgresql-k8s is deployed'))
    expect(lines[row + 1]).toBe('            examples/livepatch-k8s/juju/bundle/bundle.yaml:18 · guide: Harden your Juju deployment § Harden the applications')
    // The critical ServiceAccount finding just above has the same fix: printed once, for both.
    expect(lines[row + 2]).toBe('            fix for the 2 above: juju trust postgresql-k8s --remove -m prod:livepatch')
    expect(text.split('juju trust postgresql-k8s --remove').length).toBe(2)
    expect(lines).toContain('  CRITICAL  K8S-SA-OVERPRIVILEGED  ServiceAccount/postgresql-k8s  ServiceAccount postgresql-k8s is bound to ClusterRole livepatch-postgresql-k8s with */*/* rules')
    expect(lines).toContain('  HIGH      K8S-LOADBALANCER       Service/traefik                Service traefik is of type LoadBalancer (external IP 203.0.113.7)')
    // Without a location, the detail line is the guide alone.
    expect(text).toContain('LoadBalancer (external IP 203.0.113.7)\n            guide: Harden your Juju deployment § Harden the applications\n')
  })

  it('lists each cited guide\'s title and public address once, after the findings', () => {
    const guides = lines.indexOf('Guides')
    expect(guides).toBeGreaterThan(lines.findIndex((line) => line.startsWith('Waived')))
    expect(lines[guides + 1]).toBe(`  Harden your Juju deployment: ${JUJU_GUIDE_URL}`)
    expect(text.split(JUJU_GUIDE_URL).length).toBe(2)
    expect(text).not.toMatch(/00\d_[0-9a-f]{16}\.txt/)
  })

  it('heads a charm reviewed on its own by its name and where it was read from, not "Outside any model"', () => {
    const rootContainer = {...loadBalancer, rule: 'JUJU-ROOT-CONTAINER', target: {kind: 'charm', name: 'postgresql-k8s'}, location: {file: 'charms/postgresql-k8s/metadata.yaml', line: 27}}
    const fromArchive = {...rootContainer, target: {kind: 'charm', name: 'traefik-k8s'}, location: {file: 'dist/traefik-k8s.charm/metadata.yaml', line: 4}}
    const table = renderTable(fullReport({findings: [rootContainer, fromArchive], notEvaluated: [], expiredWaivers: []}), {color: false})
    expect(table.split('\n')).toEqual(expect.arrayContaining(['Charm postgresql-k8s (charms/postgresql-k8s)', 'Charm traefik-k8s (dist/traefik-k8s.charm)']))
    expect(table).not.toContain('Outside any model or namespace')
  })

  it('lists findings worst first within a group', () => {
    const model = text.slice(0, text.indexOf('Namespace cos'))
    const rules = ['K8S-SA-OVERPRIVILEGED', 'JUJU-TRUST ', 'JUJU-CHARM-SOURCE', 'JUJU-CHARM-OUTDATED'].map((rule) => model.indexOf(rule))
    expect([...rules].sort((a, b) => a - b)).toEqual(rules)
  })

  it('shows waived findings apart, with who waived them and why', () => {
    expect(text.indexOf('Ingress/grafana')).toBeGreaterThan(text.indexOf('Waived (1)'))
    expect(text).toContain('            waived by annotation (Ingress cos/grafana): TLS is terminated at the edge proxy\n')
    const policyWaived = {...waivedIngress, waived: {by: 'policy' as const, reason: 'accepted risk', expires: '2026-12-31', source: 'hardenctl.yaml'}}
    expect(renderTable(fullReport({findings: [policyWaived]}), {color: false})).toContain(
      'waived by policy (hardenctl.yaml): accepted risk · expires 2026-12-31',
    )
  })

  it('lists rules not evaluated, what they need and for which targets', () => {
    expect(text).toContain('Not evaluated\n  ACCESS-OFFER (all targets): No `juju offers --format=json` output was given.\n')
    expect(text).toContain(
      '  JUJU-ROOT-CONTAINER (prod:livepatch/livepatch, prod:livepatch/postgresql-k8s): Neither the charm metadata nor the pods of these applications were given.\n',
    )
    expect(renderTable(fullReport({notEvaluated: [{...notEvaluatedOffers, message: ''}]}), {color: false})).toContain(
      '  ACCESS-OFFER (all targets): not evaluated: needs juju-offers\n',
    )
    const many = {...notEvaluatedOffers, targets: ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((name) => ({kind: 'Service', namespace: 'cos', name}))}
    expect(renderTable(fullReport({notEvaluated: [many]}), {color: false})).toContain(
      '(cos/Service/a, cos/Service/b, cos/Service/c, cos/Service/d, cos/Service/e and 2 more)',
    )
  })

  it('lists expired waivers', () => {
    expect(text).toContain(
      'Expired waivers (1)\n  JUJU-EXPOSED on prod:livepatch/haproxy: expired 2026-01-31 (hardenctl.yaml)\n    Temporary exposure during the migration\n',
    )
  })

  it('ends with a summary line', () => {
    expect(text.endsWith('\n6 findings: 1 critical, 3 high, 1 medium, 1 low · 1 waived · 2 rules not evaluated · 1 expired waiver · failed (high or worse)\n')).toBe(true)
    expect(renderTable(fullReport({failOn: 'critical', findings: []}), {color: false})).toContain(
      '0 findings · 2 rules not evaluated · 1 expired waiver · passed (nothing critical or worse)\n',
    )
    expect(renderTable(fullReport({failOn: undefined, notEvaluated: [notEvaluatedOffers], expiredWaivers: []}), {color: false})).toMatch(
      / · 1 rule not evaluated\n$/,
    )
  })

  it('says "No findings." when there are none', () => {
    expect(renderTable(emptyReport(), {color: false})).toBe('No findings.\n')
    const onlyWaived = renderTable(fullReport({findings: [waivedIngress], notEvaluated: [], expiredWaivers: [], failOn: undefined}), {color: false})
    expect(onlyWaived.startsWith('No findings.\n\nWaived (1)\n')).toBe(true)
    expect(onlyWaived.endsWith('\n0 findings · 1 waived\n')).toBe(true)
  })

  it('has no escape codes without colour, and colours the same text with it', () => {
    expect(text).not.toMatch(ANSI)
    expect(renderTable(emptyReport(), {color: false})).not.toMatch(ANSI)
    const colored = renderTable(fullReport(), {color: true})
    expect(colored).toMatch(ANSI)
    // Critical is the most alarming (bold red), high next (red).
    expect(colored).toContain('\u001b[1m\u001b[31mCRITICAL\u001b[39m\u001b[22m')
    expect(colored).toContain('  \u001b[31mHIGH    \u001b[39m  ')
    expect(stripVTControlCharacters(colored)).toBe(text)
  })

  it('wraps to the width it is given', () => {
    for (const width of [120, 100, 80, 60]) {
      const wrapped = renderTable(fullReport(), {color: false, width})
      // The summary line does not wrap; nor do fixes, guide addresses, nor the fixed columns of a row, wider than 60 here.
      const wrappable = wrapped
        .split('\n')
        .slice(0, -2)
        .filter(
          (line) =>
            !/^ +fix( for the \d+ above)?: /.test(line) && !/^ +\S+:\d+ ·$/.test(line) && !/^ +https:\/\/\S+$/.test(line) && (width > 60 || !/^ {2}[A-Z]+ /.test(line)),
        )
      for (const line of wrappable) expect(line.length, line).toBeLessThanOrEqual(width)
      // Wrapping moves words, never drops them.
      expect(wrapped.replace(/\s+/g, ' ')).toContain('fix: Limit sources with a NetworkPolicy, or add cos/Service/traefik to the policy allowlist')
      // An address too long for the line goes under its guide's title, whole.
      expect(wrapped.split('\n')).toContain(`  ${JUJU_GUIDE_URL}`)
    }
    // Narrow: the message moves under the row.
    expect(renderTable(fullReport(), {color: false, width: 80})).toContain(
      '  HIGH      JUJU-TRUST             application/postgresql-k8s\n            postgresql-k8s is deployed with trust: true, which gives it the\n',
    )
  })
  it('never breaks a fix or a path:line across lines, however narrow: they overflow instead', () => {
    const longFix = {...trustIngress, remediation: `juju trust ingress --remove -m prod:livepatch   # ${'or keep trust and audit the charm; '.repeat(4).trim()}`}
    const deepFile = {...loadBalancer, location: {file: 'examples/livepatch-k8s/juju/microk8s-prod/models/livepatch/bundle.yaml', line: 10}}
    const narrow = renderTable(fullReport({findings: [longFix, deepFile], notEvaluated: [], expiredWaivers: []}), {color: false, width: 40})
    const lines = narrow.split('\n')
    expect(lines).toContain(`        fix: ${longFix.remediation}`)
    expect(lines).toContain('        examples/livepatch-k8s/juju/microk8s-prod/models/livepatch/bundle.yaml:10 ·')
    expect(lines[lines.indexOf('        examples/livepatch-k8s/juju/microk8s-prod/models/livepatch/bundle.yaml:10 ·') + 1]).toBe(
      '        guide: Harden your Juju deployment §',
    )
  })

  it('prints a fix shared by several findings once, under the last of them, and moves them together', () => {
    const deny = {...loadBalancer, rule: 'NET-UNRESTRICTED-POD', severity: 'medium' as const, remediation: 'kubectl apply -f deny.yaml'}
    const pods = ['a', 'b', 'c'].map((name) => ({...deny, target: {kind: 'StatefulSet', namespace: 'cos', name}, message: `StatefulSet cos/${name}: no policy`}))
    const namespaceRule = {...deny, rule: 'NET-NO-DEFAULT-DENY', severity: 'high' as const, target: {kind: 'namespace', namespace: 'cos', name: 'cos'}, message: 'no default deny'}
    const table = renderTable(fullReport({findings: [...pods, namespaceRule, loadBalancer], notEvaluated: [], expiredWaivers: [], failOn: undefined}), {color: false})
    expect(table).toBe(
      [
        'Namespace cos',
        '  HIGH    K8S-LOADBALANCER      Service/traefik  Service traefik is of type LoadBalancer (external IP 203.0.113.7)',
        '          guide: Harden your Juju deployment § Harden the applications',
        '          fix: Limit sources with a NetworkPolicy, or add cos/Service/traefik to the policy allowlist',
        '  HIGH    NET-NO-DEFAULT-DENY   namespace/cos    no default deny',
        '          guide: Harden your Juju deployment § Harden the applications',
        '  MEDIUM  NET-UNRESTRICTED-POD  StatefulSet/a    StatefulSet cos/a: no policy',
        '          guide: Harden your Juju deployment § Harden the applications',
        '  MEDIUM  NET-UNRESTRICTED-POD  StatefulSet/b    StatefulSet cos/b: no policy',
        '          guide: Harden your Juju deployment § Harden the applications',
        '  MEDIUM  NET-UNRESTRICTED-POD  StatefulSet/c    StatefulSet cos/c: no policy',
        '          guide: Harden your Juju deployment § Harden the applications',
        '          fix for the 4 above: kubectl apply -f deny.yaml',
        '',
        'Guides',
        '  Harden your Juju deployment: https://documentation.ubuntu.com/juju/3.6/howto/manage-your-juju-deployment/harden-your-juju-deployment/',
        '',
        '5 findings: 2 high, 3 medium',
        '',
      ].join('\n'),
    )
  })
  describe('compact views and what next', () => {
    const denyNamespace = {...loadBalancer, rule: 'NET-NO-DEFAULT-DENY', title: 'No default deny', target: {kind: 'namespace', namespace: 'cos', name: 'cos'}, message: 'no default deny', remediation: 'kubectl apply -f deny.yaml', autoFixable: true}
    const denyPod = {...denyNamespace, rule: 'NET-UNRESTRICTED-POD', title: 'Pod unrestricted', severity: 'medium' as const, target: {kind: 'StatefulSet', namespace: 'cos', name: 'a'}, message: 'a is unrestricted'}
    const report = () => fullReport({findings: [...ALL_FINDINGS, denyNamespace, denyPod], notEvaluated: [], expiredWaivers: [], failOn: undefined})
    const reconcileCommand = 'hardenctl reconcile --dry-run --from estate/'

    it('byRule: one row per rule with its worst severity, its findings and how many are auto-fixable', () => {
      const escalated = {...trustIngress, severity: 'critical' as const}
      const table = renderTable(fullReport({findings: [trustPostgres, escalated, denyNamespace, denyPod, waivedIngress], notEvaluated: [], expiredWaivers: [], failOn: undefined}), {color: false, byRule: true, reconcileCommand})
      expect(table).toBe(
        [
          'Findings by rule',
          '  SEVERITY  RULE                  FINDINGS  AUTO-FIXABLE  TITLE',
          '  CRITICAL  JUJU-TRUST            2         no            Application deployed with --trust',
          '  HIGH      NET-NO-DEFAULT-DENY   1         yes           No default deny',
          '  MEDIUM    NET-UNRESTRICTED-POD  1         yes           Pod unrestricted',
          '',
          'hardenctl reconcile can fix 2 of the 4 findings (AUTO-FIXABLE above; some only where hardenctl.yaml enables it). See what it would change:',
          '  hardenctl reconcile --dry-run --from estate/',
          '',
          '4 findings: 1 critical, 2 high, 1 medium · 1 waived',
          '',
        ].join('\n'),
      )
    })

    it('marks the fix of auto-fixable findings, and never shares one fix line between fixable and not', () => {
      const manualTwin = {...denyPod, target: {kind: 'StatefulSet', namespace: 'cos', name: 'b'}, message: 'b is unrestricted', autoFixable: false}
      const lines = renderTable(fullReport({findings: [denyNamespace, denyPod, manualTwin], notEvaluated: [], expiredWaivers: [], failOn: undefined}), {color: false}).split('\n')
      expect(lines).toContain('          fix for the 2 above [auto-fixable]: kubectl apply -f deny.yaml')
      expect(lines).toContain('          fix: kubectl apply -f deny.yaml')
    })

    it('minSeverity: hides findings below it, waived ones too, and says how many; the summary line counts all', () => {
      const table = renderTable(report(), {color: false, minSeverity: 'high', reconcileCommand})
      expect(table).not.toContain('MEDIUM')
      expect(table).not.toContain('LOW ')
      expect(table).toContain('  CRITICAL  K8S-SA-OVERPRIVILEGED')
      expect(table).toContain(
        '3 findings below high not shown (--min-severity high).\n\nhardenctl reconcile can fix 2 of the 8 findings (marked [auto-fixable]; some only where hardenctl.yaml enables it). See what it would change:\n  hardenctl reconcile --dry-run --from estate/\n\n8 findings: 1 critical, 4 high, 2 medium, 1 low · 1 waived\n',
      )
    })

    it('suggests reconcile only when asked and when something is auto-fixable', () => {
      expect(renderTable(report(), {color: false})).not.toContain('hardenctl reconcile')
      expect(renderTable(fullReport(), {color: false, reconcileCommand})).not.toContain('hardenctl reconcile')
      const one = renderTable(fullReport({findings: [denyNamespace], notEvaluated: [], expiredWaivers: [], failOn: undefined}), {color: false, reconcileCommand})
      expect(one).toContain('hardenctl reconcile can fix the finding (marked [auto-fixable];')
    })
  })
})
