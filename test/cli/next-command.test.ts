import {describe, expect, it} from 'vitest'

import {reconcileDryRunCommand, shellQuote} from '../../src/cli/next-command.js'

describe('reconcileDryRunCommand', () => {
  it('plans from the same snapshot and policy', () => {
    expect(reconcileDryRunCommand('hardenctl', {from: ['estate/', 'extra.json'], policy: 'ops/hardenctl.yaml'})).toBe(
      'hardenctl reconcile --dry-run --from estate/ --from extra.json --policy ops/hardenctl.yaml',
    )
  })

  it('for a live audit, the same controllers, models, kubeconfig, context and namespaces', () => {
    expect(
      reconcileDryRunCommand('hardenctl', {
        'no-juju': false,
        'no-kubernetes': false,
        controller: ['prod'],
        model: ['admin/livepatch', 'cos'],
        'juju-insecure-skip-verify': false,
        kubeconfig: '/etc/kube config',
        context: 'microk8s',
        namespace: ['livepatch'],
      }),
    ).toBe("hardenctl reconcile --dry-run --controller prod --model admin/livepatch --model cos --kubeconfig '/etc/kube config' --context microk8s --namespace livepatch")
    expect(reconcileDryRunCommand('hardenctl', {'no-kubernetes': true})).toBe('hardenctl reconcile --dry-run --no-kubernetes')
  })

  it('quotes what a shell would split or expand', () => {
    expect(shellQuote('examples/livepatch-k8s')).toBe('examples/livepatch-k8s')
    expect(shellQuote("ops' dir/$HOME")).toBe("'ops'\\'' dir/$HOME'")
    expect(shellQuote('')).toBe("''")
  })
})
