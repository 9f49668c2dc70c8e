/**
 * The page's script, inlined as text: reads the JSON data block, lays each graph out with dagre
 * (inlined before it) and draws it as SVG, lists the findings (grouped, filtered, paginated), and
 * shows a node's findings when it is clicked or activated from the keyboard. Input text is only
 * ever set with textContent or setAttribute on inert attributes: never parsed as markup.
 */
export const CLIENT_SCRIPT = String.raw`(function () {
'use strict';
var data = JSON.parse(document.getElementById('report-data').textContent);
var SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];
var PAGE_SIZE = 50;
var SVG_NS = 'http://www.w3.org/2000/svg';
var MIN_SCALE = 0.6;
/** More connections than this are named only while one of their boxes is selected. */
var NAMED_CONNECTIONS = 12;
var REACH_PAGE = data.kind === 'reconcile' || data.kind === 'matrix';
var state = {page: 0, graph: null, selected: null, printing: false, layout: null, overlay: [], reachLayer: null, namesOnSelection: false};

function el(tag, attrs, children) {
  var node = document.createElement(tag);
  setAll(node, attrs);
  (children || []).forEach(function (child) { if (child) node.appendChild(child); });
  return node;
}
function svgEl(tag, attrs) {
  var node = document.createElementNS(SVG_NS, tag);
  setAll(node, attrs);
  return node;
}
function setAll(node, attrs) {
  Object.keys(attrs || {}).forEach(function (key) {
    if (key === 'text') node.textContent = attrs[key];
    else node.setAttribute(key, String(attrs[key]));
  });
}
function byId(id) { return document.getElementById(id); }
function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
function plural(n, word) { return n + ' ' + word + (n === 1 ? '' : 's'); }

/* ---------- findings ---------- */
var findings = data.findings.map(function (finding, index) { finding.index = index; return finding; });
var ordered = findings.slice().sort(function (a, b) {
  return a.model < b.model ? -1 : a.model > b.model ? 1 : a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : a.index - b.index;
});

function findingCard(finding) {
  var cited = data.guides[finding.guide];
  var guide = el('dd');
  if (cited.url && /^https:\/\//.test(cited.url)) {
    guide.appendChild(el('a', {href: cited.url, rel: 'noopener noreferrer', target: '_blank', text: cited.title}));
  } else {
    guide.appendChild(el('span', {text: cited.title}));
  }
  guide.appendChild(document.createTextNode(' § ' + cited.section));
  var meta = el('dl', {'class': 'meta'}, [el('dt', {text: 'Guide'}), guide]);
  if (finding.location) { meta.appendChild(el('dt', {text: 'Location'})); meta.appendChild(el('dd', {}, [el('code', {text: finding.location})])); }
  var code = el('code', {text: finding.fix});
  var copy = el('button', {type: 'button', 'class': 'copy', 'aria-label': 'Copy the fix for ' + finding.rule + ' on ' + finding.subject, text: 'Copy'});
  copy.addEventListener('click', function () { copyText(finding.fix, code, copy); });
  meta.appendChild(el('dt', {text: finding.autoFixable ? 'Fix (reconcile can apply it)' : 'Fix'}));
  meta.appendChild(el('dd', {}, [el('div', {'class': 'fix'}, [el('pre', {}, [code]), copy])]));
  var children = [
    el('h4', {}, [el('span', {'class': 'sev sev-' + finding.severity, text: finding.severity}), document.createTextNode(' ' + finding.rule + ' — ' + finding.title)]),
    el('p', {text: finding.message}),
  ];
  if (finding.waived) children.push(el('p', {'class': 'waived', text: 'Waived: ' + finding.waived}));
  children.push(meta);
  return el('article', {'class': 'finding severity-' + finding.severity, 'data-rule': finding.rule, 'data-severity': finding.severity, 'data-model': finding.model}, children);
}

function copyText(text, source, button) {
  var done = function () { button.textContent = 'Copied'; setTimeout(function () { button.textContent = 'Copy'; }, 1500); };
  var fallback = function () {
    var range = document.createRange();
    range.selectNodeContents(source);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    try { if (document.execCommand('copy')) done(); else button.textContent = 'Press Ctrl+C'; } catch (e) { button.textContent = 'Press Ctrl+C'; }
  };
  if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(text).then(done, fallback);
  else fallback();
}

function filtered() {
  var severities = {};
  document.querySelectorAll('input[name=severity]').forEach(function (box) { severities[box.value] = box.checked; });
  var rule = byId('filter-rule') ? byId('filter-rule').value : '';
  var model = byId('filter-model') ? byId('filter-model').value : '';
  return ordered.filter(function (f) { return severities[f.severity] !== false && (!rule || f.rule === rule) && (!model || f.model === model); });
}

function renderFindings() {
  var list = byId('finding-list');
  if (!list) return;
  clear(list);
  var shown = filtered();
  var pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
  if (state.page >= pages) state.page = pages - 1;
  var slice = state.printing ? shown : shown.slice(state.page * PAGE_SIZE, (state.page + 1) * PAGE_SIZE);
  var model = null, subject = null;
  slice.forEach(function (finding) {
    if (finding.model !== model) { model = finding.model; subject = null; list.appendChild(el('h3', {'class': 'group-model', text: model})); }
    if (finding.subject !== subject) { subject = finding.subject; list.appendChild(el('h4', {'class': 'group-subject', text: subject})); }
    list.appendChild(findingCard(finding));
  });
  if (shown.length === 0) list.appendChild(el('p', {'class': 'muted', text: findings.length === 0 ? 'No findings.' : 'No finding matches the filters.'}));
  byId('finding-count').textContent = 'Showing ' + shown.length + ' of ' + plural(findings.length, 'finding') + (pages > 1 ? ', page ' + (state.page + 1) + ' of ' + pages : '') + '.';
  byId('page-prev').disabled = state.page === 0;
  byId('page-next').disabled = state.page >= pages - 1;
  byId('pager').hidden = pages <= 1;
}

function setupFilters() {
  var form = byId('filters');
  if (!form) return;
  var fill = function (select, values) { values.forEach(function (value) { select.appendChild(el('option', {value: value, text: value})); }); };
  fill(byId('filter-rule'), uniq(findings.map(function (f) { return f.rule; })).sort());
  fill(byId('filter-model'), uniq(findings.map(function (f) { return f.model; })).sort());
  form.addEventListener('change', function () { state.page = 0; renderFindings(); });
  byId('page-prev').addEventListener('click', function () { state.page--; renderFindings(); });
  byId('page-next').addEventListener('click', function () { state.page++; renderFindings(); });
}
function uniq(values) { return values.filter(function (v, i) { return values.indexOf(v) === i; }); }

/* ---------- graph ---------- */
function findingsOf(graph, nodeId) {
  var ref = graph.id + ' node:' + nodeId;
  return findings.filter(function (f) { return f.node === ref; });
}
function worst(list) {
  for (var i = 0; i < SEVERITIES.length; i++) if (list.some(function (f) { return !f.waived && f.severity === SEVERITIES[i]; })) return SEVERITIES[i];
  return null;
}
function clip(text, max) { return text.length > max ? text.slice(0, max - 1) + '…' : text; }

function nodeLines(graph, node) {
  var lines = [{text: clip(node.label, 34), cls: 'label'}];
  node.details.forEach(function (detail) { if (detail) lines.push({text: clip(detail, 40), cls: 'detail'}); });
  if (node.marks.length) lines.push({text: node.marks.map(function (m) { return '[' + m + ']'; }).join(' '), cls: 'marks'});
  var own = findingsOf(graph, node.id);
  if (own.length) lines.push({text: plural(own.length, 'finding') + ', worst ' + worst(own), cls: 'detail'});
  var reach = reachSummary(graph, node.id);
  if (reach) lines.push({text: reach, cls: 'detail'});
  return lines;
}

/** What the plan changes for a box, counted: the overview draws paths without their ports. */
function reachSummary(graph, nodeId) {
  var count = function (state, direction) {
    return graph.edges.filter(function (e) { return e.kind === 'reach' && e.state === state && e.from !== e.to && (direction === 'in' ? e.to : e.from) === nodeId; }).length;
  };
  var parts = [];
  [['closed', '✕ closed'], ['opened', '+ opened']].forEach(function (entry) {
    var into = count(entry[0], 'in'), out = count(entry[0], 'out');
    if (into || out) parts.push(entry[1] + ': ' + into + ' in, ' + out + ' out');
  });
  return parts.join('; ');
}

function drawGraph(graph, keepSelection) {
  var host = byId('graph');
  clear(host);
  var kept = keepSelection && state.graph === graph ? state.selected : null;
  state.graph = graph;
  state.selected = null;
  state.reachLayer = null;
  state.overlay = [];
  drawMatrix(graph);
  if (!graph.nodes.length) { host.appendChild(el('p', {'class': 'muted', text: 'Nothing to draw for ' + graph.title + '.'})); showNode(null); return; }
  var showRelations = !byId('show-relations') || byId('show-relations').checked;
  var showUnchanged = !byId('show-unchanged') || byId('show-unchanged').checked;
  // dagre lays out the estate's structure (relations, offers, entry points); reachability is drawn
  // over it as curves, so a namespace where everyone reaches everyone does not scramble the layout.
  var overlay = [];
  var layout = function (rankdir) {
    var g = new dagre.graphlib.Graph({multigraph: true});
    g.setGraph({rankdir: rankdir, nodesep: 26, ranksep: rankdir === 'LR' ? 110 : 70, edgesep: 14, marginx: 40, marginy: 40});
    g.setDefaultEdgeLabel(function () { return {}; });
    graph.nodes.forEach(function (node) {
      var lines = nodeLines(graph, node);
      var width = Math.max.apply(null, lines.map(function (line) { return line.text.length * (line.cls === 'label' ? 8 : 6.6); })) + 24;
      g.setNode(node.id, {width: Math.max(110, width), height: lines.length * 17 + 14, lines: lines, data: node});
    });
    overlay = [];
    var drawn = graph.edges.filter(function (edge) {
      if (edge.kind !== 'reach' && !showRelations) return false;
      if (edge.state === 'unchanged' && !showUnchanged) return false;
      return edge.from !== edge.to && g.hasNode(edge.from) && g.hasNode(edge.to);
    });
    // Many labels together cover the graph: a reachability page (whose paths are drawn over the
    // connections), or a graph of many connections, names a connection only while one of its boxes
    // is selected, and the layout keeps no room for the names.
    state.namesOnSelection = REACH_PAGE || drawn.filter(function (edge) { return edge.kind !== 'reach'; }).length > NAMED_CONNECTIONS;
    drawn.forEach(function (edge, i) {
      var label = edgeLabel(edge);
      if (edge.kind === 'reach') { overlay.push({data: edge, label: label}); return; }
      var room = !state.namesOnSelection;
      g.setEdge(edge.from, edge.to, {width: room ? label.length * 6.2 : 0, height: room ? 14 : 0, labelpos: 'c', data: edge, label: label}, 'e' + i);
    });
    dagre.layout(g);
    return g;
  };
  // Left to right reads best; top to bottom when that is much wider than the page.
  var g = layout('LR');
  if (g.graph().width > host.clientWidth * 1.5) {
    var tall = layout('TB');
    if (tall.graph().width < g.graph().width) g = tall; else g = layout('LR');
  }
  var size = g.graph();
  var svg = svgEl('svg', {width: Math.ceil(size.width), height: Math.ceil(size.height), viewBox: '0 0 ' + Math.ceil(size.width) + ' ' + Math.ceil(size.height), role: 'group', 'aria-label': 'Graph of ' + graph.title});
  svg.appendChild(markers());
  var edgesLayer = svgEl('g', {'class': 'edges'});
  g.edges().forEach(function (key) {
    var info = g.edge(key);
    var edge = info.data;
    var d = info.points.map(function (p, i) { return (i ? 'L' : 'M') + p.x.toFixed(1) + ' ' + p.y.toFixed(1); }).join(' ');
    var cls = 'edge edge-' + edge.kind + (edge.state ? ' reach-' + edge.state : '');
    var group = svgEl('g', {'class': cls, 'data-from': edge.from, 'data-to': edge.to});
    group.appendChild(svgEl('title', {text: g.node(edge.from).data.label + ' → ' + g.node(edge.to).data.label + ': ' + info.label}));
    group.appendChild(svgEl('path', {d: d, 'marker-end': 'url(#arrow-' + (edge.state || edge.kind) + ')'}));
    // A label laid out without room (named only on selection) has no place of its own: the line's middle.
    var at = typeof info.x === 'number' ? info : info.points[Math.floor(info.points.length / 2)];
    var width = info.label.length * 6.2;
    group.appendChild(svgEl('rect', {'class': 'edge-label-bg', x: at.x - width / 2, y: at.y - 8, width: width, height: 16, rx: 3}));
    group.appendChild(svgEl('text', {'class': 'edge-label', x: at.x, y: at.y + 4, 'text-anchor': 'middle', text: info.label}));
    edgesLayer.appendChild(group);
  });
  // Reachability is drawn in its own layer, again whenever the selection changes (showSelection).
  state.layout = g;
  state.overlay = overlay;
  state.reachLayer = svgEl('g', {'class': 'reach-layer'});
  edgesLayer.appendChild(state.reachLayer);
  svg.appendChild(edgesLayer);
  var nodesLayer = svgEl('g', {'class': 'nodes'});
  g.nodes().forEach(function (id) {
    var info = g.node(id);
    var node = info.data;
    var own = findingsOf(graph, id);
    var w = worst(own);
    var group = svgEl('g', {
      'class': 'node kind-' + node.kind + (w ? ' worst-' + w : ''),
      tabindex: 0, role: 'button', 'data-node-id': id, 'data-kind': node.kind,
      'aria-label': node.kind + ' ' + node.label + (node.marks.length ? ', ' + node.marks.join(', ') : '') + ', ' + plural(own.length, 'finding'),
      transform: 'translate(' + (info.x - info.width / 2).toFixed(1) + ',' + (info.y - info.height / 2).toFixed(1) + ')',
    });
    group.appendChild(svgEl('title', {text: node.label + (node.details.length ? ' — ' + node.details.join(' · ') : '')}));
    group.appendChild(svgEl('rect', {width: info.width, height: info.height, rx: node.kind === 'application' ? 8 : 2}));
    info.lines.forEach(function (line, i) { group.appendChild(svgEl('text', {'class': line.cls, x: 12, y: 22 + i * 17, text: line.text})); });
    var activate = function () { if (state.selected === id) clearSelection(); else selectNode(group, node); };
    group.addEventListener('click', activate);
    group.addEventListener('keydown', function (event) { if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); activate(); } });
    nodesLayer.appendChild(group);
  });
  svg.appendChild(nodesLayer);
  host.appendChild(svg);
  // Shrunk to fit the box (its width, and three quarters of the window's height) while its text
  // stays legible (12px at full size, not below 0.6 of it); a larger graph scrolls at that scale.
  var scale = Math.max(MIN_SCALE, Math.min(1, (host.clientWidth - 2) / size.width, (window.innerHeight * 0.75 - 2) / size.height));
  svg.setAttribute('width', String(Math.ceil(size.width * scale)));
  svg.setAttribute('height', String(Math.ceil(size.height * scale)));
  var again = kept ? nodesLayer.querySelector('g.node[data-node-id="' + cssString(kept) + '"]') : null;
  if (again) selectNode(again, g.node(kept).data);
  else { showNode(null); showSelection(); }
}
function cssString(text) { return text.replace(/["\\]/g, '\\$&'); }

/**
 * What the selection shows on the graph: the selected box's reachability paths, each naming its
 * ports (with nothing selected there are none: where everyone reached everyone there is a path for
 * every pair, and drawn together they cover the graph; the matrix under it shows every path), and
 * its connections named with the others faded.
 */
function showSelection() {
  var selected = state.selected;
  var layer = state.reachLayer;
  if (layer) clear(layer);
  var own = state.overlay.filter(function (entry) { return selected !== null && (entry.data.from === selected || entry.data.to === selected); });
  own.forEach(function (entry) { layer.appendChild(curve(state.layout.node(entry.data.from), state.layout.node(entry.data.to), entry.data, entry.label)); });
  document.querySelectorAll('#graph g.edge:not(.edge-reach)').forEach(function (group) {
    var touching = selected !== null && (group.getAttribute('data-from') === selected || group.getAttribute('data-to') === selected);
    group.classList.toggle('faded', selected !== null && !touching);
    group.classList.toggle('unlabelled', state.namesOnSelection && !touching);
  });
  var note = byId('graph-note');
  if (!note) return;
  var how = 'select a box (click it, or Tab to it and press Enter)';
  var again = ' Select it again, or press Escape, to clear.';
  var box = selected === null ? '' : state.layout.node(selected).data.label;
  if (REACH_PAGE && state.overlay.length) {
    note.textContent = selected === null
      ? 'To draw the paths into and out of a box, each with its ports, ' + how + '. The matrix under the graph shows every path.'
      : plural(own.length, 'path') + ' into and out of ' + box + ' drawn, each with its ports.' + again;
  } else if (state.namesOnSelection) {
    note.textContent = selected === null ? 'To name a box\'s connections, ' + how + '.' : 'The connections of ' + box + ' named, the others faded.' + again;
  } else note.textContent = '';
}

/**
 * Every path of the graph's namespace in one table: a row's pods to a column's, before → after.
 * A matrix stays readable where a drawing of every pair cannot (40 applications: 1,600 pairs).
 */
function drawMatrix(graph) {
  var host = byId('reach-matrix');
  if (!host) return;
  clear(host);
  var reach = graph.edges.filter(function (e) { return e.kind === 'reach' && e.from !== e.to; });
  host.appendChild(el('h3', {id: 'reach-matrix-heading', text: 'Who reaches whom: ' + graph.title}));
  if (!reach.length) { host.appendChild(el('p', {'class': 'muted', text: 'No pod of this model was read: nothing to show.'})); return; }
  var nodes = {};
  graph.nodes.forEach(function (node) { nodes[node.id] = node; });
  var name = function (id) { return nodes[id] ? nodes[id].label : id; };
  // Outside the cluster first, then by name, numbers in names as numbers (app-2 before app-10).
  var byName = function (a, b) { return a === 'outside' ? -1 : b === 'outside' ? 1 : name(a).localeCompare(name(b), 'en', {numeric: true}); };
  var sources = uniq(reach.map(function (e) { return e.from; })).sort(byName);
  var targets = uniq(reach.map(function (e) { return e.to; })).sort(byName);
  var cells = {};
  reach.forEach(function (e) { var key = e.from + '\u0000' + e.to; (cells[key] = cells[key] || []).push(e); });
  host.appendChild(el('p', {'class': 'muted', text: 'Each row is where connections start, each column where they arrive; a cell says what the plan does to that path: ✕ closed (nothing reachable after), ✕ narrowed (only the ports named stay reachable), + opened, = reachable before and after, and — neither before nor after. Hover a cell for the ports in full.'}));
  var head = el('tr', {}, [el('th', {scope: 'col', text: 'from ↓ to →'})].concat(targets.map(function (id) { return el('th', {scope: 'col', text: name(id)}); })));
  var rows = sources.map(function (from) {
    return el('tr', {}, [el('th', {scope: 'row', text: name(from)})].concat(targets.map(function (to) {
      if (from === to) return el('td', {'class': 'cell-self', text: '·'});
      var edges = cells[from + '\u0000' + to] || [];
      if (!edges.length) return el('td', {'class': 'cell-none', text: '—', title: name(from) + ' → ' + name(to) + ': not reachable before or after'});
      var cell = el('td', {'class': edges.map(function (e) { return 'cell-' + cellState(e); }).join(' '), title: edges.map(function (e) { return name(from) + ' → ' + name(to) + ': ' + edgeLabel(e); }).join('\n')});
      edges.forEach(function (e, i) {
        if (i) cell.appendChild(el('br'));
        cell.appendChild(document.createTextNode(cellText(e)));
      });
      return cell;
    })));
  });
  var table = el('table', {'class': 'reach-matrix', 'aria-labelledby': 'reach-matrix-heading'}, [el('thead', {}, [head]), el('tbody', {}, rows)]);
  host.appendChild(el('div', {'class': 'matrix-wrap'}, [table]));
}
function cellState(edge) { return edge.state === 'closed' && edge.keeps ? 'narrowed' : edge.state; }
function cellText(edge) {
  switch (cellState(edge)) {
    case 'closed': return '✕ closed';
    case 'narrowed': return '✕ narrowed: ' + clip(edge.keeps, 28);
    case 'opened': return '+ opened ' + clip(edge.label, 28);
    default: return '= ' + clip(edge.label, 28);
  }
}

/** A reachability edge: a curve from one box's border to the other's, bent to one side so A→B and B→A stay apart. */
function curve(from, to, edge, label) {
  var dx = to.x - from.x, dy = to.y - from.y;
  var length = Math.sqrt(dx * dx + dy * dy) || 1;
  var bend = Math.max(24, length * 0.18);
  var control = {x: (from.x + to.x) / 2 - (dy / length) * bend, y: (from.y + to.y) / 2 + (dx / length) * bend};
  var start = border(from, control), end = border(to, control);
  var mid = {x: 0.25 * start.x + 0.5 * control.x + 0.25 * end.x, y: 0.25 * start.y + 0.5 * control.y + 0.25 * end.y};
  var group = svgEl('g', {'class': 'edge edge-reach reach-' + edge.state, 'data-from': edge.from, 'data-to': edge.to});
  group.appendChild(svgEl('title', {text: from.data.label + ' → ' + to.data.label + ': ' + label}));
  group.appendChild(svgEl('path', {d: 'M' + start.x.toFixed(1) + ' ' + start.y.toFixed(1) + ' Q' + control.x.toFixed(1) + ' ' + control.y.toFixed(1) + ' ' + end.x.toFixed(1) + ' ' + end.y.toFixed(1), 'marker-end': 'url(#arrow-' + edge.state + ')'}));
  var width = label.length * 6.2;
  group.appendChild(svgEl('rect', {'class': 'edge-label-bg', x: mid.x - width / 2, y: mid.y - 8, width: width, height: 16, rx: 3}));
  group.appendChild(svgEl('text', {'class': 'edge-label', x: mid.x, y: mid.y + 4, 'text-anchor': 'middle', text: label}));
  return group;
}
/** Where the line from a box's centre towards a point leaves the box. */
function border(box, toward) {
  var dx = toward.x - box.x, dy = toward.y - box.y;
  if (!dx && !dy) return {x: box.x, y: box.y};
  var scale = Math.min(box.width / 2 / Math.abs(dx || 1e-9), box.height / 2 / Math.abs(dy || 1e-9));
  return {x: box.x + dx * scale, y: box.y + dy * scale};
}

function edgeLabel(edge) {
  if (edge.kind !== 'reach') return clip(edge.label, 48);
  var word = edge.state === 'closed' ? '✕ closed ' : edge.state === 'opened' ? '+ opened ' : '= ';
  return clip(word + edge.label, 48);
}

function markers() {
  var defs = svgEl('defs');
  ['relation', 'offer', 'consumes', 'entry', 'closed', 'opened', 'unchanged'].forEach(function (name) {
    var marker = svgEl('marker', {id: 'arrow-' + name, viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse'});
    marker.appendChild(svgEl('path', {d: 'M0 0 L10 5 L0 10 z', 'class': 'arrow arrow-' + name}));
    defs.appendChild(marker);
  });
  return defs;
}

function selectNode(group, node) {
  document.querySelectorAll('#graph .node.selected').forEach(function (other) { other.classList.remove('selected'); other.setAttribute('aria-pressed', 'false'); });
  group.classList.add('selected');
  group.setAttribute('aria-pressed', 'true');
  state.selected = node.id;
  showNode(node);
  showSelection();
}
function clearSelection() {
  document.querySelectorAll('#graph .node.selected').forEach(function (other) { other.classList.remove('selected'); other.setAttribute('aria-pressed', 'false'); });
  state.selected = null;
  showNode(null);
  showSelection();
}

function showNode(node) {
  var panel = byId('node-panel');
  clear(panel);
  if (!node) { panel.appendChild(el('p', {'class': 'muted', text: 'Select a node (click it, or Tab to it and press Enter) to see its findings and connections.'})); return; }
  var graph = state.graph;
  panel.appendChild(el('h3', {text: node.label}));
  var facts = el('ul', {}, [el('li', {text: 'Kind: ' + node.kind})].concat(
    node.details.filter(Boolean).map(function (d) { return el('li', {text: d}); }),
    node.marks.length ? [el('li', {text: 'Marked: ' + node.marks.join(', ')})] : []));
  panel.appendChild(facts);
  var edges = graph.edges.filter(function (e) { return e.from === node.id || e.to === node.id; });
  if (edges.length) {
    panel.appendChild(el('h4', {text: 'Connections'}));
    var label = function (id) { var other = graph.nodes.filter(function (n) { return n.id === id; })[0]; return other ? other.label : id; };
    panel.appendChild(el('ul', {}, edges.map(function (e) {
      return el('li', {'class': e.state ? 'state-' + e.state : '', text: label(e.from) + ' → ' + label(e.to) + ': ' + (e.state ? e.state + ' ' : '') + e.label});
    })));
  }
  if (data.kind !== 'audit' && data.kind !== 'review') return;
  var own = findingsOf(graph, node.id);
  var heading = el('h4', {id: 'node-findings-heading', text: own.length ? plural(own.length, 'finding') : 'No findings'});
  panel.appendChild(heading);
  var list = el('div', {'class': 'node-findings', 'aria-labelledby': 'node-findings-heading'});
  own.forEach(function (finding) { list.appendChild(findingCard(finding)); });
  panel.appendChild(list);
}

function setupGraphs() {
  var select = byId('graph-select');
  if (!select) return;
  data.graphs.forEach(function (graph, i) {
    select.appendChild(el('option', {value: String(i), text: graph.title + ' — ' + plural(graph.nodes.length, 'node')}));
  });
  select.addEventListener('change', function () { drawGraph(data.graphs[Number(select.value)], false); });
  ['show-relations', 'show-unchanged'].forEach(function (id) { if (byId(id)) byId(id).addEventListener('change', function () { drawGraph(data.graphs[Number(select.value)], true); }); });
  document.addEventListener('keydown', function (event) { if (event.key === 'Escape' && state.selected !== null) clearSelection(); });
  if (data.graphs.length) drawGraph(data.graphs[0]);
}

window.addEventListener('beforeprint', function () { state.printing = true; document.querySelectorAll('details').forEach(function (d) { d.open = true; }); renderFindings(); });
window.addEventListener('afterprint', function () { state.printing = false; renderFindings(); });
setupGraphs();
setupFilters();
renderFindings();
document.documentElement.setAttribute('data-ready', 'true');
})();
`
