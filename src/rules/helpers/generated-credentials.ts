/**
 * Credential options a charm fills in itself when they are unset, keeping the value where only the
 * model's admins can read it (leader settings, read with `juju exec`), not in config, which every
 * reader of the model sees. For these, JUJU-NO-SECRETS's fix is to clear the option, not to move
 * the value into a Juju secret that no revision of the charm reads.
 */
import type {Application} from '../../inventory/types.js'
import {charmName} from './charms.js'
import type {FixParts} from './fix-line.js'
import {appModelArg} from './targets.js'

interface GeneratedCredential {
  /** What the password is for, by the product's name. */
  product: string
  /** The leader setting that holds the value. */
  leaderKey: string
  /** The action that replaces the value, in the revisions that have it. */
  rotateAction: string
}

/**
 * openstack/charm-keystone hooks/keystone_utils.py@18d13d5c: `get_admin_passwd` takes the option,
 * else the leader's `admin_passwd`, else generates one; `create_user_credentials` stores the password
 * in use with `set_admin_passwd` (the leader settings), so clearing the option keeps it.
 * `rotate_admin_passwd` (the `rotate-admin-password` action zaza-openstack-tests runs) refuses while
 * the option is set. The deployment guide reads the password with `leader-get admin_passwd`.
 */
const GENERATED: Readonly<Record<string, Readonly<Record<string, GeneratedCredential>>>> = {
  keystone: {'admin-password': {product: 'Keystone', leaderKey: 'admin_passwd', rotateAction: 'rotate-admin-password'}},
}

/** The options among `options` that the application's charm generates itself when unset. */
export function generatedCredentials(app: Application, options: readonly string[]): {option: string; credential: GeneratedCredential}[] {
  const known = GENERATED[charmName(app)] ?? {}
  return options.flatMap((option) => (known[option] ? [{option, credential: known[option]}] : []))
}

/** Clear the options, then rotate what config exposed; says where the charm keeps the value. */
export function clearGenerated(app: Application, generated: ReturnType<typeof generatedCredentials>): FixParts {
  const m = appModelArg(app)
  const reset = `juju config -m ${m} ${app.name} --reset ${generated.map((g) => g.option).join(',')}`
  const rotate = generated.map((g) => `juju run -m ${m} ${app.name}/leader ${g.credential.rotateAction}`)
  const read = generated.map((g) => `\`juju exec -m ${m} --unit ${app.name}/leader -- leader-get ${g.credential.leaderKey}\``).join(', ')
  const products = [...new Set(generated.map((g) => g.credential.product))].join(' and ')
  return {
    commands: [reset, ...rotate],
    notes: [
      `${charmName(app)} keeps the password it uses in its leader settings, which only the model's admins can read, and makes one where it has none`,
      `the rotation replaces the value config exposed to every reader of the model (revisions without the action: change the password in ${products} by hand)`,
      `read the new one with ${read}`,
    ],
  }
}
