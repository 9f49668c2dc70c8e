import {BaseCommand} from '../../src/cli/base-command.js'
import {STARTER_POLICY} from '../../src/policy/starter.js'

export default class PolicyInit extends BaseCommand {
  static override summary = 'Print a starter policy (hardenctl.yaml): every key at its default, with a comment saying what it does.'

  static override description = `The file as printed changes nothing: its values are the defaults that apply without a policy. Keep the keys you change and check the result with "hardenctl policy check".

EXIT CODES
  0  printed`

  static override examples = [
    {description: 'Start a policy in the current directory, where every command looks for it', command: '<%= config.bin %> policy init > hardenctl.yaml'},
  ]

  async run(): Promise<void> {
    await this.parse(PolicyInit)
    process.stdout.write(STARTER_POLICY)
  }
}
