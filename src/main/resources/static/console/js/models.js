import { getJson, send, el, fillSelect } from './api.js';

const POLL_MS = 5000;
let root;
let stepCost;
let timer;
let models = [];
let editing;

export function init(section) {
  root = section;
  root.querySelector('#register-form').addEventListener('submit', register);
  root.querySelector('#edit-form').addEventListener('submit', saveEdit);
  root.querySelector('#edit-cancel').addEventListener('click', () => { root.querySelector('#edit-form').hidden = true; });
}

// Loading weights takes a while: polling shows a model move from loading to loaded (or failed).
export function show() {
  refresh();
  timer = setInterval(refresh, POLL_MS);
}

export function hide() {
  clearInterval(timer);
}

function message(text, isError) {
  const p = root.querySelector('#models-message');
  p.textContent = text;
  p.className = isError ? 'message error' : 'message';
}

async function refresh() {
  try {
    models = await getJson('/api/admin/models');
  } catch (e) {
    message(`could not list models: ${e.message}`, true);
    return;
  }
  const names = models.map(m => m.name);
  fillSelect(root.querySelector('#reg-draft'), names, { empty: '(none)' });
  const body = root.querySelector('#models-table tbody');
  body.replaceChildren(...models.map(row));
  drawStepCost();
}

// One line per loaded worker; tokens on a log axis, since the curve's points double (1, 2, 4, ... 128).
function drawStepCost() {
  if (!stepCost) {
    stepCost = new Chart(root.querySelector('#chart-step-cost'), {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        scales: {
          x: { type: 'logarithmic', title: { display: true, text: 'query tokens in the step' } },
          y: { beginAtZero: true, title: { display: true, text: 'ms per step' } },
        },
        plugins: { legend: { position: 'bottom' } },
      },
    });
  }
  stepCost.data.datasets = models.flatMap(m => (m.workers || [])
    .filter(w => (w.step_cost || []).length > 0)
    .map(w => ({ label: `${m.name} · ${w.name}`, data: w.step_cost.map(p => ({ x: p.tokens, y: p.millis })) })));
  stepCost.update();
  // what a guessed token adds for the context it attends over, which the curve (timed without context) leaves out
  const context = models.flatMap(m => (m.workers || [])
    .filter(w => (w.step_cost || []).length > 0)
    .map(w => `${m.name} · ${w.name}: +${w.step_cost_per_context} ms`));
  // what the first step on the packed copy of the weights pays after steps on the others (a guess after plain steps)
  const switching = models.flatMap(m => (m.workers || [])
    .filter(w => w.step_cost_switch_to_packed > 0 || w.step_cost_switch_from_packed > 0)
    .map(w => `${m.name} · ${w.name}: +${w.step_cost_switch_to_packed} ms (+${w.step_cost_switch_from_packed} ms back)`));
  root.querySelector('#step-cost-context').textContent = [
    context.length ? `Per query token and 1,000 tokens of context it attends over: ${context.join('; ')}.` : '',
    switching.length ? `A step on the packed weights after steps on the others: ${switching.join('; ')}.` : '',
  ].filter(Boolean).join(' ');
}

// "cpu: on 1 thread rows first for 1 row, packed for 2–3 rows, …; on 2 threads …": the method names as
// the API spells them, in words, one group per thread count the worker timed.
function products(w) {
  const byThreads = new Map();
  for (const p of w.products || []) {
    const rows = p.to_rows == null ? `${p.from_rows}+ rows`
      : p.from_rows === p.to_rows ? `${p.from_rows} row${p.from_rows === 1 ? '' : 's'}` : `${p.from_rows}–${p.to_rows} rows`;
    byThreads.set(p.threads, [...(byThreads.get(p.threads) || []), `${p.method.toLowerCase().replaceAll('_', ' ')} for ${rows}`]);
  }
  const groups = [...byThreads].map(([threads, ranges]) => `on ${threads} thread${threads === 1 ? '' : 's'} ${ranges.join(', ')}`);
  return groups.length ? `${w.name}: ${groups.join('; ')}` : '';
}

function row(m) {
  const workers = (m.workers || []).map(w => `${w.name} (${w.dtype}): ${w.used_blocks}/${w.total_blocks}`).join(', ');
  const loaded = m.state === 'loaded' || m.state === 'loading';
  return el('tr', { dataset: { model: m.name } },
    el('td', {}, m.name),
    el('td', { class: `state-${m.state}`, title: m.error || '' }, m.state + (m.error ? ` (${m.error})` : '')),
    el('td', {}, m.path),
    el('td', { class: 'capabilities' }, (m.capabilities || []).join(', ')),
    el('td', { class: 'draft' }, m.draft_partner || ''),
    el('td', {}, m.context_length ?? ''),
    el('td', {}, workers),
    el('td', { class: 'products' }, (m.workers || []).map(products).filter(Boolean).join('; ')),
    el('td', {},
      el('button', { class: 'secondary', onclick: () => edit(m) }, 'Edit'), ' ',
      el('button', { class: 'secondary', onclick: () => act(m.name, loaded ? 'unload' : 'load') },
        loaded ? 'Unload' : 'Load'), ' ',
      el('button', { class: 'secondary', onclick: () => remove(m.name) }, 'Delete')));
}

function checked(form) {
  return [...form.querySelectorAll('input[name=capability]:checked')].map(i => i.value);
}

async function register(event) {
  event.preventDefault();
  const form = event.target;
  const body = {
    name: form.querySelector('#reg-name').value.trim(),
    path: form.querySelector('#reg-path').value.trim(),
    capabilities: checked(form),
    draft_partner: form.querySelector('#reg-draft').value || null,
    load: form.querySelector('#reg-load').checked,
  };
  const button = form.querySelector('#reg-submit');
  button.disabled = true;
  message(`registering ${body.name}…`);
  try {
    const view = await send('POST', '/api/admin/models', body);
    message(`registered ${view.name} (${view.state})`);
    form.reset();
  } catch (e) {
    message(`register failed: ${e.message}`, true);
  } finally {
    button.disabled = false;
    refresh();
  }
}

function edit(m) {
  editing = m.name;
  const form = root.querySelector('#edit-form');
  form.querySelector('#edit-name').textContent = m.name;
  for (const box of form.querySelectorAll('input[name=capability]')) box.checked = (m.capabilities || []).includes(box.value);
  fillSelect(form.querySelector('#edit-draft'), models.map(x => x.name).filter(n => n !== m.name),
    { empty: '(none)', selected: m.draft_partner || '' });
  form.hidden = false;
}

async function saveEdit(event) {
  event.preventDefault();
  const form = event.target;
  try {
    // "" removes the partner (the API's convention); null would leave it unchanged.
    await send('PATCH', `/api/admin/models/${encodeURIComponent(editing)}`,
      { capabilities: checked(form), draft_partner: form.querySelector('#edit-draft').value });
    message(`updated ${editing}`);
    form.hidden = true;
  } catch (e) {
    message(`update failed: ${e.message}`, true);
  }
  refresh();
}

async function act(name, action) {
  message(`${action}ing ${name}…`);
  try {
    const view = await send('POST', `/api/admin/models/${encodeURIComponent(name)}/${action}`);
    message(`${name}: ${view.state}`);
  } catch (e) {
    message(`${action} failed: ${e.message}`, true);
  }
  refresh();
}

async function remove(name) {
  if (!confirm(`Delete ${name} from the registry?`)) return;
  try {
    await send('DELETE', `/api/admin/models/${encodeURIComponent(name)}`);
    message(`deleted ${name}`);
  } catch (e) {
    message(`delete failed: ${e.message}`, true);
  }
  refresh();
}
