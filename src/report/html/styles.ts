/** The page's stylesheet: system fonts, severity colours backed by text, and a print layout. */
export const PAGE_STYLES = `
:root{--fg:#1b1b1b;--muted:#595959;--bg:#fff;--panel:#f5f5f5;--line:#c8c8c8;--accent:#0b57d0;
--critical:#8b0000;--high:#c0392b;--medium:#b35900;--low:#2f6f9f;--info:#555;--closed:#c0392b;--opened:#1e7b34;--unchanged:#8a8a8a}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Ubuntu,Cantarell,"Noto Sans",sans-serif;color:var(--fg);background:var(--bg)}
code,pre,.mono{font-family:ui-monospace,"Ubuntu Mono","DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:13px}
header{padding:16px 24px;border-bottom:1px solid var(--line);background:var(--panel)}
header h1{margin:0 0 4px;font-size:22px}
header p{margin:0;color:var(--muted)}
main{padding:8px 24px 48px;max-width:1400px}
h2{margin:28px 0 10px;font-size:19px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:16px;margin:18px 0 6px}
a{color:var(--accent)}
.skip{position:absolute;left:-9999px}.skip:focus{left:8px;top:8px;background:#fff;padding:6px;z-index:9}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.counts{display:flex;flex-wrap:wrap;gap:8px;padding:0;margin:8px 0;list-style:none}
.counts li{border:1px solid var(--line);border-radius:6px;padding:6px 12px;min-width:92px}
.counts b{display:block;font-size:22px}
.sev{display:inline-block;min-width:64px;text-align:center;border-radius:4px;padding:0 6px;font-weight:700;font-size:12px;text-transform:uppercase;color:#fff}
.sev-critical{background:var(--critical)}.sev-high{background:var(--high)}.sev-medium{background:var(--medium)}.sev-low{background:var(--low)}.sev-info{background:var(--info)}
table{border-collapse:collapse;margin:6px 0 12px;width:100%}
th,td{text-align:left;border-bottom:1px solid var(--line);padding:4px 8px;vertical-align:top}
th{background:var(--panel)}
dl.meta{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:2px 12px;margin:6px 0}
dl.meta dt{font-weight:600}
dl.meta dd{margin:0;min-width:0;overflow-wrap:anywhere}
.fix{min-width:0}.fix pre{min-width:0}
.filters{display:flex;flex-wrap:wrap;gap:12px 20px;align-items:center;background:var(--panel);padding:10px 12px;border-radius:6px}
.filters fieldset{border:0;margin:0;padding:0;display:flex;gap:10px;flex-wrap:wrap}
.filters legend{font-weight:600;float:left;margin-right:8px}
select,button{font:inherit}
button{border:1px solid var(--line);background:#fff;border-radius:4px;padding:2px 10px;cursor:pointer}
button:hover{background:var(--panel)}
.group-model{margin:22px 0 4px;font-size:17px}
.group-subject{margin:12px 0 4px;font-size:15px;color:var(--muted)}
.finding{border:1px solid var(--line);border-left:6px solid var(--info);border-radius:4px;padding:8px 12px;margin:6px 0;break-inside:avoid}
.finding.severity-critical{border-left-color:var(--critical)}.finding.severity-high{border-left-color:var(--high)}.finding.severity-medium{border-left-color:var(--medium)}.finding.severity-low{border-left-color:var(--low)}
.finding h4{margin:0 0 4px;font-size:15px}
.finding p{margin:4px 0}
.fix{display:flex;gap:8px;align-items:flex-start}
.fix pre{margin:0;flex:1;white-space:pre-wrap;word-break:break-word;background:var(--panel);padding:6px 8px;border-radius:4px}
.waived{color:var(--muted);font-style:italic}
.pager{display:flex;gap:12px;align-items:center;margin:12px 0}
.graph-bar{display:flex;gap:16px;align-items:center;flex-wrap:wrap}
.legend{display:flex;flex-wrap:wrap;gap:6px 18px;list-style:none;padding:0;margin:8px 0;font-size:13px}
.legend li{display:flex;gap:6px;align-items:center}
.graph-wrap{display:grid;grid-template-columns:minmax(0,1fr) 340px;gap:16px;margin-top:8px}
#graph{overflow:auto;border:1px solid var(--line);border-radius:6px;max-height:75vh;background:#fff;align-self:start}
#node-panel{border:1px solid var(--line);border-radius:6px;padding:8px 12px;max-height:75vh;overflow:auto}
#node-panel h3{margin-top:4px}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Ubuntu,sans-serif;font-size:12px;fill:var(--fg)}
svg .node rect{fill:#fff;stroke:#666;stroke-width:1.5}
svg .node .label{font-weight:700;font-size:13px}
svg .node .detail{fill:var(--muted)}
svg .node .marks{fill:var(--high);font-weight:700}
svg .node{cursor:pointer}
svg .node:focus{outline:none}
svg .node:focus rect,svg .node.selected rect{stroke:var(--accent);stroke-width:3.5}
svg .kind-remote rect,svg .kind-consumer rect{stroke-dasharray:6 3}
svg .kind-offer rect{stroke-dasharray:2 2}
svg .kind-entry rect{stroke:#7a4b00;stroke-width:2.5}
svg .kind-pod rect{fill:#f3f3f3}
svg .worst-critical rect{stroke:var(--critical);stroke-width:3}svg .worst-high rect{stroke:var(--high);stroke-width:2.5}svg .worst-medium rect{stroke:var(--medium);stroke-width:2}
svg .edge path,line.sample{fill:none;stroke:#777;stroke-width:1.5}
svg .edge-offer path,svg .edge-consumes path,line.sample-offer{stroke:#2f6f9f;stroke-dasharray:8 4}
svg .edge-entry path,line.sample-entry{stroke:#7a4b00;stroke-width:2.5}
svg .reach-closed path,line.sample-closed{stroke:var(--closed);stroke-width:2;stroke-dasharray:10 5}
svg .reach-opened path,line.sample-opened{stroke:var(--opened);stroke-width:3}
svg .reach-unchanged path,line.sample-unchanged{stroke:var(--unchanged);stroke-width:1.5;stroke-dasharray:2 4}
svg .edge-label{font-size:11px;fill:#333}
svg .edge-label-bg{fill:#fff;fill-opacity:.85;stroke:none}
svg .edge path{pointer-events:stroke}
svg .edge.faded{opacity:.3}
.matrix-wrap{overflow:auto;max-height:75vh;border:1px solid var(--line);border-radius:6px}
table.reach-matrix{border-collapse:collapse;font-size:12px;margin:0}
table.reach-matrix th,table.reach-matrix td{border:1px solid var(--line);padding:3px 6px;white-space:nowrap;text-align:left}
table.reach-matrix thead th{position:sticky;top:0;background:var(--panel)}
table.reach-matrix tbody th{position:sticky;left:0;background:var(--panel)}
.cell-closed{background:#fbe3e3;color:var(--closed);font-weight:600}.cell-narrowed{background:#fdf0e1}
.cell-opened{background:#e3f3e6;color:var(--opened);font-weight:600}.cell-unchanged{color:var(--muted)}
.cell-none,.cell-self{color:var(--muted);text-align:center}
svg .edge.unlabelled .edge-label,svg .edge.unlabelled .edge-label-bg{display:none}
details{margin:8px 0}summary{cursor:pointer;font-weight:600}
#graph svg{display:block}
.state-closed{color:var(--closed);font-weight:700}.state-opened{color:var(--opened);font-weight:700}
.muted{color:var(--muted)}
@media (max-width:900px){.graph-wrap{grid-template-columns:1fr}}
@media print{
  body{font-size:11pt}
  header{background:none}
  .filters,.pager,button,.skip,.graph-bar select{display:none!important}
  #graph,#node-panel,.matrix-wrap{max-height:none;overflow:visible;border:0}
  .graph-wrap{display:block}
  #graph svg{max-width:100%;height:auto}
  a{color:inherit}
  a[href]::after{content:" (" attr(href) ")";font-size:9pt;color:#444}
  .finding,table tr{break-inside:avoid}
  h2{break-after:avoid}
}
`
export const ARROW_STYLES = `
.arrow{fill:#777}.arrow-offer,.arrow-consumes{fill:#2f6f9f}.arrow-entry{fill:#7a4b00}
.arrow-closed{fill:var(--closed)}.arrow-opened{fill:var(--opened)}.arrow-unchanged{fill:var(--unchanged)}
`
