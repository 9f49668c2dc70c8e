/**
 * auth.log failures count each failed attempt once, in the formats sshd and rsyslog write (lines
 * from the public OpenSSH sample in test/real-world-hosts/hosts/, and OpenSSH 7.5+'s with ports).
 * The parser sees lines newest first, as scanLog reads them.
 */
import {describe, expect, it} from 'vitest'

import {authLogParser} from '../../src/sources/host/logs.js'

/** Failures per source address, the lines given oldest first (as in the file). */
function failures(lines: string[]): Record<string, number> {
  const parse = authLogParser()
  const counts: Record<string, number> = {}
  for (const line of [...lines].reverse()) {
    const parsed = parse(line, {year: 2026})
    if (parsed.failureFrom !== undefined) counts[parsed.failureFrom] = (counts[parsed.failureFrom] ?? 0) + (parsed.failures ?? 1)
  }
  return counts
}

describe('auth.log failed attempts', () => {
  it('an invalid user who tried a password is one failure, not two (OpenSSH before 7.5: no port on Invalid user)', () => {
    expect(
      failures([
        'Dec 10 07:28:03 LabSZ sshd[24245]: Invalid user pgadmin from 112.95.230.3\r',
        'Dec 10 07:28:03 LabSZ sshd[24245]: input_userauth_request: invalid user pgadmin [preauth]\r',
        'Dec 10 07:28:05 LabSZ sshd[24245]: Failed password for invalid user pgadmin from 112.95.230.3 port 54087 ssh2\r',
        'Dec 10 07:28:05 LabSZ sshd[24245]: Received disconnect from 112.95.230.3: 11: Bye Bye [preauth]\r',
      ]),
    ).toEqual({'112.95.230.3': 1})
  })

  it('the same with ports (OpenSSH 7.5 and later), and an invalid user who tried no password is one failure', () => {
    expect(
      failures([
        '2026-06-06T13:45:19.123456+00:00 maas sshd[2487]: Invalid user admin from 203.0.113.9 port 40022',
        '2026-06-06T13:45:21.000000+00:00 maas sshd[2487]: Failed password for invalid user admin from 203.0.113.9 port 40022 ssh2',
        '2026-06-06T13:45:30.000000+00:00 maas sshd[2490]: Invalid user oracle from 203.0.113.9 port 40100',
        '2026-06-06T13:45:30.500000+00:00 maas sshd[2490]: Connection closed by invalid user oracle 203.0.113.9 port 40100 [preauth]',
      ]),
    ).toEqual({'203.0.113.9': 2})
  })

  it('rsyslog\'s "message repeated N times" stands for N more failed passwords', () => {
    expect(
      failures([
        'Dec 10 07:13:43 LabSZ sshd[24227]: Failed password for root from 5.36.59.76 port 42393 ssh2\r',
        'Dec 10 07:13:56 LabSZ sshd[24227]: message repeated 5 times: [ Failed password for root from 5.36.59.76 port 42393 ssh2]\r',
        'Dec 10 07:13:56 LabSZ sshd[24227]: Disconnecting: Too many authentication failures for root [preauth]\r',
      ]),
    ).toEqual({'5.36.59.76': 6})
  })
})
