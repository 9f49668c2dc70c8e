/** Whether a host's TLS certificate has expired or will within the policy's warning window. */
import type {HostCertificate} from '../../inventory/host.js'

const DAY_MS = 24 * 60 * 60 * 1000

export type Expiry = {state: 'expired' | 'expiring'; days: number; date: string} | {state: 'valid'}

export function certificateExpiry(certificate: HostCertificate, now: Date, warningDays: number): Expiry {
  const date = new Date(certificate.notAfter).toISOString().slice(0, 10)
  const days = Math.floor((certificate.notAfter - now.getTime()) / DAY_MS)
  if (certificate.notAfter <= now.getTime()) return {state: 'expired', days: -days, date}
  if (days < warningDays) return {state: 'expiring', days, date}
  return {state: 'valid'}
}

/** "expired on 2025-01-01 (705 days ago)" or "expires on 2027-01-01, in 17 days". */
export function describeExpiry(expiry: Exclude<Expiry, {state: 'valid'}>): string {
  return expiry.state === 'expired'
    ? `expired on ${expiry.date} (${expiry.days === 0 ? 'today' : `${expiry.days} day${expiry.days === 1 ? '' : 's'} ago`})`
    : `expires on ${expiry.date}, in ${expiry.days} day${expiry.days === 1 ? '' : 's'}`
}
