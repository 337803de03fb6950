import { getJson, send, el, fixed, time, definitionList, fillSelect, modelNames, chatRequest, strategies } from './api.js';
import { drawTrace } from './trace.js';

const POLL_MS = 5000;
let root;
let timer;
let selected;

export function init(section) {
  root = section;
  root.querySelector('#req-filter').addEventListener('submit', e => { e.preventDefault(); refresh(); });
  root.querySelector('#job-filter').addEventListener('submit', e => { e.preventDefault(); refresh(); });
  root.querySelector('#job-submit').addEventListener('submit', submitJob);
}

export async function show() {
  refresh();
  timer = setInterval(refresh, POLL_MS);
  try {
    fillSelect(root.querySelector('#job-submit .model-select'), await modelNames());
  } catch (e) { /* the job form then shows no models; the lists still work */ }
  const names = await strategies();
  fillSelect(root.querySelector('#job-submit .strategy-select'), ['auto', ...names]);
  const filter = root.querySelector('#req-filter select[name=strategy]');
  if (filter.options.length === 1) {
    for (const name of await strategies(true)) filter.append(el('option', {}, name));
  }
}

export function hide() {
  clearInterval(timer);
}

function formParams(form) {
  return Object.fromEntries(new FormData(form).entries());
}

async function refresh() {
  const detail = root.querySelector('#activity-detail');
  try {
    const [requests, jobs, queue] = await Promise.all([
      getJson('/api/metrics/requests', { ...formParams(root.querySelector('#req-filter')), limit: 50 }),
      getJson('/api/admin/jobs', { ...formParams(root.querySelector('#job-filter')), limit: 50 }),
      getJson('/api/admin/jobs/queue'),
    ]);
    root.querySelector('#requests-table tbody').replaceChildren(...requests.map(requestRow));
    root.querySelector('#jobs-table tbody').replaceChildren(...jobs.map(jobRow));
    showQueueNotice(queue);
  } catch (e) {
    detail.replaceChildren(el('p', { class: 'error' }, `refresh failed: ${e.message}`));
  }
}

function select(tr, id) {
  selected = id;
  for (const r of root.querySelectorAll('tr.selected')) r.classList.remove('selected');
  tr.classList.add('selected');
}

function requestRow(r) {
  const tr = el('tr', { dataset: { id: r.id }, class: r.id === selected ? 'selected' : '' },
    el('td', {}, time(r.created_at)), el('td', {}, r.model), el('td', {}, r.strategy ?? ''),
    el('td', {}, `${r.prompt_tokens} → ${r.completion_tokens}`), el('td', {}, r.steps),
    el('td', {}, fixed(r.tokens_per_step, 2)), el('td', {}, fixed(r.latency_ms, 0)),
    el('td', { class: `outcome-${r.outcome}` }, r.outcome + (r.error_code ? ` (${r.error_code})` : '')));
  tr.addEventListener('click', () => {
    select(tr, r.id);
    root.querySelector('#activity-detail').replaceChildren(
      el('h3', {}, `Request ${r.id}`),
      definitionList([['time', new Date(r.created_at).toLocaleString()], ['endpoint', r.endpoint],
        ['model', r.model], ['strategy', r.strategy], ['selector reason', r.selector_reason],
        ['prompt category', r.prompt_category], ['prompt tokens', r.prompt_tokens],
        ['tokens from the prefix cache', r.cached_tokens], ['completion tokens', r.completion_tokens], ['steps', r.steps],
        ['tokens per step', fixed(r.tokens_per_step, 3)], ['time to first token ms', fixed(r.ttft_ms, 1)],
        ['latency ms', fixed(r.latency_ms, 1)], ['peak KV blocks', r.peak_kv_blocks],
        ['outcome', r.outcome], ['error code', r.error_code]]),
      el('p', { class: 'muted' }, 'Requests are kept as metrics only: prompts and outputs are not stored. '
        + 'Jobs keep their result, and traces where the strategy made one.'));
  });
  return tr;
}

function minutes(seconds) {
  return seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
}

// The count covers the whole queue (the table shows only the newest rows, filtered), as the
// braid_jobs_queued_stale gauge counts it.
function showQueueNotice(queue) {
  const notice = root.querySelector('#jobs-notice');
  notice.hidden = !(queue.stale > 0);
  notice.textContent = queue.stale > 0
    ? `${queue.stale} of ${queue.queued} queued jobs have waited longer than ${minutes(queue.stale_after_seconds)}: `
      + 'no ready replica with room serves their model.'
    : '';
}

function jobRow(j) {
  const classes = [j.id === selected ? 'selected' : '', j.stale ? 'stale' : ''].filter(Boolean).join(' ');
  const tr = el('tr', { dataset: { id: j.id }, class: classes },
    el('td', {}, time(j.created_at)), el('td', {}, j.model),
    el('td', { class: `state-${j.state}`, ...(j.stale ? { title: 'queued longer than braid.jobs.queued-alert-after' } : {}) },
      j.stale ? `${j.state} (stale)` : j.state),
    el('td', {}, j.attempts), el('td', {}, time(j.finished_at)));
  tr.addEventListener('click', () => { select(tr, j.id); jobDetail(j.id); });
  return tr;
}

let detailRequest = 0;

async function jobDetail(id) {
  const detail = root.querySelector('#activity-detail');
  // detail reads can overlap (a submit's and a click's): only the newest may draw
  const request = ++detailRequest;
  let job;
  try {
    job = await getJson(`/api/jobs/${id}`);
  } catch (e) {
    if (request === detailRequest) detail.replaceChildren(el('p', { class: 'error' }, e.message));
    return;
  }
  if (request !== detailRequest) return;
  const result = job.result;
  const choice = result && result.choices && result.choices[0];
  const text = choice ? (choice.message ? choice.message.content : choice.text) : null;
  const braid = result && result.braid;
  const trace = el('div', { class: 'job-trace' });
  detail.replaceChildren(
    el('h3', {}, `Job ${job.id}`),
    definitionList([['state', job.state], ['model', job.model], ['attempts', job.attempts],
      ['created', job.created_at && new Date(job.created_at).toLocaleString()],
      ['started', job.started_at && new Date(job.started_at).toLocaleString()],
      ['finished', job.finished_at && new Date(job.finished_at).toLocaleString()], ['error', job.error],
      ...(braid ? [['strategy', braid.strategy], ['reason', braid.reason], ['steps', braid.steps],
        ['tokens per step', fixed(braid.tokens_per_step, 3)], ['peak KV blocks', braid.peak_kv_blocks],
        ['tokens from the prefix cache', braid.cached_tokens]] : []),
      ...(result && result.usage ? [['tokens', `${result.usage.prompt_tokens} → ${result.usage.completion_tokens}`]] : [])]),
    ...(text !== null ? [el('pre', { class: 'job-text' }, text)] : []),
    trace,
    ...(job.state === 'queued' || job.state === 'running'
      ? [el('button', { class: 'secondary', onclick: async () => { await send('DELETE', `/api/jobs/${id}`); jobDetail(id); } },
        'Cancel')] : []));
  if (braid && braid.trace) drawTrace(trace, braid.trace);
  // follow a job that is still queued or running until it ends, while it stays selected
  if ((job.state === 'queued' || job.state === 'running') && selected === id) {
    setTimeout(() => { if (selected === id && request === detailRequest) jobDetail(id); }, 1000);
  }
}

async function submitJob(event) {
  event.preventDefault();
  try {
    const job = await send('POST', '/api/jobs', chatRequest(event.target));
    selected = job.id;
    await refresh();
    jobDetail(job.id);
  } catch (e) {
    root.querySelector('#activity-detail').replaceChildren(el('p', { class: 'error' }, `submit failed: ${e.message}`));
  }
}
