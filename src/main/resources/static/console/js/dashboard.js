import { getJson, fixed, time } from './api.js';

const POLL_MS = 3000;
// A bucket per window that keeps each chart at 20–100 points.
const BUCKETS = { PT5M: 'PT10S', PT15M: 'PT15S', PT1H: 'PT1M', PT6H: 'PT5M', PT24H: 'PT15M' };
const COLORS = { ar: '#6b7385', lookahead: '#3559c7', jacobi: '#d9822b', apar: '#1b7f3b', sgd: '#a23bb5' };
const color = s => COLORS[s] || '#888';

let root;
let timer;
const charts = {};

export function init(section) {
  root = section;
  root.querySelector('#dash-window').addEventListener('change', refresh);
}

export function show() {
  ensureCharts();
  refresh();
  timer = setInterval(refresh, POLL_MS);
}

export function hide() {
  clearInterval(timer);
}

function lineChart(id, yTitle) {
  return new Chart(root.querySelector(`#${id}`), {
    type: 'line',
    data: { labels: [], datasets: [] },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false, spanGaps: false,
      scales: { y: { beginAtZero: true, title: { display: true, text: yTitle } } },
      plugins: { legend: { position: 'bottom' } },
    },
  });
}

function barChart(id, stacked) {
  return new Chart(root.querySelector(`#${id}`), {
    type: 'bar',
    data: { labels: [], datasets: [] },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      scales: { x: { stacked }, y: { stacked, beginAtZero: true } },
      plugins: { legend: { position: 'bottom' } },
    },
  });
}

function ensureCharts() {
  if (charts.throughput) return;
  charts.throughput = lineChart('chart-throughput', 'tokens/s');
  charts.tps = lineChart('chart-tps', 'tokens/step');
  charts.speedup = lineChart('chart-speedup', '× AR');
  charts.mix = new Chart(root.querySelector('#chart-mix'), {
    type: 'doughnut',
    data: { labels: [], datasets: [{ data: [], backgroundColor: [] }] },
    options: { animation: false, responsive: true, maintainAspectRatio: false, plugins: { legend: { position: 'bottom' } } },
  });
  charts.kv = barChart('chart-kv', true);
  charts.queue = barChart('chart-queue', true);
}

async function refresh() {
  const window = root.querySelector('#dash-window').value;
  const error = root.querySelector('#dash-error');
  try {
    const [summary, series, models] = await Promise.all([
      getJson('/api/metrics/summary', { window }),
      getJson('/api/metrics/series', { window, bucket: BUCKETS[window] }),
      getJson('/api/admin/models'),
    ]);
    drawSummary(summary);
    drawSeries(series, summary, window);
    drawWorkers(models);
    root.querySelector('#dash-updated').textContent = new Date().toLocaleTimeString();
    error.textContent = '';
  } catch (e) {
    error.textContent = `refresh failed: ${e.message}`;
  }
}

function drawSummary(s) {
  const set = (id, text) => { root.querySelector(`#${id}`).textContent = text; };
  set('stat-requests', String(s.requests));
  set('stat-throughput', fixed(s.tokens_per_second, 2));
  set('stat-latency', `${fixed(s.latency_ms_p50, 0)} / ${fixed(s.latency_ms_p99, 0)}`);
  set('stat-ttft', fixed(s.ttft_ms_p50, 0));
  const outcomes = Object.entries(s.outcomes).map(([k, v]) => `${k} ${v}`).join(' · ');
  root.querySelector('#dash-outcomes').textContent =
    `${s.prompt_tokens} prompt and ${s.completion_tokens} completion tokens since ${time(s.from)}` +
    (outcomes ? ` — outcomes: ${outcomes}` : '');
  const mix = charts.mix;
  mix.data.labels = s.strategies.map(x => x.strategy);
  mix.data.datasets[0].data = s.strategies.map(x => x.requests);
  mix.data.datasets[0].backgroundColor = s.strategies.map(x => color(x.strategy));
  mix.update();
}

function seconds(iso) {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(iso);
  return (+(m[1] || 0)) * 3600 + (+(m[2] || 0)) * 60 + (+(m[3] || 0));
}

function drawSeries(series, summary, window) {
  const bucketMs = seconds(BUCKETS[window]) * 1000;
  const from = Date.parse(series.from);
  const count = Math.ceil((Date.parse(series.to) - from) / bucketMs);
  const labels = Array.from({ length: count }, (_, i) => new Date(from + i * bucketMs).toLocaleTimeString());
  const strategies = [...new Set(series.points.map(p => p.strategy))].sort();
  // AR takes one token per step per sequence; its measured tokens per step in the window is the
  // baseline when it ran, so speed-up reads as "fewer forward passes than plain decoding".
  const ar = summary.strategies.find(x => x.strategy === 'ar');
  const baseline = ar && ar.tokens_per_step > 0 ? ar.tokens_per_step : 1;
  const column = (field, scale = 1) => strategies.map(strategy => {
    const data = new Array(count).fill(null);
    for (const p of series.points) {
      if (p.strategy !== strategy) continue;
      const i = Math.round((Date.parse(p.start) - from) / bucketMs);
      if (i >= 0 && i < count) data[i] = p[field] / scale;
    }
    return { label: strategy, data, borderColor: color(strategy), backgroundColor: color(strategy), pointRadius: 3 };
  });
  for (const [chart, datasets] of [[charts.throughput, column('tokens_per_second')],
                                   [charts.tps, column('tokens_per_step')],
                                   [charts.speedup, column('tokens_per_step', baseline)]]) {
    chart.data.labels = labels;
    chart.data.datasets = datasets;
    chart.update();
  }
}

function drawWorkers(models) {
  const workers = models.filter(m => m.workers && m.workers.length)
    .flatMap(m => m.workers.map(w => ({ ...w, label: `${m.name} · ${w.name}` })));
  const labels = workers.map(w => w.label);
  charts.kv.data.labels = labels;
  charts.kv.data.datasets = [
    { label: 'used', data: workers.map(w => w.used_blocks), backgroundColor: '#3559c7' },
    { label: 'free', data: workers.map(w => w.total_blocks - w.used_blocks), backgroundColor: '#dde1e8' },
  ];
  charts.kv.update();
  charts.queue.data.labels = labels;
  charts.queue.data.datasets = [
    { label: 'running', data: workers.map(w => w.running_tasks), backgroundColor: '#1b7f3b' },
    { label: 'waiting', data: workers.map(w => w.waiting_tasks), backgroundColor: '#d9822b' },
  ];
  charts.queue.update();
  const sum = f => workers.reduce((a, w) => a + f(w), 0);
  root.querySelector('#stat-queue').textContent = `${sum(w => w.running_tasks)} / ${sum(w => w.waiting_tasks)}`;
  root.querySelector('#stat-kv').textContent = `${sum(w => w.used_blocks)} / ${sum(w => w.total_blocks)}`;
}
