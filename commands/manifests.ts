import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../src/cli/base-command.js'
import {emit} from '../src/cli/output.js'
import {DEFAULT_NAMESPACE, DEFAULT_SCHEDULE, manifestsYaml, renderManifests} from '../src/deploy/manifests.js'

export default class Manifests extends BaseCommand {
  static override summary = 'Print the Kubernetes objects that run hardenctl reconcile in a cluster, for kubectl apply.'

  static override description = `The same objects \`kubectl kustomize manifests/\` builds (namespace ${DEFAULT_NAMESPACE} with Pod Security Admission "restricted", ServiceAccount, least-privilege ClusterRole and binding, the policy ConfigMap, the CronJob and hardenctl's own NetworkPolicies), with the image, schedule and namespace given, as multi-document YAML. The Juju credentials come from a Secret hardenctl-juju you create (docs/run-in-cluster.md).

--pod-security adds patch on namespaces to the ClusterRole (manifests/overlays/pod-security), needed by a policy with psa.enabled: true.

EXIT CODES
  0  printed
  2  bad input or usage (an empty or malformed image, a schedule that is not 5 cron fields, a bad namespace name)
  3  could not complete (the manifests shipped with hardenctl are missing or unreadable)`

  static override examples = [
    {
      description: 'Render and apply with your image, on the default schedule (every 30 minutes)',
      command: `<%= config.bin %> manifests --image registry.example.com/hardenctl:0.1.0 | kubectl apply -f -`,
    },
    {
      description: 'Another namespace, hourly, allowed to set Pod Security Admission labels on Juju namespaces',
      command: `<%= config.bin %> manifests --image registry.example.com/hardenctl:0.1.0 --schedule '0 * * * *' --namespace security --pod-security`,
    },
  ]

  static override flags = {
    image: Flags.string({required: true, description: 'Container image of hardenctl, e.g. ghcr.io/hardenctl/hardenctl:0.1.0.'}),
    // The default is the shipped CronJob's (manifests/base/cronjob.yaml), as kubectl apply -k installs it.
    schedule: Flags.string({default: DEFAULT_SCHEDULE, description: 'When the CronJob runs: 5 cron fields.'}),
    namespace: Flags.string({char: 'n', default: DEFAULT_NAMESPACE, description: 'Namespace for hardenctl (created by the output).'}),
    'pod-security': Flags.boolean({default: false, description: 'Also allow patch on namespaces, for a policy with psa.enabled: true.'}),
    output: Flags.string({char: 'o', description: 'Write to this file instead of stdout.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Manifests)
    const objects = await renderManifests({
      root: this.config.root,
      image: flags.image,
      schedule: flags.schedule,
      namespace: flags.namespace,
      podSecurity: flags['pod-security'],
    })
    const header = [
      `hardenctl ${this.config.version} manifests --image ${flags.image} --schedule '${flags.schedule}' --namespace ${flags.namespace}${flags['pod-security'] ? ' --pod-security' : ''}`,
      'Needs the Secret hardenctl-juju (endpoints, user, password, ca-cert, controller) in the same namespace: see docs/run-in-cluster.md.',
    ]
    await emit(manifestsYaml(objects, header), flags.output)
  }
}
