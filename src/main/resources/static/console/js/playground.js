import { send, streamEvents, el, fillSelect, modelNames, definitionList, chatRequest, strategies } from './api.js';
import { drawTrace } from './trace.js';

let root;
let running;

export function init(section) {
  root = section;
  root.querySelector('#pg-form').addEventListener('submit', run);
  root.querySelector('#pg-compare').addEventListener('click', compare);
}

export async function show() {
  const names = await strategies();
  for (const select of root.querySelectorAll('.strategy-select')) {
    fillSelect(select, select.id === 'pg-strategy' ? ['auto', ...names] : names);
  }
  if (!root.querySelector('#cmp-a').dataset.initialised) {
    // A first comparison worth making: plain decoding against the one that needs no tuned model.
    root.querySelector('#cmp-a').value = 'ar';
    root.querySelector('#cmp-b').value = 'lookahead';
    root.querySelector('#cmp-a').dataset.initialised = 'yes';
  }
  try {
    fillSelect(root.querySelector('#pg-model'), await modelNames());
  } catch (e) {
    error(`could not list models: ${e.message}`);
  }
}

export function hide() {
  if (running) running.abort();
}

function error(text) {
  root.querySelector('#pg-error').textContent = text;
}

function request(strategy, stream) {
  const body = chatRequest(root.querySelector('#pg-form'), strategy);
  if (stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return body;
}

function info(braid, usage, ms) {
  return `${braid.strategy} · ${braid.steps} steps · ${braid.tokens_per_step} tokens/step`
    + (usage ? ` · ${usage.completion_tokens} tokens` : '') + ` · ${Math.round(ms)} ms`;
}

async function run(event) {
  event.preventDefault();
  if (running) running.abort();
  running = new AbortController();
  const output = root.querySelector('#pg-output');
  const infoLine = root.querySelector('#pg-info');
  const button = root.querySelector('#pg-run');
  clearOutputs();
  infoLine.textContent = 'streaming…';
  button.disabled = true;
  const started = performance.now();
  let braid;
  let usage;
  try {
    for await (const { event: name, data } of streamEvents('/v1/chat/completions', request(undefined, true),
      running.signal, apiKey())) {
      if (data === '[DONE]') break;
      const chunk = JSON.parse(data);
      if (name === 'error') throw new Error(chunk.error.message);
      for (const choice of chunk.choices || []) {
        if (choice.delta && choice.delta.content) output.textContent += choice.delta.content;
      }
      if (chunk.braid) braid = chunk.braid;
      if (chunk.usage) usage = chunk.usage;
    }
    infoLine.textContent = braid ? info(braid, usage, performance.now() - started) : '';
    if (braid) {
      infoLine.title = braid.reason || '';
      drawTrace(root.querySelector('#pg-trace'), braid.trace);
    }
  } catch (e) {
    if (e.name !== 'AbortError') error(e.message);
    infoLine.textContent = '';
  } finally {
    button.disabled = false;
    running = null;
  }
}

// Both strategies run at once on the same prompt; each column shows the steps its strategy took,
// which is what a parallel decoder saves even where a tiny model makes wall time noisy.
async function compare() {
  if (running) running.abort();
  clearOutputs();
  const button = root.querySelector('#pg-compare');
  button.disabled = true;
  const columns = ['a', 'b'].map(side => ({
    strategy: root.querySelector(`#cmp-${side}`).value,
    target: root.querySelector(`#cmp-result-${side}`),
  }));
  for (const c of columns) c.target.replaceChildren(el('h3', {}, c.strategy), el('p', { class: 'muted' }, 'running…'));
  await Promise.all(columns.map(async c => {
    const started = performance.now();
    try {
      const response = await send('POST', '/v1/chat/completions', request(c.strategy, false), apiKey());
      const ms = performance.now() - started;
      const braid = response.braid;
      const trace = el('div');
      c.target.replaceChildren(
        el('h3', {}, c.strategy),
        el('p', { class: 'steps' }, `${braid.steps} steps`),
        definitionList([['tokens per step', braid.tokens_per_step], ['tokens', response.usage.completion_tokens],
          ['time ms', Math.round(ms)], ['peak KV blocks', braid.peak_kv_blocks],
          ['tokens from the prefix cache', braid.cached_tokens], ['strategy', braid.strategy]]),
        el('pre', {}, response.choices[0].message.content),
        trace);
      drawTrace(trace, braid.trace);
    } catch (e) {
      c.target.replaceChildren(el('h3', {}, c.strategy), el('p', { class: 'error' }, e.message));
    }
  }));
  button.disabled = false;
}

// A new run, streamed or side by side, clears what any earlier one left, so nothing on the page is
// stale next to the answer being written.
function clearOutputs() {
  error('');
  root.querySelector('#pg-output').textContent = '';
  root.querySelector('#pg-info').textContent = '';
  root.querySelector('#pg-info').title = '';
  root.querySelector('#pg-trace').replaceChildren();
  for (const side of ['a', 'b']) root.querySelector(`#cmp-result-${side}`).replaceChildren();
}

// Empty unless the service requires inference API keys (braid.security.api-keys).
function apiKey() {
  return document.querySelector('#pg-key').value.trim();
}
