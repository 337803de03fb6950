import { el } from './api.js';

// Draws the `braid.trace` of an APAR or SGD response into `container` with cytoscape: APAR as its
// branch tree, SGD as the skeleton's point graph. Labels carry the steps each piece ran in, so the
// overlap that made the answer fast is visible; clicking a node shows its text.
export function drawTrace(container, trace) {
  container.replaceChildren();
  if (!trace) return;
  if (trace.type === 'lookahead') return lookahead(container, trace);
  const graph = el('div', { class: 'trace' });
  const text = el('pre', { class: 'trace-text' }, 'Click a node to see its text.');
  const summary = el('p', { class: 'muted' });
  container.append(summary, graph, text);
  const elements = trace.type === 'apar' ? apar(trace, summary) : sgd(trace, summary);
  const cy = cytoscape({
    container: graph,
    elements,
    // fitting a one-branch tree would blow its single node up to the whole panel
    maxZoom: 1.2,
    layout: { name: 'breadthfirst', directed: true, spacingFactor: 1.1 },
    style: [
      { selector: 'node', style: {
        label: 'data(label)', 'text-wrap': 'wrap', 'text-max-width': 160, 'font-size': 10,
        'text-valign': 'center', 'background-color': 'data(color)', shape: 'round-rectangle',
        width: 170, height: 44, color: '#fff' } },
      { selector: 'edge', style: {
        width: 1.5, 'line-color': '#9aa3b5', 'target-arrow-color': '#9aa3b5',
        'target-arrow-shape': 'triangle', 'curve-style': 'bezier' } },
    ],
  });
  cy.on('tap', 'node', e => { text.textContent = e.target.data('text') || '(no text)'; });
  return cy;
}

// Lookahead keeps no tree: a table of what each step accepted, the verified n-gram part marked.
function lookahead(container, trace) {
  const guessed = trace.accepted.filter(a => a.from_ngram > 0);
  const fromNgrams = guessed.reduce((sum, a) => sum + a.from_ngram, 0);
  const summary = el('p', { class: 'muted' }, `Lookahead: ${trace.generated_tokens} tokens in `
    + `${trace.accepted.length} steps; ${fromNgrams} tokens came from ${guessed.length} accepted n-grams`);
  const rows = trace.accepted.map(a => el('tr', { class: a.from_ngram > 0 ? 'ngram-hit' : '' },
    el('td', {}, String(a.sequence)), el('td', {}, String(a.step)), el('td', {}, String(a.tokens)),
    el('td', {}, String(a.from_ngram)), el('td', {}, el('code', {}, JSON.stringify(a.text)))));
  const table = el('table', { class: 'lookahead-trace' },
    el('thead', {}, el('tr', {}, ...['sequence', 'step', 'tokens', 'from n-gram', 'accepted text']
      .map(h => el('th', {}, h)))),
    el('tbody', {}, ...rows));
  container.append(summary, table);
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
