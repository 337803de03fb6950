// Calls to Braid's own APIs. URLs are made absolute from location.origin: the page may have been
// opened as http://user:password@host/console/, and fetch() rejects a URL that carries credentials,
// which a relative URL would inherit. The browser resends the Basic credentials it already holds.

export class ApiError extends Error {
  constructor(status, message, field) {
    super(message);
    this.status = status;
    this.field = field;
  }
}

export function url(path, params) {
  const u = new URL(path, location.origin);
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') u.searchParams.set(k, v);
  }
  return u.toString();
}

// Both error shapes Braid answers: ProblemDetail on /api, OpenAI's envelope on /v1.
async function failure(response) {
  let message = `${response.status} ${response.statusText}`;
  let field;
  try {
    const body = await response.json();
    if (body.error) { message = body.error.message; field = body.error.param; }
    else if (body.detail) { message = body.detail; field = body.field; }
  } catch (e) { /* not JSON: keep the status line */ }
  return new ApiError(response.status, message, field);
}

export async function getJson(path, params) {
  const response = await fetch(url(path, params), { headers: { Accept: 'application/json' } });
  if (!response.ok) throw await failure(response);
  return response.json();
}

// `bearer` is an inference API key: with braid.security.api-keys set, /v1 wants it instead of the
// admin's Basic credentials the browser would send.
export async function send(method, path, body, bearer) {
  const init = { method, headers: { Accept: 'application/json' } };
  if (bearer) init.headers.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url(path), init);
  if (!response.ok) throw await failure(response);
  return response.status === 204 ? null : response.json();
}

// POSTs a request and yields its server-sent events ({event, data}) as they arrive. EventSource
// cannot POST, so the stream is read and split into events here.
export async function* streamEvents(path, body, signal, bearer) {
  const headers = { 'Content-Type': 'application/json', Accept: 'text/event-stream' };
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  const response = await fetch(url(path), { method: 'POST', signal, headers, body: JSON.stringify(body) });
  if (!response.ok) throw await failure(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value.replace(/\r\n/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length) yield { event, data: data.join('\n') };
    }
  }
}

// The one request the console sends to generate, from the playground and the job form alike: the
// prompt as the user's chat message (the server wraps it in the model's chat template), the strategy
// and the sampling parameters. `form` has fields named model, prompt, max_tokens, temperature and
// strategy; an empty temperature leaves it to the model's default (its generation_config.json).
export function chatRequest(form, strategy) {
  const field = name => form.elements.namedItem(name).value;
  const body = {
    model: field('model'),
    messages: [{ role: 'user', content: field('prompt') }],
    max_tokens: Number(field('max_tokens')),
    strategy: strategy ?? field('strategy'),
  };
  const temperature = field('temperature').trim();
  if (temperature !== '') body.temperature = Number(temperature);
  return body;
}

// The strategies as the server lists them: those a request may name in `strategy` (besides auto;
// it answers 400 for one a model lacks), and with `all`, also those it runs in their place.
let strategyList;
export async function strategies(all = false) {
  strategyList ??= getJson('/api/strategies');
  return (await strategyList).filter(s => all || s.requestable).map(s => s.name);
}

export async function modelNames() {
  const list = await getJson('/v1/models');
  return list.data.map(m => m.id);
}

export function fillSelect(select, values, { empty, selected } = {}) {
  const current = selected ?? select.value;
  select.replaceChildren();
  if (empty !== undefined) select.append(new Option(empty, ''));
  for (const v of values) select.append(new Option(v, v));
  if (values.includes(current)) select.value = current;
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(c ?? ''));
  return node;
}

export function time(iso) {
  return iso ? new Date(iso).toLocaleTimeString() : '';
}

export function fixed(x, digits = 1) {
  return x === null || x === undefined ? '–' : Number(x).toFixed(digits);
}

export function definitionList(entries) {
  const dl = el('dl');
  for (const [k, v] of entries) {
    if (v === undefined) continue;
    dl.append(el('dt', {}, k), el('dd', {}, v === null ? '–' : String(v)));
  }
  return dl;
}
