import { el } from './api.js';

// Graph text stays this size on screen: the graph grows (and pans) rather than zooming out, since a
// fitted graph of many points shrank its labels to a few pixels.
const FONT_PX = 12;
const MIN_ZOOM = 0.9;
const NODE = { width: 184, height: 56 };
const GAP = { across: 40, down: 18 };

// Draws the `braid.trace` of an APAR or SGD response into `container` with cytoscape: APAR as its
// branch tree, SGD as the skeleton's point graph, both laid out left to right (depth across,
// siblings stacked) so a wide answer grows downwards in a column. Labels carry the steps each piece
// ran in, so the overlap that made the answer fast is visible; clicking a node shows its text.
export function drawTrace(container, trace) {
  container.replaceChildren();
  if (!trace) return;
  if (trace.type === 'lookahead') return lookahead(container, trace);
  const summary = el('p', { class: 'muted' });
  const elements = trace.type === 'apar' ? apar(trace, summary) : sgd(trace, summary);
  const { levels, widest } = shape(elements);
  const graph = el('div', { class: 'trace' });
  graph.style.height = `${Math.min(900, Math.max(240, widest * (NODE.height + GAP.down) + 40))}px`;
  const text = el('pre', { class: 'trace-text' }, 'Click a node to see its text.');
  container.append(summary, graph, text);
  const cy = cytoscape({
    container: graph,
    elements,
    // fitting a one-branch tree would blow its single node up to the whole panel
    maxZoom: 1.2,
    minZoom: MIN_ZOOM,
    layout: {
      name: 'preset',
      positions: node => ({
        x: levels.get(node.id()).depth * (NODE.width + GAP.across),
        y: levels.get(node.id()).row * (NODE.height + GAP.down),
      }),
    },
    style: [
      { selector: 'node', style: {
        label: 'data(label)', 'text-wrap': 'wrap', 'text-max-width': NODE.width - 12, 'font-size': FONT_PX,
        'text-valign': 'center', 'background-color': 'data(color)', shape: 'round-rectangle',
        width: NODE.width, height: NODE.height, color: '#fff' } },
      { selector: 'edge', style: {
        width: 1.5, 'line-color': '#9aa3b5', 'target-arrow-color': '#9aa3b5',
        'target-arrow-shape': 'triangle', 'curve-style': 'taxi', 'taxi-direction': 'rightward' } },
    ],
  });
  cy.fit(undefined, 20);
  if (cy.zoom() <= MIN_ZOOM) {
    // too big to fit at a readable size: keep the roots in view, the rest is a drag away
    cy.pan({ x: 20 + NODE.width / 2 * cy.zoom(), y: 20 + NODE.height / 2 * cy.zoom() });
  }
  cy.on('tap', 'node', e => { text.textContent = e.target.data('text') || '(no text)'; });
  return cy;
}

// Each node's depth (edges from the roots) and row (its place among the nodes at that depth, at or
// below its parent's row), and the most nodes at one depth, which sets the graph's height.
function shape(elements) {
  const nodes = elements.filter(e => !e.data.source).map(e => e.data.id);
  const parents = new Map(nodes.map(id => [id, []]));
  for (const e of elements) {
    if (e.data.source && parents.has(e.data.source) && parents.has(e.data.target)) {
      parents.get(e.data.target).push(e.data.source);
    }
  }
  const depth = new Map();
  const depthOf = id => {
    if (!depth.has(id)) {
      depth.set(id, 0); // a cycle (a malformed plan) then stops here
      depth.set(id, parents.get(id).reduce((d, p) => Math.max(d, depthOf(p) + 1), 0));
    }
    return depth.get(id);
  };
  const levels = new Map();
  const next = [];
  for (const id of nodes) {
    const d = depthOf(id);
    const below = parents.get(id).reduce((r, p) => Math.max(r, levels.get(p)?.row ?? 0), 0);
    const row = Math.max(next[d] ?? 0, below);
    next[d] = row + 1;
    levels.set(id, { depth: d, row });
  }
  return { levels, widest: Math.max(1, ...next.filter(n => n !== undefined)) };
}

// Lookahead keeps no tree: a strip of what each step accepted, in order, so the whole answer reads
// at a glance; steps that took a verified n-gram are marked, and hovering a step says what it took.
function lookahead(container, trace) {
  const guessed = trace.accepted.filter(a => a.from_ngram > 0);
  const fromNgrams = guessed.reduce((sum, a) => sum + a.from_ngram, 0);
  const steps = new Set(trace.accepted.map(a => a.step)).size;
  const summary = el('p', { class: 'muted' }, `Lookahead: ${trace.generated_tokens} tokens in `
    + `${steps} steps; ${fromNgrams} tokens came from ${guessed.length} accepted n-grams (marked; hover a step)`);
  const strips = new Map();
  for (const a of trace.accepted) {
    if (!strips.has(a.sequence)) strips.set(a.sequence, el('div', { class: 'lookahead-trace', dataset: { sequence: a.sequence } }));
    const what = a.from_ngram > 0
      ? `${a.tokens} tokens, ${a.from_ngram} of them from a verified n-gram`
      : `${a.tokens} token${a.tokens === 1 ? '' : 's'}`;
    strips.get(a.sequence).append(el('span', {
      class: a.from_ngram > 0 ? 'step ngram-hit' : 'step',
      title: `step ${a.step}: ${what}: ${JSON.stringify(a.text)}`,
      dataset: { step: a.step },
    }, a.text));
  }
  container.append(summary, ...strips.values());
  return null;
}

function steps(start, end) {
  return `steps ${start}–${end < 0 ? '…' : end}`;
}

function apar(trace, summary) {
  const sequences = new Set(trace.branches.map(b => b.sequence));
  summary.textContent = `APAR: ${trace.branches.length} branches in ${sequences.size} tree(s), `
    + `${trace.generated_tokens} generated tokens`;
  const id = b => `s${b.sequence}b${b.id}`;
  const out = [];
  for (const b of trace.branches) {
    out.push({ data: { id: id(b), label: `#${b.id} · ${b.tokens} tok\n${steps(b.start_step, b.end_step)}`,
      text: b.text, color: b.parent < 0 ? '#3559c7' : '#1b7f3b' } });
  }
  for (const b of trace.branches) {
    if (b.parent >= 0) out.push({ data: { source: `s${b.sequence}b${b.parent}`, target: id(b) } });
  }
  return out;
}

function sgd(trace, summary) {
  summary.textContent = trace.fallback_reason
    ? `SGD fell back to AR: ${trace.fallback_reason}`
    : `SGD: skeleton in ${trace.skeleton_steps} steps, ${trace.nodes.length} points, `
      + `${trace.generated_tokens} generated tokens`;
  const out = [{ data: { id: 'skeleton', label: `skeleton\n${trace.skeleton_steps} steps`,
    text: trace.skeleton, color: '#6b7385' } }];
  for (const n of trace.nodes) {
    out.push({ data: { id: `p${n.index}`,
      label: `${n.index}. ${n.title}\n${n.model} · ${n.tokens} tok · ${steps(n.start_step, n.end_step)}`,
      text: n.text, color: n.model === 'target' ? '#3559c7' : '#a23bb5' } });
  }
  for (const n of trace.nodes) {
    const parents = n.depends_on && n.depends_on.length ? n.depends_on.map(d => `p${d}`) : ['skeleton'];
    for (const p of parents) out.push({ data: { source: p, target: `p${n.index}` } });
  }
  return out;
}
