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

// KV use as a share of each worker's own pool: pools hold tens of thousands of blocks, so counts
// drawn to scale showed realistic use as nothing. The axis starts at 1% and grows with the data.
function kvChart() {
  return new Chart(root.querySelector('#chart-kv'), {
    type: 'bar',
    data: { labels: [], datasets: [] },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      scales: { y: { beginAtZero: true, suggestedMax: 1, title: { display: true, text: '% of pool' },
        ticks: { callback: v => `${v}%` } } },
      plugins: {
        legend: { position: 'bottom' },
        tooltip: { callbacks: { label: c => `${c.dataset.label}: ${percent(c.raw)} (${c.dataset.blocks[c.dataIndex]}`
          + ` of ${c.dataset.totals[c.dataIndex]} blocks)` } },
      },
    },
  });
}

function percent(x) {
  return `${x < 10 ? x.toFixed(2) : x.toFixed(1)}%`;
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
  charts.kv = kvChart();
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
  root.querySelector('#stat-throughput').title =
    `${s.completion_tokens} completion tokens over ${fixed(s.active_seconds, 1)} s with requests in the window`;
  set('stat-latency', `${fixed(s.latency_ms_p50, 0)} / ${fixed(s.latency_ms_p99, 0)}`);
  set('stat-ttft', fixed(s.ttft_ms_p50, 0));
  const outcomes = Object.entries(s.outcomes).map(([k, v]) => `${k} ${v}`).join(' · ');
  root.querySelector('#dash-outcomes').textContent =
    `${s.prompt_tokens} prompt and ${s.completion_tokens} completion tokens since ${time(s.from)}, `
    + `${fixed(s.active_seconds, 1)} s of it with requests (the throughput's time base)` +
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
  const share = blocks => workers.map((w, i) => w.total_blocks > 0 ? 100 * blocks[i] / w.total_blocks : 0);
  const used = workers.map(w => w.used_blocks);
  const peak = workers.map(w => w.peak_used_blocks);
  const totals = workers.map(w => w.total_blocks);
  const cached = workers.map(w => w.cached_blocks);
  charts.kv.data.datasets = [
    { label: 'in use', data: share(used), blocks: used, totals, backgroundColor: '#3559c7' },
    { label: 'peak', data: share(peak), blocks: peak, totals, backgroundColor: '#9fb3e8' },
    // cached blocks no request holds count as free: the pool takes them back when it needs them
    { label: 'prefix cache', data: share(cached), blocks: cached, totals, backgroundColor: '#7a5cc7' },
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
  const usedAll = sum(w => w.used_blocks);
  const totalAll = sum(w => w.total_blocks);
  root.querySelector('#stat-kv').textContent = totalAll > 0 ? percent(100 * usedAll / totalAll) : '–';
  root.querySelector('#stat-kv').title = `${usedAll} of ${totalAll} KV blocks`;
  const queried = sum(w => w.prefix_queried_tokens);
  const hits = sum(w => w.prefix_hit_tokens);
  root.querySelector('#stat-prefix').textContent = queried > 0 ? percent(100 * hits / queried) : '–';
  root.querySelector('#stat-prefix').title = `${hits} of ${queried} prompt tokens found cached since load`;
}
