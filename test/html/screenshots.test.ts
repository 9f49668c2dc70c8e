/**
 * The README's pictures of the HTML report, taken from the example estates in the browser the
 * tests use. Written only when asked (HARDENCTL_SCREENSHOTS=1 npx vitest run test/html/screenshots.test.ts),
 * so a test run never rewrites docs/.
 */
import {mkdtemp, rm, stat} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {expect, it} from 'vitest'

import {launchBrowser, openReport} from '../helpers/browser.js'
import {REPO_ROOT, runCli} from '../helpers/cli.js'
import {writeCosEstate} from '../helpers/cos-estate.js'

const DOCS = join(REPO_ROOT, 'docs')

it.skipIf(process.env.HARDENCTL_SCREENSHOTS !== '1')(
  'writes docs/html-*.png',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-screenshots-'))
    const browser = await launchBrowser()
    try {
      const cos = join(dir, 'cos')
      await writeCosEstate(cos, {policy: 'apiVersion: hardenctl.io/v1\nexposure:\n  enforce: true\n'})
      const shots: {name: string; args: string[]; node?: string; selector: string}[] = [
        {name: 'html-audit-livepatch-graph', args: ['audit', '--from', 'examples/livepatch-k8s'], node: 'app:ingress', selector: '#graph-section'},
        {name: 'html-audit-livepatch-findings', args: ['audit', '--from', 'examples/livepatch-k8s'], selector: '#summary'},
        {name: 'html-audit-landscape-graph', args: ['audit', '--from', 'examples/landscape-machines'], node: 'app:landscape-server', selector: '#graph-section'},
        {name: 'html-reconcile-livepatch', args: ['reconcile', '--dry-run', '--from', 'examples/livepatch-k8s'], node: 'app:postgresql', selector: '#graph-section'},
        {name: 'html-reconcile-cos', args: ['reconcile', '--dry-run', '--from', cos, '--policy', join(cos, 'policy.yaml')], node: 'app:grafana', selector: '#graph-section'},
        {name: 'html-host-findings', args: ['host', '--root', 'examples/maas-landscape-hosts/hosts/infra/0'], selector: '#findings'},
      ]
      for (const shot of shots) {
        const file = join(dir, `${shot.name}.html`)
        const result = await runCli([...shot.args, '--format', 'html', '-o', file])
        expect(result.code, result.stderr).toBeLessThan(2)
        const {page} = await openReport(browser, file)
        // Selected without scrolling the graph, so the picture shows all of it.
        if (shot.node) await page.locator(`#graph g.node[data-node-id="${shot.node}"]`).dispatchEvent('click')
        const path = join(DOCS, `${shot.name}.png`)
        await page.locator(shot.selector).screenshot({path})
        expect((await stat(path)).size).toBeGreaterThan(10_000)
        await page.context().close()
      }
    } finally {
      await browser.close()
      await rm(dir, {recursive: true, force: true})
    }
  },
  120_000,
)
