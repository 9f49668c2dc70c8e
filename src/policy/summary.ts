/** The one line `hardenctl policy check` prints for a valid policy: what in it will take effect. */
import type {Policy} from './schema.js'

export function describeValidPolicy(file: string, policy: Policy, now: Date): string {
  const today = now.toISOString().slice(0, 10)
  const expired = policy.waivers.filter((waiver) => waiver.expires !== undefined && waiver.expires < today).length
  const waivers = `${policy.waivers.length} ${policy.waivers.length === 1 ? 'waiver' : 'waivers'}${expired > 0 ? `, ${expired} expired` : ''}`
  const enforced = [
    policy.exposure.enforce ? 'exposure' : undefined,
    policy.access.enforce ? `access${policy.access.disableStaleUsers ? ' (disabling stale users)' : ''}` : undefined,
    Object.keys(policy.commands ?? {}).length > 0 ? 'command blocks' : undefined,
    policy.psa.enabled ? 'Pod Security labels' : undefined,
  ].filter((part) => part !== undefined)
  const reconcile = enforced.length > 0 ? `reconcile applies ${enforced.join(', ')}` : 'reconcile applies NetworkPolicies only'
  return `${file}: valid (${waivers}; ${reconcile})`
}
