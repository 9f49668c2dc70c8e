/**
 * The Juju 3.x commands hardenctl prints, with their real flags and positional arguments. Juju 4
 * kept them all but set-application-base, upgrade-machine and enable-ha, with the same syntax but for
 * the flags juju-check.ts's FLAGS_REMOVED_IN_JUJU_4 lists (the research behind it: the 4.0.0 release
 * notes, juju/juju PRs #17169 and #17579, and Juju 4's own command tests).
 *
 * Taken with the search tool from github.com/juju/juju (3.x: `github.com/juju/cmd/v3`, `names/v5`),
 * each command's Info().Args, SetFlags and Init; the inherited flags come from
 * cmd/modelcmd (ModelCommandBase: `-m/--model`, `-B/--no-browser-login`; ControllerCommandBase:
 * `-c/--controller`, `-B`) and are listed with every command in the generated CLI reference
 * docs/reference/juju-cli/list-of-juju-cli-commands/<command>.md.
 *
 * | command | source (file@commit) |
 * | integrate | cmd/juju/application/integrate.go@02f123643b0e1f8cdfd8c90de70151ef0acb3f85 (Init: exactly 2 args; SetFlags: --via; a Juju 4 development commit, `names/v6`, with 3.6's syntax) |
 * | config | cmd/juju/application/config.go@93730a0de2ff5f062fc563717b55fd7ab0e4694b + cmd/juju/config/config.go@93730a0d (ConfigCommandBase: --file --color --no-color --reset; out: --format -o) |
 * | expose | cmd/juju/application/expose.go@5c9102154341a80fbec7b365ebe84ae32ea84ec9 (--endpoints --to-spaces --to-cidrs; 1 arg) |
 * | unexpose | cmd/juju/application/unexpose.go@1901810bccb8ed8732f250046887d74735156fe0 (--endpoints; 1 arg) |
 * | trust | cmd/juju/application/trust.go@0d459a0e0613f47dac3c6b15b79480e963b746e8 (--remove --scope; scope must be "cluster") |
 * | deploy | cmd/juju/application/deploy.go@5c9102154341a80fbec7b365ebe84ae32ea84ec9 (SetFlags + UnitCommandBase --to --attach-storage; 1-2 args) |
 * | refresh | cmd/juju/application/refresh.go@5c9102154341a80fbec7b365ebe84ae32ea84ec9 (SetFlags; 1 arg; --switch/--path/--revision exclusive) |
 * | info | cmd/juju/charmhub/info.go@93730a0de2ff5f062fc563717b55fd7ab0e4694b (SetFlags: --arch --series --base --channel --config --revision --track --unicode, out --format -o; exactly 1 arg; no -m); --charmhub-url from docs/.../info.md@e172a6b1 |
 * | consume | cmd/juju/application/consume.go@f1fd90f86881e9cd20994c1e89cea0b1a5e23154 (1-2 args; alias must be an application name; a Juju 4 development commit with 3.6's syntax) |
 * | find-offers | docs/.../find-offers.md@23ab1d4abd3d80929ecf1a38c85bf56384b11c8a (--interface --offer --url, out --format -o; cmd/juju/crossmodel/find.go Init: zero or one arg, the URL) |
 * | remove-relation | cmd/juju/application/removerelation.go@93730a0de2ff5f062fc563717b55fd7ab0e4694b (--force; 1 relation id or 2 endpoints) |
 * | set-application-base | docs/.../set-application-base.md@5c9102154341a80fbec7b365ebe84ae32ea84ec9 (<application> <base>) |
 * | add-secret | cmd/juju/secrets/add.go@aa8971f63c674d108db1536aa26885de622aa7ce, docs/.../add-secret.md@279d2104c327c1238c40bc16f263cb405ea9417a (--file --info; keys: core/secrets keyRegExp) |
 * | grant-secret | cmd/juju/secrets/grantrevoke.go@270ec26ff44f1975e2b767912d5a29751b89ecd9, docs/.../grant-secret.md@6e0fdcb258773e8ba451304f9837ac6f311e4f23 (<ID>|<name> <application>[,...]) |
 * | revoke | docs/.../revoke.md@4b308455444a3cecee8a80c32c040d6aa4f12393 (<user> <permission> [<model>...|<offer url>...]; -c) |
 * | disable-user | cmd/juju/user/disenable.go@3a239b3fc1bcd306ddb6a113a08aefc3324b4cb7 (1 arg) |
 * | remove-user | cmd/juju/user/remove.go@0e43fc9f5877567acb866965f673ceba1bdfa1f4 (-y/--yes; 1 arg) |
 * | change-user-password | docs/.../change-user-password.md@420f9b2d8408d7e60558ad324e65756be774d931 ([username]; -c, --no-prompt, --reset) |
 * | disable-command | docs/.../disable-command.md@23ab1d4abd3d80929ecf1a38c85bf56384b11c8a (<command set> [message...]; sets all, destroy-model, remove-object) |
 * | exec | docs/.../exec.md@23ab1d4abd3d80929ecf1a38c85bf56384b11c8a |
 * | offer | docs/.../offer.md@57c35f70f108717c9cc1e40a6fde2af529bdb612 |
 * | remove-offer | docs/.../remove-offer.md@02f123643b0e1f8cdfd8c90de70151ef0acb3f85 |
 * | add-machine | docs/.../add-machine.md@0447b8981a3f96c03e14d587868db962988065b5 |
 * | remove-machine | docs/.../remove-machine.md@1ea9f2a88b9cd4515d9c54bb95c4922023ef30e8 |
 * | controller-config | docs/.../controller-config.md@1c91c54fafcd8546dacb4254242ab0ae08ac9128 |
 * | remove-credential | docs/.../remove-credential.md@3ffec2b980070b2afefa73f2b8605d7c06e743c4 |
 * | bootstrap | docs/.../bootstrap.md@cbd3c59ef2659c6fe654d29b3dbfe736a52785a3 |
 * | run | cmd/juju/action/run.go Info().Args `<unit> [<unit> ...] <action-name> [<key>=<value> ...]` (Init: units, or `<app>/leader`, then the action name); the Juju 3 CLI reference's run.md (-m, -B, --background, --color, --no-color, --params, --string-args, --utc, --wait, out --format json|plain|yaml -o) |
 * | show-model | docs/.../show-model.md@3ffec2b980070b2afefa73f2b8605d7c06e743c4 (`[options] <model name>`, the current model when none; -B, out --format -o; neither -m nor -c) |
 * | show-application | cmd/juju/application/show.go@5c9102154341a80fbec7b365ebe84ae32ea84ec9 (Info().Args `<application name or alias>`; Init: one or more names; ModelCommandBase flags, out --format json|smart|yaml -o; Run returns an error, so a non-zero exit, for a name the model lacks) |
 * | migrate | cmd/juju/commands/migrate.go@5c9102154341a80fbec7b365ebe84ae32ea84ec9 (Info().Args `<model-name> <target-controller-name>`; Init: exactly 2 args; neither -m nor -c) |
 */
import type {Slot} from './placeholders.js'
import type {Word} from './shell.js'

export interface FlagSpec {
  /** `bool` takes no value (`--flag` or `--flag=false`); the others take the next word or `=value`. */
  value: 'bool' | 'string' | 'int'
  slot?: Slot
  enum?: readonly string[]
}

export interface JujuCommand {
  name: string
  /** `model`: `-m`; `controller`: `-c`; `none`: neither. */
  base: 'model' | 'controller' | 'none'
  /** Usage as Info().Args prints it. */
  args: string
  flags: Record<string, FlagSpec>
  positionals: {min: number; max: number}
}

const s = (slot?: Slot): FlagSpec => ({value: 'string', ...(slot ? {slot} : {})})
const b: FlagSpec = {value: 'bool'}
const n: FlagSpec = {value: 'int'}
const oneOf = (...values: string[]): FlagSpec => ({value: 'string', enum: values})

const GLOBAL: Record<string, FlagSpec> = {debug: b, verbose: b, quiet: b, 'show-log': b, 'logging-config': s(), h: b, help: b}
const MODEL: Record<string, FlagSpec> = {m: s('model'), model: s('model'), B: b, 'no-browser-login': b}
const CONTROLLER: Record<string, FlagSpec> = {c: s('controller'), controller: s('controller'), B: b, 'no-browser-login': b}
const OUTPUT = (...formats: string[]): Record<string, FlagSpec> => ({format: oneOf(...formats), o: s('file'), output: s('file')})

const command = (name: string, base: JujuCommand['base'], args: string, positionals: [number, number], flags: Record<string, FlagSpec> = {}): JujuCommand => ({
  name,
  base,
  args,
  positionals: {min: positionals[0], max: positionals[1]},
  flags: {...GLOBAL, ...(base === 'model' ? MODEL : base === 'controller' ? CONTROLLER : {B: b, 'no-browser-login': b}), ...flags},
})

const ANY = Number.POSITIVE_INFINITY

export const JUJU_COMMANDS: readonly JujuCommand[] = [
  command('integrate', 'model', '<application>[:<endpoint>] <application>[:<endpoint>]', [2, 2], {via: s('cidrs')}),
  command('config', 'model', '<application name> [--reset <key[,key]>] [<attribute-key>][=<value>] ...]', [1, ANY], {
    file: s('file'),
    color: b,
    'no-color': b,
    reset: s('config-key'),
    ...OUTPUT('yaml', 'json'),
  }),
  command('expose', 'model', '<application name>', [1, 1], {endpoints: s('endpoint'), 'to-spaces': s(), 'to-cidrs': s('cidrs')}),
  command('unexpose', 'model', '<application name>', [1, 1], {endpoints: s('endpoint')}),
  command('trust', 'model', '<application name>', [1, 1], {remove: b, scope: oneOf('cluster')}),
  command('deploy', 'model', '<charm or bundle> [<application name>]', [1, 2], {
    n,
    channel: s('channel'),
    config: s(),
    trust: b,
    overlay: s('file'),
    constraints: s(),
    series: s(),
    base: s('base'),
    revision: n,
    'dry-run': b,
    force: b,
    storage: s(),
    device: s(),
    resource: s(),
    bind: s(),
    'map-machines': s(),
    to: s(),
    'attach-storage': s(),
  }),
  command('refresh', 'model', '<application>', [1, 1], {
    force: b,
    'force-units': b,
    channel: s('channel'),
    'force-series': b,
    'force-base': b,
    switch: s('charm'),
    path: s('file'),
    base: s('base'),
    revision: n,
    resource: s(),
    storage: s(),
    config: s(),
    bind: s(),
    trust: b,
  }),
  // docs/.../status.md@07329257 (Juju 4: no selectors, no --watch); Juju 3.6 also takes `[<selector> [...]]` and `--watch`.
  command('status', 'model', '[<selector> [<selector>...]]', [0, ANY], {
    color: b,
    'no-color': b,
    integrations: b,
    relations: b,
    storage: b,
    utc: b,
    'retry-count': n,
    'retry-delay': s(),
    watch: s(),
    ...OUTPUT('json', 'line', 'oneline', 'short', 'summary', 'tabular', 'yaml'),
  }),
  command('info', 'none', '[options] <charm>', [1, 1], {
    arch: s(),
    series: s(),
    base: s('base'),
    channel: s('channel'),
    'charmhub-url': s(),
    config: b,
    revision: n,
    track: s(),
    unicode: oneOf('auto', 'never', 'always'),
    ...OUTPUT('tabular', 'yaml', 'json'),
  }),
  command('consume', 'model', '<remote offer path> [<local application name>]', [1, 2]),
  command('find-offers', 'model', '[<offer url>]', [0, 1], {interface: s(), offer: s(), url: s(), ...OUTPUT('tabular', 'yaml', 'json')}),
  command('remove-relation', 'model', '<application1>[:<relation name1>] <application2>[:<relation name2>] | <relation-id>', [1, 2], {force: b}),
  command('set-application-base', 'model', '<application> <base>', [2, 2]),
  command('migrate', 'none', '<model-name> <target-controller-name>', [2, 2]),
  command('show-model', 'none', '<model name>', [0, 1], OUTPUT('json', 'yaml')),
  command('show-application', 'model', '<application name or alias>', [1, ANY], OUTPUT('json', 'smart', 'yaml')),
  command('run', 'model', '<unit> [<unit> ...] <action-name> [<key>=<value> ...]', [2, ANY], {
    background: b,
    color: b,
    'no-color': b,
    params: s('file'),
    'string-args': b,
    utc: b,
    wait: s(),
    ...OUTPUT('json', 'plain', 'yaml'),
  }),
  command('add-secret', 'model', '<name> [key[#base64|#file]=value...]', [1, ANY], {file: s('file'), info: s('value')}),
  command('grant-secret', 'model', '<ID>|<name> <application>[,<application>...]', [2, 2]),
  command('revoke', 'controller', '<user name> <permission> [<model name> ... | <offer url> ...]', [2, ANY]),
  command('disable-user', 'controller', '<username>', [1, 1]),
  command('remove-user', 'controller', '<user name>', [1, 1], {y: b, yes: b}),
  command('change-user-password', 'controller', '[username]', [0, 1], {'no-prompt': b, reset: b}),
  command('disable-command', 'model', '<command set> [message...]', [1, ANY]),
  command('exec', 'model', '<commands>', [1, ANY], {
    a: s('application'),
    app: s('application'),
    application: s('application'),
    all: b,
    background: b,
    color: b,
    'execution-group': s(),
    format: oneOf('json', 'plain', 'yaml'),
    machine: s('machine'),
    'no-color': b,
    o: s('file'),
    output: s('file'),
    parallel: b,
    u: s(),
    unit: s(),
    utc: b,
    wait: s(),
  }),
  command('offer', 'controller', '[model-name.]<application-name>:<endpoint-name>[,...] [offer-name]', [1, 2]),
  command('remove-offer', 'controller', '<offer-url> ...', [1, ANY], {force: b, y: b, yes: b}),
  command('add-machine', 'model', '[<container-type>[:<machine-id>] | ssh:[<user>@]<host> | <placement>]', [0, 1], {
    base: s('base'),
    constraints: s(),
    disks: s(),
    n,
    'private-key': s('file'),
    'public-key': s('file'),
    series: s(),
  }),
  command('remove-machine', 'model', '<machine number> ...', [1, ANY], {'dry-run': b, force: b, 'keep-instance': b, 'no-prompt': b, 'no-wait': b}),
  command('controller-config', 'controller', '[<attribute key>[=<value>] ...]', [0, ANY], {
    color: b,
    file: s('file'),
    'ignore-read-only-fields': b,
    'no-color': b,
    ...OUTPUT('json', 'tabular', 'yaml'),
  }),
  command('remove-credential', 'controller', '<cloud name> <credential name>', [2, 2], {client: b, force: b, local: b}),
  command('bootstrap', 'none', '[<cloud name>[/region] [<controller name>]]', [0, 2], {
    'add-model': s(),
    'agent-version': s(),
    'auto-upgrade': b,
    'bootstrap-base': s('base'),
    'bootstrap-constraints': s(),
    'bootstrap-image': s(),
    'bootstrap-series': s(),
    'build-agent': b,
    clouds: b,
    config: s(),
    constraints: s(),
    'controller-charm-channel': s('channel'),
    'controller-charm-path': s('file'),
    credential: s('credential'),
    'db-snap': s('file'),
    'db-snap-asserts': s('file'),
    force: b,
    'keep-broken': b,
    'metadata-source': s('file'),
    'model-default': s(),
    'no-switch': b,
    regions: s(),
    'storage-pool': s(),
    to: s(),
  }),
]

/** `juju relate` is integrate's alias (integrate.go Info().Aliases). */
const ALIASES: Record<string, string> = {relate: 'integrate'}

export function jujuCommand(name: string): JujuCommand | undefined {
  const wanted = ALIASES[name] ?? name
  return JUJU_COMMANDS.find((c) => c.name === wanted)
}

export interface ParsedJuju {
  command: JujuCommand
  /** Flag values by the name written (without dashes), in order. */
  flags: {name: string; value: string | undefined; word: Word}[]
  positionals: Word[]
  /** Words after `--` (juju exec's command). */
  rest: Word[]
  problems: {check: string; problem: string}[]
}

/** Parses the words after `juju SUBCOMMAND` as gnuflag does (flags may come between arguments). */
export function parseJuju(spec: JujuCommand, words: readonly Word[]): ParsedJuju {
  const parsed: ParsedJuju = {command: spec, flags: [], positionals: [], rest: [], problems: []}
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!
    const text = word.value
    if (text === '--' && !word.quoted) {
      parsed.rest = words.slice(i + 1)
      break
    }
    if (!text.startsWith('-') || text === '-' || word.quoted || /^-\d/.test(text)) {
      parsed.positionals.push(word)
      continue
    }
    const eq = text.indexOf('=')
    const name = text.replace(/^--?/, '').slice(0, eq < 0 ? undefined : eq - (text.startsWith('--') ? 2 : 1))
    const flag = spec.flags[name]
    if (!flag || (text.startsWith('--') && name.length === 1) || (!text.startsWith('--') && name.length > 1)) {
      parsed.problems.push({check: 'unknown-flag', problem: `juju ${spec.name} has no flag ${text.slice(0, eq < 0 ? undefined : eq)} (its flags: ${flagList(spec)})`})
      continue
    }
    let value: string | undefined
    if (eq >= 0) value = text.slice(eq + 1)
    else if (flag.value !== 'bool') {
      const next = words[i + 1]
      if (next === undefined) parsed.problems.push({check: 'flag-value', problem: `flag ${text} of juju ${spec.name} needs a value`})
      else {
        value = next.value
        i++
      }
    }
    parsed.flags.push({name, value, word})
    if (flag.value === 'bool' && value !== undefined && !/^(true|false|1|0|t|f|TRUE|FALSE|True|False)$/.test(value)) {
      parsed.problems.push({check: 'flag-value', problem: `flag --${name} of juju ${spec.name} is a boolean, not "${value}"`})
    }
    if (flag.value === 'int' && value !== undefined && !/^-?\d+$/.test(value)) parsed.problems.push({check: 'flag-value', problem: `flag --${name} of juju ${spec.name} takes a number, not "${value}"`})
    if (flag.enum && value !== undefined && !flag.enum.includes(value)) parsed.problems.push({check: 'flag-value', problem: `flag --${name} of juju ${spec.name} takes ${flag.enum.join(' or ')}, not "${value}"`})
  }
  // juju exec's command may follow `--`: it counts as its arguments.
  const count = parsed.positionals.length + parsed.rest.length
  const {min, max} = spec.positionals
  if (count < min || count > max) {
    const expected = min === max ? `${min}` : max === Number.POSITIVE_INFINITY ? `at least ${min}` : `${min} to ${max}`
    parsed.problems.push({check: 'positional-count', problem: `juju ${spec.name} takes ${expected} argument${max === 1 ? '' : 's'} (${spec.args}), got ${count}${count > 0 ? `: ${parsed.positionals.map((w) => JSON.stringify(w.value)).join(' ')}` : ''}`})
  }
  return parsed
}

export function flagValues(parsed: ParsedJuju, ...names: string[]): string[] {
  return parsed.flags.filter((f) => names.includes(f.name) && f.value !== undefined).map((f) => f.value!)
}

export function hasFlag(parsed: ParsedJuju, ...names: string[]): boolean {
  return parsed.flags.some((f) => names.includes(f.name) && f.value !== 'false')
}

function flagList(spec: JujuCommand): string {
  return Object.keys(spec.flags)
    .filter((f) => !(f in GLOBAL))
    .map((f) => (f.length === 1 ? `-${f}` : `--${f}`))
    .join(' ')
}
