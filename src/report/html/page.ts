/**
 * The page: one self-contained HTML file. Styles, the data (JSON), dagre and the client script
 * are inlined; a Content-Security-Policy allows exactly those inline scripts and styles (by hash)
 * and no network fetch of any kind, so an injected tag could neither run nor call home.
 */
import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'

import {SEVERITIES} from '../../findings/types.js'
import {CLIENT_SCRIPT} from './client-script.js'
import {escapeHtml, jsonForScript} from './escape.js'
import {ARROW_STYLES, PAGE_STYLES} from './styles.js'
import type {PageData, PlanSection, SummaryData} from './types.js'

let dagreSource: string | undefined

/** dagre's browser bundle (defines the global `dagre`), read once from the installed package. */
function dagreBundle(): string {
  if (dagreSource === undefined) {
    const packageJson = createRequire(import.meta.url).resolve('@dagrejs/dagre/package.json')
    // A `</script` inside the bundle would end the element early; the minified bundle has none, but make sure.
    dagreSource = readFileSync(join(dirname(packageJson), 'dist/dagre.min.js'), 'utf8')
      .replace(/\/\/# sourceMappingURL=.*$/m, '')
      .replace(/<\/script/gi, '<\\/script')
  }
  return dagreSource
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`
}

export function renderPage(data: PageData): string {
  const styles = PAGE_STYLES + ARROW_STYLES
  const dagre = dagreBundle()
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(dagre)} ${sha256(CLIENT_SCRIPT)}`,
    `style-src ${sha256(styles)}`,
    'img-src data:',
    "connect-src 'none'",
    "font-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ')
  const hasGraphs = data.graphs.length > 0
  const hasFindings = data.kind === 'audit' || data.kind === 'review'
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(data.title)}</title>
<style>${styles}</style>
</head>
<body>
<a class="skip" href="#findings">Skip to findings</a>
<header>
<h1>${escapeHtml(data.title)}</h1>
<p>${escapeHtml(data.summary.tool)} · generated ${escapeHtml(data.summary.generatedAt)}</p>
</header>
<main>
${summarySection(data.summary, hasFindings)}
${hasGraphs ? graphSection(data) : ''}
${data.plan ? planSection(data.plan, data.kind) : ''}
${hasFindings ? findingsSection() : ''}
</main>
<script type="application/json" id="report-data">${jsonForScript(data)}</script>
<script>${dagre}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`
}

function summarySection(summary: SummaryData, hasFindings: boolean): string {
  const parts: string[] = ['<section id="summary" aria-labelledby="summary-heading"><h2 id="summary-heading">Summary</h2>']
  if (hasFindings && summary.bySeverity) {
    const counts = SEVERITIES.map((severity) => `<li><span class="sev sev-${severity}">${severity}</span><b>${summary.bySeverity![severity] ?? 0}</b></li>`)
    counts.push(`<li><span class="muted">waived</span><b>${summary.waived ?? 0}</b></li>`)
    parts.push(`<p>${summary.total ?? 0} findings: unwaived by severity, and waived.</p><ul class="counts" aria-label="Findings by severity">${counts.join('')}</ul>`)
  }
  const meta: string[] = []
  meta.push(`<dt>Inputs</dt><dd>${summary.inputs.length ? summary.inputs.map((input) => `<code>${escapeHtml(input)}</code>`).join(', ') : 'none'}</dd>`)
  meta.push(`<dt>Policy</dt><dd>${summary.policy ? `<code>${escapeHtml(summary.policy)}</code>` : 'none (defaults)'}</dd>`)
  if (summary.profiles) meta.push(`<dt>Profiles</dt><dd>${escapeHtml(summary.profiles.join(', ') || 'none')}</dd>`)
  parts.push(`<dl class="meta">${meta.join('')}</dl>`)
  if (summary.rules?.length) {
    const rows = summary.rules.map((rule) => `<tr><td><code>${escapeHtml(rule.rule)}</code></td><td>${escapeHtml(rule.title)}</td><td>${rule.count}</td></tr>`)
    parts.push(`<details><summary>Rules with findings (${summary.rules.length})</summary><table><thead><tr><th scope="col">Rule</th><th scope="col">Title</th><th scope="col">Findings</th></tr></thead><tbody>${rows.join('')}</tbody></table></details>`)
  }
  if (summary.notEvaluated?.length) {
    const rows = summary.notEvaluated.map((entry) => `<tr><td><code>${escapeHtml(entry.rule)}</code></td><td>${escapeHtml(entry.message)}</td></tr>`)
    parts.push(`<details><summary>Rules not evaluated (${summary.notEvaluated.length})</summary><table><thead><tr><th scope="col">Rule</th><th scope="col">Why</th></tr></thead><tbody>${rows.join('')}</tbody></table></details>`)
  }
  parts.push('</section>')
  return parts.join('\n')
}

function legendItem(sample: string, text: string): string {
  return `<li><svg width="44" height="12" aria-hidden="true"><line class="sample ${sample}" x1="2" y1="6" x2="42" y2="6"></line></svg>${escapeHtml(text)}</li>`
}

function graphSection(data: PageData): string {
  const reach = data.kind === 'reconcile' || data.kind === 'matrix'
  const legend = [
    legendItem('', 'relation (requirer → provider; interface: endpoints)'),
    legendItem('sample-offer', 'offer / cross-model consumer (dashed)'),
    legendItem('sample-entry', 'entry point: Ingress, Gateway route, LoadBalancer or NodePort Service (thick)'),
  ]
  if (reach) {
    legend.push(
      legendItem('sample-closed', '✕ closed by the plan (red, long dashes)'),
      legendItem('sample-opened', '+ opened by the plan (green, thick solid)'),
      legendItem('sample-unchanged', '= reachable before and after (grey, dotted)'),
    )
  }
  const nodes = 'Boxes: rounded = Juju application, dashed = remote application or consumer, dotted = offer, thick = entry point, grey = pod not deployed by Juju. Marks in brackets: [trust], [root], [exposed].'
  return `<section id="graph-section" aria-labelledby="graph-heading">
<h2 id="graph-heading">${reach ? 'Reachability graph' : 'Relation graph'}</h2>
<div class="graph-bar"><label for="graph-select">${data.graphs.length > 1 ? `Model (${data.graphs.length})` : 'Model'}</label><select id="graph-select"></select>${
    reach
      ? '<label><input type="checkbox" id="show-relations" checked> relations, offers, entry points</label><label><input type="checkbox" id="show-unchanged" checked> unchanged reachability</label>'
      : ''
  }</div>
<ul class="legend" aria-label="Legend">${legend.join('')}</ul>
<p class="muted">${escapeHtml(nodes)}</p>
<p id="graph-note" class="muted" aria-live="polite"></p>
<div class="graph-wrap"><div id="graph"></div><aside id="node-panel" aria-live="polite" aria-label="Selected node"></aside></div>${reach ? '\n<div id="reach-matrix"></div>' : ''}
</section>`
}

function planSection(plan: PlanSection, kind: PageData['kind']): string {
  const parts: string[] = [`<section id="plan" aria-labelledby="plan-heading"><h2 id="plan-heading">${kind === 'reconcile' ? 'Plan' : 'Reachability'}</h2>`]
  if (kind === 'reconcile') {
    if (plan.policies.length) {
      const rows = plan.policies.map((p) => `<tr><td>${escapeHtml(p.op)}</td><td><code>${escapeHtml(p.namespace)}/${escapeHtml(p.name)}</code></td><td>${escapeHtml(p.phase)}</td></tr>`)
      parts.push(`<h3>NetworkPolicies to create, update and prune (${plan.policies.length})</h3><table><thead><tr><th scope="col">Change</th><th scope="col">Policy</th><th scope="col">Phase</th></tr></thead><tbody>${rows.join('')}</tbody></table>`)
    } else {
      parts.push('<p>No NetworkPolicy changes.</p>')
    }
    if (plan.closes.length) {
      const rows = plan.closes.map(
        (c) => `<tr><td><code>${escapeHtml(c.from)}</code></td><td><code>${escapeHtml(c.to)}</code></td><td>${escapeHtml(c.ports)}</td><td>${escapeHtml(c.usedBy)}</td><td>${escapeHtml(c.why)}</td><td>${c.asked ? 'yes' : '<strong>no</strong>'}</td></tr>`,
      )
      parts.push(`<h3>Closes: paths in use the plan would close (${plan.closes.length})</h3><table><thead><tr><th scope="col">From</th><th scope="col">To</th><th scope="col">Ports</th><th scope="col">Used by</th><th scope="col">Why</th><th scope="col">Asked by the policy</th></tr></thead><tbody>${rows.join('')}</tbody></table>`)
    } else {
      parts.push('<h3>Closes</h3><p>No path in use closes.</p>')
    }
    const list = (title: string, lines: string[]) => (lines.length ? `<h3>${title} (${lines.length})</h3><ul>${lines.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>` : '')
    parts.push(
      list('Kept open on purpose', plan.keptOpen),
      list('Juju changes', plan.juju),
      list('Juju changes refused (safety rules)', plan.refused),
      list('Namespaces left as they are', plan.untouched),
    )
  }
  const changed = plan.changes.filter((change) => change.state !== 'unchanged')
  if (changed.length || kind === 'reconcile') {
    const limit = 2000
    const rows = changed.slice(0, limit).map((c) => `<tr><td class="state-${c.state}">${c.state === 'closed' ? '✕ closed' : '+ opened'}</td><td><code>${escapeHtml(c.from)}</code></td><td><code>${escapeHtml(c.to)}</code></td><td>${escapeHtml(c.ports)}</td></tr>`)
    const more = changed.length > limit ? `<p>${changed.length - limit} more changes not listed; see <code>hardenctl netpol diff</code>.</p>` : ''
    parts.push(
      changed.length
        ? `<h3>Reachability changes (${changed.length})</h3><table><thead><tr><th scope="col">Change</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Ports</th></tr></thead><tbody>${rows.join('')}</tbody></table>${more}`
        : '<h3>Reachability changes</h3><p>Who reaches whom does not change.</p>',
    )
  }
  if (plan.notes.length) parts.push(`<h3>Notes</h3><ul>${plan.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('')}</ul>`)
  parts.push('</section>')
  return parts.join('\n')
}

function findingsSection(): string {
  const boxes = SEVERITIES.map((severity) => `<label><input type="checkbox" name="severity" value="${severity}" checked> ${severity}</label>`).join('')
  return `<section id="findings" aria-labelledby="findings-heading">
<h2 id="findings-heading">Findings</h2>
<form id="filters" class="filters" aria-label="Filter findings">
<fieldset><legend>Severity</legend>${boxes}</fieldset>
<label>Rule <select id="filter-rule" name="rule"><option value="">all rules</option></select></label>
<label>Model <select id="filter-model" name="model"><option value="">all models</option></select></label>
</form>
<p id="finding-count" aria-live="polite"></p>
<div id="finding-list"></div>
<nav id="pager" class="pager" aria-label="Pages of findings"><button type="button" id="page-prev">Previous page</button><button type="button" id="page-next">Next page</button></nav>
</section>`
}
