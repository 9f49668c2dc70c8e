/**
 * examples/maas-landscape-hosts: what examples/README.md says it shows, as a user runs it
 * (`hardenctl audit --from` on the snapshot, `hardenctl host --root` on one machine).
 */
import {describe, expect, it} from 'vitest'

import type {AuditReport} from '../../src/report/audit-report.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'

const EXAMPLE = 'examples/maas-landscape-hosts'
const PASSWORDS = ['example-only-database-password', 'example-only-store-password', 'example-only-broker-password', 'example-only-secret-token']

describe('examples/maas-landscape-hosts', () => {
  it('audit --from reports what examples/README.md lists, per machine, and no password', async () => {
    const result = await runCliInWorker(['audit', '--from', EXAMPLE, '--format', 'json'])
    const report = JSON.parse(result.stdout) as AuditReport
    const byMachine = (name: string) => report.findings.filter((f) => f.target.name === name).map((f) => `${f.rule} ${f.severity}`).sort()
    expect(byMachine('0')).toEqual(['MAAS-FILE-PERMS medium', 'MAAS-FIREWALL high', 'MAAS-HOST-PORTS high', 'MAAS-SSH-FAILURES medium', 'MAAS-TLS-CERT-EXPIRY high'])
    expect(byMachine('1')).toEqual(['LANDSCAPE-HTTP-PORT medium', 'LANDSCAPE-INTERNAL-PORTS critical', 'LANDSCAPE-PROXY-TLS low'])
    expect(report.notEvaluated.map((n) => n.rule)).toEqual(['MAAS-LOGIN-FAILURES'])
    expect(report.findings.find((f) => f.rule === 'MAAS-FILE-PERMS')?.remediation).toBe('sudo chmod 640 /var/snap/maas/current/regiond.conf')
    expect(report.findings.find((f) => f.rule === 'LANDSCAPE-INTERNAL-PORTS')?.message).toContain('tcp 0.0.0.0:8080, tcp 0.0.0.0:5672 and tcp 0.0.0.0:4369')
    for (const password of PASSWORDS) expect(result.stdout).not.toContain(password)
  })

  it('host --root on machine 0 gives the same MAAS findings', async () => {
    const result = await runCliInWorker(['host', '--root', `${EXAMPLE}/hosts/infra/0`, '--format', 'json'])
    const report = JSON.parse(result.stdout) as AuditReport
    expect(report.findings.map((f) => f.rule).sort()).toEqual(['MAAS-FILE-PERMS', 'MAAS-FIREWALL', 'MAAS-HOST-PORTS', 'MAAS-SSH-FAILURES', 'MAAS-TLS-CERT-EXPIRY'])
    // Without --fail-on, findings do not fail the run.
    expect(result.code).toBe(0)
  })
})
