// Vigil's built-in UI: an expression browser, targets, rules, alerts, silences, status, and the
// shipped Grafana dashboards drawn with Vigil's own SVG charts. No external assets.
'use strict';

// ---------- small helpers ----------
const $ = (sel, el = document) => el.querySelector(sel);
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}
const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  for (const c of children) el.append(c);
  return el;
}
async function getJSON(path, options) {
  const r = await fetch(path, options);
  const text = await r.text();
  let body;
  try { body = text ? JSON.parse(text) : null; } catch { throw new Error(text || r.statusText); }
  if (!r.ok) throw new Error(typeof body === 'string' ? body : (body && (body.error || body.message)) || r.statusText);
  if (body && body.status === 'error') throw new Error(body.error);
  return body && body.status === 'success' ? body.data : body;
}
function params() {
  const q = location.hash.split('?')[1] || '';
  return new URLSearchParams(q);
}
function setParams(page, p) { history.replaceState(null, '', '#/' + page + (p.toString() ? '?' + p.toString() : '')); }
const nowMs = () => Date.now();
function fmtTime(ms) {
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
function ago(iso) {
  if (!iso || iso.startsWith('0001')) return 'never';
  const s = (nowMs() - new Date(iso).getTime()) / 1000;
  if (s < 60) return `${s.toFixed(1)}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  return `${(s / 3600).toFixed(1)}h ago`;
}
function parseDuration(text) {
  const m = String(text).trim().match(/^(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)?$/);
  if (!m) return null;
  const f = { ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8, y: 3.1536e10 }[m[2] || 's'];
  return parseFloat(m[1]) * f;
}
function fmtDuration(ms) {
  if (ms % 8.64e7 === 0) return ms / 8.64e7 + 'd';
  if (ms % 3.6e6 === 0) return ms / 3.6e6 + 'h';
  if (ms % 6e4 === 0) return ms / 6e4 + 'm';
  if (ms % 1e3 === 0) return ms / 1e3 + 's';
  return Math.round(ms) + 'ms';
}
function labelChips(labels, skipName) {
  return Object.entries(labels || {}).filter(([k]) => !(skipName && k === '__name__')).map(([k, v]) => h('span', { class: 'label' }, `${k}="${v}"`));
}
function seriesName(metric) {
  const name = metric.__name__ || '';
  const rest = Object.entries(metric).filter(([k]) => k !== '__name__').map(([k, v]) => `${k}="${v}"`).join(', ');
  return rest ? `${name}{${rest}}` : (name || '{}');
}

// ---------- number formatting ----------
function trim(n, digits = 3) { return String(parseFloat(n.toPrecision(digits))); }
function humanize(v, unit) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const abs = Math.abs(v);
  switch (unit) {
    case 'percentunit': return trim(v * 100) + '%';
    case 'percent': return trim(v) + '%';
    case 's': {
      if (abs === 0) return '0s';
      if (abs < 1e-3) return trim(v * 1e6) + 'µs';
      if (abs < 1) return trim(v * 1e3) + 'ms';
      if (abs < 60) return trim(v) + 's';
      if (abs < 3600) return trim(v / 60) + 'min';
      if (abs < 86400) return trim(v / 3600) + 'h';
      return trim(v / 86400) + 'd';
    }
    case 'bytes': {
      const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
      let i = 0, x = v;
      while (Math.abs(x) >= 1024 && i < units.length - 1) { x /= 1024; i++; }
      return trim(x) + ' ' + units[i];
    }
  }
  const suffix = unit === 'reqps' ? ' req/s' : unit === 'ops' ? ' ops/s' : '';
  const si = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [f, p] of si) if (abs >= f) return trim(v / f) + p + suffix;
  if (abs !== 0 && abs < 1e-3) return v.toExponential(2) + suffix;
  return trim(v, 4) + suffix;
}

// ---------- charts ----------
const PALETTE = ['#2f6fdb', '#e8590c', '#2b8a3e', '#c2255c', '#7048e8', '#0b7285', '#e67700', '#5c940d', '#a61e4d', '#364fc7',
  '#d9480f', '#087f5b', '#862e9c', '#1864ab', '#c92a2a', '#495057'];
const color = (i) => PALETTE[i % PALETTE.length];
function niceTicks(min, max, count) {
  if (!Number.isFinite(min) || !Number.isFinite(max)) { min = 0; max = 1; }
  // A flat line (or one whose wiggle is lost in floating point) gets a band around its value.
  if (max - min <= Math.abs(max) * 1e-9) { const pad = Math.abs(max) * 0.05 || 1; min -= pad; max += pad; }
  const span = max - min, raw = span / count, mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((st) => span / st <= count) || 10 * mag;
  const lo = Math.floor(min / step) * step;
  const ticks = [];
  for (let i = 0; i <= count + 2; i++) {
    const t = parseFloat((lo + i * step).toPrecision(12));
    ticks.push(t);
    if (t >= max) break;
  }
  return ticks;
}
function timeTicks(start, end, count) {
  const steps = [1e3, 5e3, 15e3, 3e4, 6e4, 3e5, 6e5, 9e5, 1.8e6, 3.6e6, 7.2e6, 2.16e7, 4.32e7, 8.64e7, 6.048e8];
  const step = steps.find((st) => (end - start) / st <= count) || steps[steps.length - 1];
  const offset = new Date().getTimezoneOffset() * 6e4;
  const ticks = [];
  const first = Math.ceil((start - offset) / step) * step + offset;
  for (let i = 0; i < 64 && first + i * step <= end; i++) ticks.push(first + i * step);
  return { ticks, step };
}
function fmtTick(t, step) {
  const d = new Date(t), pad = (n) => String(n).padStart(2, '0');
  if (step >= 8.64e7) return `${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  if (step < 6e4) return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
/// A line chart of `series` ([{name, points: [[ms, value]...]}]) drawn as SVG, with axes, a
/// legend and hover values.
function lineChart(series, { unit, height = 260, start, end, step, legend = true, width = 1000 } = {}) {
  const box = h('div', { class: 'chart' });
  width = Math.max(200, Math.round(width));
  const m = { l: 64, r: 12, t: 10, b: 24 };
  const all = series.flatMap((sr) => sr.points.map((p) => p[1])).filter(Number.isFinite);
  const ts = series.flatMap((sr) => sr.points.map((p) => p[0]));
  const t0 = start ?? Math.min(...ts), t1 = end ?? Math.max(...ts);
  let lo = all.length ? Math.min(...all) : 0, hi = all.length ? Math.max(...all) : 1;
  if (lo > 0 && lo / (hi || 1) < 0.5) lo = 0;
  if (lo === 0 && hi === 0) hi = 1;
  const yt = niceTicks(lo, hi, 5);
  const y0 = yt[0], y1 = yt[yt.length - 1];
  const X = (t) => m.l + ((t - t0) / ((t1 - t0) || 1)) * (width - m.l - m.r);
  const Y = (v) => m.t + (1 - (v - y0) / ((y1 - y0) || 1)) * (height - m.t - m.b);
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, height: String(height), 'data-series': String(series.length) });
  for (const v of yt) {
    svg.append(s('line', { x1: m.l, x2: width - m.r, y1: Y(v), y2: Y(v), stroke: '#e9ecef' }));
    const label = s('text', { x: m.l - 6, y: Y(v) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#667085' });
    label.textContent = humanize(v, unit);
    svg.append(label);
  }
  const { ticks, step: tickStep } = timeTicks(t0, t1, 8);
  for (const t of ticks) {
    svg.append(s('line', { x1: X(t), x2: X(t), y1: m.t, y2: height - m.b, stroke: '#f1f3f5' }));
    const label = s('text', { x: X(t), y: height - 6, 'text-anchor': 'middle', 'font-size': 11, fill: '#667085' });
    label.textContent = fmtTick(t, tickStep);
    svg.append(label);
  }
  const gap = (step || 0) * 2.5;
  series.forEach((sr, i) => {
    let d = '', prev = null;
    for (const [t, v] of sr.points) {
      if (!Number.isFinite(v)) { prev = null; continue; }
      d += (prev === null || (gap && t - prev > gap) ? 'M' : 'L') + X(t).toFixed(1) + ',' + Y(v).toFixed(1);
      prev = t;
    }
    if (sr.points.length === 1 && Number.isFinite(sr.points[0][1])) {
      svg.append(s('circle', { cx: X(sr.points[0][0]), cy: Y(sr.points[0][1]), r: 3, fill: color(i), class: 'series' }));
    }
    svg.append(s('path', { d, fill: 'none', stroke: color(i), 'stroke-width': 1.6, 'vector-effect': 'non-scaling-stroke', class: 'series' }));
  });
  const cursor = s('line', { y1: m.t, y2: height - m.b, stroke: '#98a2b3', 'stroke-dasharray': '3,3', visibility: 'hidden' });
  svg.append(cursor);
  const tip = $('#tooltip');
  svg.addEventListener('mousemove', (ev) => {
    const r = svg.getBoundingClientRect();
    const t = t0 + ((ev.clientX - r.left) / r.width * width - m.l) / (width - m.l - m.r) * (t1 - t0);
    let best = null;
    for (const sr of series) for (const p of sr.points) if (best === null || Math.abs(p[0] - t) < Math.abs(best - t)) best = p[0];
    if (best === null) return;
    cursor.setAttribute('x1', X(best)); cursor.setAttribute('x2', X(best)); cursor.setAttribute('visibility', 'visible');
    const rows = series.map((sr, i) => [sr, i, (sr.points.find((p) => p[0] === best) || [])[1]]).filter((x) => x[2] !== undefined)
      .sort((a, b) => b[2] - a[2]).slice(0, 12);
    tip.replaceChildren(h('div', { class: 't' }, fmtTime(best)),
      ...rows.map(([sr, i, v]) => h('div', {}, h('span', { class: 'swatch', style: `display:inline-block;width:8px;height:8px;margin-right:5px;background:${color(i)}` }), `${sr.name}: ${humanize(v, unit)}`)));
    tip.hidden = false;
    tip.style.left = Math.min(ev.clientX + 14, window.innerWidth - 430) + 'px';
    tip.style.top = ev.clientY + 14 + 'px';
  });
  svg.addEventListener('mouseleave', () => { tip.hidden = true; cursor.setAttribute('visibility', 'hidden'); });
  box.append(svg);
  if (legend) box.append(h('div', { class: 'legend' }, series.map((sr, i) => h('span', { class: 'legend-item' }, h('span', { class: 'swatch', style: `background:${color(i)}` }), sr.name))));
  return box;
}
function gaugeChart(value, { unit, min = 0, max = 100, thresholds } = {}) {
  const frac = Math.max(0, Math.min(1, (value - min) / ((max - min) || 1)));
  const arc = (f) => { const a = Math.PI * (1 - f); return [100 + 80 * Math.cos(a), 100 - 80 * Math.sin(a)]; };
  const [x, y] = arc(frac);
  const svg = s('svg', { viewBox: '0 0 200 120', class: 'gauge' });
  svg.append(s('path', { d: 'M20,100 A80,80 0 0 1 180,100', fill: 'none', stroke: '#e9ecef', 'stroke-width': 16 }));
  svg.append(s('path', { d: `M20,100 A80,80 0 0 1 ${x.toFixed(2)},${y.toFixed(2)}`, fill: 'none', stroke: thresholdColor(value, thresholds) || '#2f6fdb', 'stroke-width': 16, class: 'series' }));
  const t = s('text', { x: 100, y: 96, 'text-anchor': 'middle', 'font-size': 22, 'font-weight': 700, fill: '#1d2330' });
  t.textContent = humanize(value, unit);
  svg.append(t);
  return svg;
}
function thresholdColor(v, thresholds) {
  const steps = thresholds && thresholds.steps;
  if (!steps || !Number.isFinite(v)) return null;
  let c = null;
  for (const st of steps) if (st.value === null || st.value === undefined || v >= st.value) c = st.color;
  return { green: '#1e8e4f', red: '#c0392b', orange: '#d68910', yellow: '#e0b400', blue: '#2f6fdb' }[c] || c;
}

// ---------- queries ----------
function parseErrorView(query, message) {
  const m = String(message).match(/^(\d+):(\d+): parse error/);
  if (!m) return h('div', { class: 'error' }, message);
  const line = query.split('\n')[parseInt(m[1], 10) - 1] || '';
  return h('div', { class: 'error parse-error' }, message + '\n\n' + line + '\n', h('span', { class: 'caret' }, ' '.repeat(Math.max(0, parseInt(m[2], 10) - 1)) + '^'));
}
async function rangeQuery(expr, start, end, step) {
  const q = new URLSearchParams({ query: expr, start: start / 1000, end: end / 1000, step: step / 1000 });
  const data = await getJSON('/api/v1/query_range?' + q);
  // A native histogram counts as its observation count where one number is drawn; its buckets
  // stay in `histograms` for the heatmap.
  return data.result.map((r) => ({ name: seriesName(r.metric), metric: r.metric,
    points: [...(r.values || []).map(([t, v]) => [t * 1000, parseFloat(v)]), ...(r.histograms || []).map(([t, hg]) => [t * 1000, parseFloat(hg.count)])]
      .sort((a, b) => a[0] - b[0]),
    histograms: (r.histograms || []).map(([t, hg]) => [t * 1000, hg]) }));
}
// A range result with native histograms: their 0.5, 0.9 and 0.99 quantiles as lines (computed by
// the server's histogram_quantile), the result's float series beside them, then a heatmap of the
// buckets.
async function histogramGraph(expr, series, { start, end, step, width }) {
  const lines = series.filter((sr) => !sr.histograms.length);
  for (const [q, name] of [[0.5, 'p50'], [0.9, 'p90'], [0.99, 'p99']]) {
    for (const sr of await rangeQuery(`histogram_quantile(${q}, (${expr}))`, start, end, step)) lines.push({ ...sr, name: `${name} ${sr.name}` });
  }
  const count = series.filter((sr) => sr.histograms.length).length;
  return [lines.length ? lineChart(lines, { start, end, step, height: 280, width }) : h('div', { class: 'muted' }, 'No quantiles.'),
    h('div', { class: 'muted', style: 'margin:10px 0 4px' }, `Buckets of ${count} native histogram series${count > 1 ? ', added up' : ''}`),
    heatmapChart(series, { start, end, height: 240, width })];
}
async function instantQuery(expr, time) {
  const q = new URLSearchParams({ query: expr });
  if (time) q.set('time', time / 1000);
  return getJSON('/api/v1/query?' + q);
}
function autoStep(rangeMs, points = 250) { return Math.max(1000, Math.ceil(rangeMs / points / 1000) * 1000); }

// ---------- pages ----------
const RANGES = ['5m', '15m', '30m', '1h', '3h', '6h', '12h', '1d', '2d', '7d'];
const pages = {};

pages.graph = (main) => {
  const p = params();
  const expr = h('textarea', { class: 'expr', id: 'expr', spellcheck: 'false', placeholder: 'PromQL expression, e.g. sum by (species) (rate(python_iris_predictions_total[5m]))' }, p.get('expr') || '');
  const range = h('select', { id: 'range' }, RANGES.map((r) => h('option', { value: r, selected: r === (p.get('range') || '1h') }, r)));
  const endInput = h('input', { type: 'datetime-local', id: 'end', step: '1', title: 'End time (empty: now)' });
  const stepInput = h('input', { type: 'text', id: 'step', placeholder: 'auto', size: '6', value: p.get('step') || '' });
  const tabGraph = h('button', { id: 'tab-graph', class: p.get('tab') === 'table' ? '' : 'active' }, 'Graph');
  const tabTable = h('button', { id: 'tab-table', class: p.get('tab') === 'table' ? 'active' : '' }, 'Table');
  const out = h('div', { id: 'result' });
  const run = async () => {
    const text = expr.value.trim();
    const tab = tabTable.classList.contains('active') ? 'table' : 'graph';
    setParams('graph', new URLSearchParams({ expr: text, range: range.value, tab, ...(stepInput.value ? { step: stepInput.value } : {}) }));
    if (!text) { out.replaceChildren(); return; }
    out.replaceChildren(h('div', { class: 'muted' }, 'Loading…'));
    const end = endInput.value ? new Date(endInput.value).getTime() : nowMs();
    const span = parseDuration(range.value);
    try {
      if (tab === 'graph') {
        const step = (stepInput.value && parseDuration(stepInput.value)) || autoStep(span);
        const series = await rangeQuery(text, end - span, end, step);
        const chart = !series.length ? [h('div', { class: 'muted' }, 'No data.')]
          : series.some((sr) => sr.histograms.length) ? await histogramGraph(text, series, { start: end - span, end, step, width: out.clientWidth })
            : [lineChart(series, { start: end - span, end, step, height: 320, width: out.clientWidth })];
        out.replaceChildren(...chart, h('div', { class: 'muted', style: 'margin-top:6px' }, `${series.length} series, step ${fmtDuration(step)}`));
      } else {
        const data = await instantQuery(text, endInput.value ? end : null);
        out.replaceChildren(resultTable(data));
      }
    } catch (e) {
      out.replaceChildren(parseErrorView(text, e.message));
    }
  };
  tabGraph.onclick = () => { tabGraph.classList.add('active'); tabTable.classList.remove('active'); run(); };
  tabTable.onclick = () => { tabTable.classList.add('active'); tabGraph.classList.remove('active'); run(); };
  expr.addEventListener('keydown', (e) => { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); run(); } });
  main.append(h('div', { class: 'card' }, expr,
    h('div', { class: 'row', style: 'margin-top:8px' }, h('button', { id: 'execute', onclick: run }, 'Execute'),
      h('span', { class: 'muted' }, 'Range'), range, h('span', { class: 'muted' }, 'End'), endInput, h('span', { class: 'muted' }, 'Step'), stepInput),
    h('div', { class: 'tabs' }, tabGraph, tabTable)), h('div', { class: 'card' }, out));
  range.onchange = run;
  if (expr.value) run();
};

// A native histogram as text: its count and sum, then one line per bucket in the API's notation.
function histogramText(hg) {
  const open = (rule) => [rule === 1 || rule === 3 ? '[' : '(', rule === 0 || rule === 3 ? ']' : ')'];
  return [`count: ${hg.count}, sum: ${hg.sum}`, ...(hg.buckets || []).map(([rule, lo, hi, c]) => {
    const [l, r] = open(rule);
    return `  ${l}${lo}, ${hi}${r}: ${c}`;
  })].join('\n');
}

function resultTable(data) {
  if (data.resultType === 'scalar' || data.resultType === 'string') {
    return h('table', { class: 'data' }, h('tr', {}, h('th', {}, 'Value')), h('tr', {}, h('td', { class: 'mono' }, data.result[1])));
  }
  const rows = data.resultType === 'matrix'
    ? data.result.map((r) => [r.metric, [...(r.values || []).map((v) => `${v[1]} @${v[0]}`),
      ...(r.histograms || []).map(([t, hg]) => `${histogramText(hg)} @${t}`)].join('\n')])
    : data.result.map((r) => [r.metric, r.histogram ? histogramText(r.histogram[1]) : r.value[1]]);
  if (!rows.length) return h('div', { class: 'muted' }, 'Empty query result.');
  return h('table', { class: 'data result-table' }, h('tr', {}, h('th', {}, 'Series'), h('th', {}, 'Value')),
    rows.map(([m, v]) => h('tr', {}, h('td', { class: 'mono' }, seriesName(m)), h('td', { class: 'mono', style: 'white-space:pre' }, v))));
}

// Counters that go down at most scrapes: several worker processes, each with its own counts.
function counterResetNote(t) {
  return h('div', { class: 'counter-reset-note', style: 'color:#b9770e;white-space:normal' },
    `Counters went down in ${t.counterResetScrapes} of the last 20 scrapes — far more often than restarts explain. ` +
    'An app served by several worker processes (gunicorn, uvicorn --workers) answers each scrape from one of them: ' +
    'set PROMETHEUS_MULTIPROC_DIR and use prometheus_client\'s multiprocess collector, so /metrics adds up all workers.');
}

pages.targets = async (main) => {
  const data = await getJSON('/api/v1/targets');
  const pools = {};
  for (const t of data.activeTargets) (pools[t.scrapePool] = pools[t.scrapePool] || []).push(t);
  main.append(h('h1', {}, 'Targets'));
  for (const [pool, targets] of Object.entries(pools).sort()) {
    const up = targets.filter((t) => t.health === 'up').length;
    main.append(h('div', { class: 'card target-pool' }, h('h2', {}, `${pool} (${up}/${targets.length} up)`),
      h('table', { class: 'data' }, h('tr', {}, ['Endpoint', 'State', 'Labels', 'Last scrape', 'Duration', 'Error'].map((x) => h('th', {}, x))),
        targets.map((t) => h('tr', {}, h('td', { class: 'mono' }, h('a', { href: t.scrapeUrl }, t.scrapeUrl)), h('td', {}, h('span', { class: 'badge ' + t.health }, t.health)),
          h('td', {}, labelChips(t.labels)), h('td', {}, ago(t.lastScrape)), h('td', {}, humanize(t.lastScrapeDuration, 's')),
          h('td', { class: 'mono', style: 'color:#c0392b' }, t.lastError || '', t.counterResetsSuspicious ? counterResetNote(t) : ''))))));
  }
  if (!data.activeTargets.length) main.append(h('div', { class: 'card muted' }, 'No targets.'));
};

pages.rules = async (main) => {
  const data = await getJSON('/api/v1/rules');
  main.append(h('h1', {}, 'Rules'));
  for (const g of data.groups) {
    main.append(h('div', { class: 'card rule-group' }, h('h2', {}, g.name), h('div', { class: 'muted' }, `${g.file} · every ${g.interval}s · last evaluation ${ago(g.lastEvaluation)} · took ${humanize(g.evaluationTime, 's')}`),
      h('table', { class: 'data' }, h('tr', {}, ['Rule', 'Health', 'Last evaluation', 'Error'].map((x) => h('th', {}, x))),
        g.rules.map((r) => h('tr', {}, h('td', { class: 'mono' }, `${r.type === 'alerting' ? 'alert' : 'record'}: ${r.name}\nexpr: `, h('a', { href: '#/graph?expr=' + encodeURIComponent(r.query) }, r.query)),
          h('td', {}, h('span', { class: 'badge ' + r.health }, r.health)), h('td', {}, ago(r.lastEvaluation)), h('td', { class: 'mono' }, r.lastError || ''))))));
  }
  if (!data.groups.length) main.append(h('div', { class: 'card muted' }, 'No rule groups loaded.'));
};

pages.alerts = async (main) => {
  const p = params();
  main.append(h('h1', {}, 'Alerts'));
  const rules = await getJSON('/api/v1/rules?type=alert');
  const card = h('div', { class: 'card' }, h('h2', {}, 'Alerting rules'));
  let count = 0;
  for (const g of rules.groups) for (const r of g.rules) {
    count++;
    card.append(h('div', { class: 'alert-rule', style: 'margin:8px 0' }, h('span', { class: 'badge ' + r.state }, r.state), ' ', h('b', {}, r.name), h('span', { class: 'muted' }, ` (${r.alerts.length} active) · ${g.name}`),
      r.alerts.length ? h('table', { class: 'data', style: 'margin-top:4px' }, h('tr', {}, ['Labels', 'State', 'Active since', 'Value', 'Annotations'].map((x) => h('th', {}, x))),
        r.alerts.map((a) => h('tr', {}, h('td', {}, labelChips(a.labels)), h('td', {}, h('span', { class: 'badge ' + a.state }, a.state)), h('td', {}, ago(a.activeAt)),
          h('td', { class: 'mono' }, a.value), h('td', {}, Object.entries(a.annotations || {}).map(([k, v]) => h('div', {}, h('b', {}, k + ': '), v)))))) : null));
  }
  if (!count) card.append(h('div', { class: 'muted' }, 'No alerting rules.'));
  main.append(card);

  const am = h('div', { class: 'card', id: 'am-groups' }, h('h2', {}, 'Alertmanager: alert groups'));
  const receiver = p.get('receiver');
  try {
    const groups = await getJSON('/api/v2/alerts/groups' + (receiver ? '?receiver=' + encodeURIComponent(receiver) : ''));
    if (receiver) am.append(h('div', { class: 'muted' }, `receiver ${receiver} · `, h('a', { href: '#/alerts' }, 'all receivers')));
    if (!groups.length) am.append(h('div', { class: 'muted' }, 'No alerts.'));
    for (const g of groups) {
      am.append(h('div', { class: 'am-group', style: 'margin:10px 0' }, h('b', {}, g.receiver.name), ' ', labelChips(g.labels),
        h('table', { class: 'data' }, g.alerts.map((a) => h('tr', {}, h('td', {}, h('span', { class: 'badge ' + a.status.state }, a.status.state)), h('td', {}, labelChips(a.labels)),
          h('td', {}, (a.annotations && a.annotations.summary) || ''), h('td', {}, 'since ' + ago(a.startsAt)),
          h('td', {}, h('a', { href: '#/silences?matchers=' + encodeURIComponent(Object.entries(a.labels).map(([k, v]) => `${k}="${v}"`).join(', ')) }, 'Silence')))))));
    }
  } catch (e) { am.append(h('div', { class: 'error' }, e.message)); }
  main.append(am);
};

/// `alertname="X", instance=~"a.*"` → API matchers.
function parseMatchers(text) {
  const out = [];
  const re = /\s*([^\s=!~,{}"]+|"(?:[^"\\]|\\.)*")\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|[^,}]*)\s*,?/y;
  let body = text.trim().replace(/^\{/, '').replace(/\}$/, '');
  re.lastIndex = 0;
  while (re.lastIndex < body.length) {
    const m = re.exec(body);
    if (!m) throw new Error('cannot read the matchers at: ' + body.slice(re.lastIndex));
    const unq = (x) => x.startsWith('"') ? JSON.parse(x) : x.trim();
    out.push({ name: unq(m[1]), value: unq(m[3]), isRegex: m[2].includes('~'), isEqual: !m[2].startsWith('!') });
  }
  if (!out.length) throw new Error('at least one matcher is needed');
  return out;
}

pages.silences = async (main) => {
  const p = params();
  main.append(h('h1', {}, 'Silences'));
  const msg = h('div', { id: 'silence-message' });
  const form = h('form', { class: 'card', id: 'silence-form' },
    h('h2', {}, 'New silence'),
    h('div', { class: 'form-grid' },
      h('label', { for: 'silence-matchers' }, 'Matchers'), h('input', { type: 'text', id: 'silence-matchers', value: p.get('matchers') || '', placeholder: 'alertname="ModelAPIDown", instance=~"api-.*"' }),
      h('label', { for: 'silence-duration' }, 'Duration'), h('input', { type: 'text', id: 'silence-duration', value: '2h' }),
      h('label', { for: 'silence-creator' }, 'Created by'), h('input', { type: 'text', id: 'silence-creator', value: localStorage.getItem('vigil.author') || '' }),
      h('label', { for: 'silence-comment' }, 'Comment'), h('input', { type: 'text', id: 'silence-comment' })),
    h('div', { style: 'margin-top:10px' }, h('button', { type: 'submit', id: 'silence-create' }, 'Create')), msg);
  form.onsubmit = async (e) => {
    e.preventDefault();
    try {
      const duration = parseDuration($('#silence-duration').value);
      if (!duration) throw new Error('the duration must look like 2h or 30m');
      const body = { matchers: parseMatchers($('#silence-matchers').value), startsAt: new Date().toISOString(),
        endsAt: new Date(nowMs() + duration).toISOString(), createdBy: $('#silence-creator').value || 'vigil-ui', comment: $('#silence-comment').value || '' };
      localStorage.setItem('vigil.author', body.createdBy);
      const r = await getJSON('/api/v2/silences', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      setParams('silences', new URLSearchParams());
      route(`Silence ${r.silenceID} created.`);
    } catch (err) { msg.replaceChildren(h('div', { class: 'error' }, err.message)); }
  };
  main.append(form);
  const list = await getJSON('/api/v2/silences');
  const card = h('div', { class: 'card' }, h('h2', {}, 'Silences'));
  if (!list.length) card.append(h('div', { class: 'muted' }, 'No silences.'));
  else card.append(h('table', { class: 'data', id: 'silence-list' }, h('tr', {}, ['State', 'Matchers', 'Ends', 'Created by', 'Comment', ''].map((x) => h('th', {}, x))),
    list.map((sl) => h('tr', { 'data-id': sl.id, class: 'silence silence-' + sl.status.state }, h('td', {}, h('span', { class: 'badge ' + (sl.status.state === 'expired' ? 'expired' : sl.status.state + '-silence') }, sl.status.state)),
      h('td', {}, sl.matchers.map((m) => h('span', { class: 'label' }, `${m.name}${m.isRegex ? (m.isEqual ? '=~' : '!~') : (m.isEqual ? '=' : '!=')}"${m.value}"`))),
      h('td', {}, fmtTime(new Date(sl.endsAt).getTime())), h('td', {}, sl.createdBy), h('td', {}, sl.comment),
      h('td', {}, sl.status.state === 'expired' ? '' : h('button', { class: 'danger expire', onclick: async () => {
        try { await getJSON('/api/v2/silence/' + sl.id, { method: 'DELETE' }); route(`Silence ${sl.id} expired.`); } catch (err) { msg.replaceChildren(h('div', { class: 'error' }, err.message)); }
      } }, 'Expire'))))));
  main.append(card);
};

pages.status = async (main) => {
  main.append(h('h1', {}, 'Status'));
  const [build, runtime, flags, config, tsdb] = await Promise.all(['buildinfo', 'runtimeinfo', 'flags', 'config', 'tsdb'].map((x) => getJSON('/api/v1/status/' + x)));
  const kv = (obj) => h('table', { class: 'data' }, Object.entries(obj).map(([k, v]) => h('tr', {}, h('th', { style: 'width:260px' }, k), h('td', { class: 'mono' }, typeof v === 'object' ? JSON.stringify(v) : String(v)))));
  main.append(h('div', { class: 'card' }, h('h2', {}, 'Build information'), kv(build)));
  main.append(h('div', { class: 'card' }, h('h2', {}, 'Runtime information'), kv(runtime)));
  const stats = (title, list) => h('div', {}, h('h2', {}, title), h('table', { class: 'data' }, (list || []).map((x) => h('tr', {}, h('td', { class: 'mono' }, x.name), h('td', {}, x.value)))));
  main.append(h('div', { class: 'card', id: 'tsdb-status' }, h('h2', {}, 'TSDB'), kv(tsdb.headStats || {}),
    stats('Series count by metric name', tsdb.seriesCountByMetricName), stats('Label value count by label name', tsdb.labelValueCountByLabelName)));
  main.append(h('div', { class: 'card' }, h('h2', {}, 'Command-line flags'), kv(flags)));
  main.append(h('div', { class: 'card' }, h('h2', {}, 'Configuration'), h('pre', { class: 'config' }, config.yaml)));
  try {
    const am = await getJSON('/api/v2/status');
    main.append(h('div', { class: 'card' }, h('h2', {}, 'Alertmanager configuration'), h('pre', { class: 'config' }, am.config.original)));
  } catch { /* the Alertmanager may be disabled */ }
};

// ---------- dashboards ----------
pages.dashboards = async (main) => {
  const list = await getJSON('/api/vigil/dashboards');
  main.append(h('h1', {}, 'Dashboards'), h('div', { class: 'card' }, list.length ? h('table', { class: 'data', id: 'dashboard-list' },
    list.map((d) => h('tr', {}, h('td', {}, h('a', { href: '#/d/' + encodeURIComponent(d.uid) }, d.title)), h('td', { class: 'muted mono' }, d.file))))
    : h('div', { class: 'muted' }, 'No dashboards found (see --web.dashboards-dir).')));
};

function substitute(text, vars) {
  return text.replace(/\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)/g, (all, a, b, c) => {
    const name = a || b || c;
    return Object.prototype.hasOwnProperty.call(vars, name) ? vars[name] : all;
  });
}
function markdown(text) {
  const esc = (x) => x.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return esc(text).split(/\n{2,}/).map((p) => '<p>' + p.replace(/`([^`]+)`/g, '<code>$1</code>').replace(/\*\*([^*]+)\*\*/g, '<b>$1</b>').replace(/\n/g, '<br>') + '</p>').join('');
}

// A variable's value inside a PromQL regex string (`job=~"$job"`), as Grafana writes it: regex
// metacharacters escaped, and each escape's backslash doubled for the string literal.
function promRegexEscape(x) { return x.replace(/[.*+?^${}()|[\]\\]/g, '\\\\$&'); }

// Template variables in Grafana's model: `query` (label_values, query_result, … through the JSON
// datasource API, later variables seeing earlier ones, `regex` keeping a capture group), `custom`,
// `constant`, `textbox` and `interval`. Each gives the options, the chosen value and, for
// repeated panels, every value it stands for.
async function loadVariables(d, p, bar, uid) {
  const vars = {}, valuesOf = {};
  for (const v of (d.templating && d.templating.list) || []) {
    if (!['query', 'custom', 'constant', 'textbox', 'interval'].includes(v.type)) continue;
    let values = [];
    if (v.type === 'query') {
      const query = substitute(typeof v.query === 'string' ? v.query : (v.query && v.query.query) || v.definition || '', vars);
      try { values = (await getJSON('/grafana/json/variable', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ payload: { target: query } }) })).map((x) => x.value); } catch { /* no values */ }
    } else if (v.type === 'custom' || v.type === 'interval') {
      values = String(v.query || '').split(',').map((x) => x.trim()).filter(Boolean);
    } else {
      values = [String(v.query || (v.current && v.current.value) || '')];
    }
    if (v.regex) {
      const m = String(v.regex).match(/^\/(.*)\/([gimsuy]*)$/);
      let re = null;
      try { re = new RegExp(m ? m[1] : v.regex, m ? m[2].replace('g', '') : ''); } catch { /* an invalid regex keeps every value */ }
      if (re) values = values.map((x) => { const r = x.match(re); return r ? (r.groups && (r.groups.value || r.groups.text)) || r[1] || r[0] : null; }).filter((x) => x !== null);
    }
    values = [...new Set(values)];
    if (v.sort === 1 || v.sort === 3) values.sort(); else if (v.sort === 2 || v.sort === 4) values.sort().reverse();
    const current = v.current && v.current.value;
    const fallback = Array.isArray(current) ? current[0] : current;
    let want = p.get('var-' + v.name) || (fallback && (fallback === '$__all' || values.includes(fallback)) ? fallback : (v.includeAll ? '$__all' : values[0] || ''));
    if (want === '$__all' && !v.includeAll) want = values[0] || '';
    if (v.hide !== 2 && v.type !== 'constant') {
      const sel = h('select', { id: 'var-' + v.name }, v.includeAll ? h('option', { value: '$__all', selected: want === '$__all' }, 'All') : null, values.map((x) => h('option', { value: x, selected: want === x }, x)));
      sel.onchange = () => { p.set('var-' + v.name, sel.value); setParams('d/' + uid, p); route(); };
      bar.append(h('span', {}, h('label', {}, v.label || v.name), sel));
    }
    const escape = (x) => (v.type === 'query' || v.type === 'custom' ? promRegexEscape(x) : x);
    valuesOf[v.name] = want === '$__all' ? values : [want];
    vars[v.name] = want === '$__all' ? (v.allValue || (values.length ? '(' + values.map(escape).join('|') + ')' : '.*')) : escape(want);
  }
  return { vars, valuesOf };
}

// The dashboard as sections: the panels before the first row, then each row with its panels
// (those after it, or inside it when collapsed). Each section is its own grid, so a collapsed
// row leaves no gap and an expanded one pushes what follows down.
function dashboardSections(panels) {
  const sections = [{ row: null, panels: [] }];
  for (const panel of panels || []) {
    if (panel.type === 'row') sections.push({ row: panel, panels: panel.collapsed ? (panel.panels || []) : [] });
    else sections[sections.length - 1].panels.push(panel);
  }
  return sections.filter((x) => x.row || x.panels.length);
}

// A panel repeated for each value of its variable (`repeat`), side by side (`repeatDirection`
// h, at most `maxPerRow`) or stacked (v); each copy sees its own value.
function repeatedPanels(panel, vars, valuesOf) {
  const name = panel.repeat;
  if (!name || !valuesOf[name] || !valuesOf[name].length) return [{ panel, vars }];
  const g = panel.gridPos || { x: 0, y: 0, w: 12, h: 8 };
  const values = valuesOf[name];
  const perRow = panel.repeatDirection === 'v' ? 1 : Math.max(1, Math.min(panel.maxPerRow || 24, Math.floor(24 / Math.max(1, g.w))));
  const w = panel.repeatDirection === 'v' ? g.w : Math.max(g.w, Math.floor(24 / Math.min(perRow, values.length)));
  return values.map((value, i) => {
    const own = { ...vars, [name]: promRegexEscape(value) };
    const x = panel.repeatDirection === 'v' ? g.x : (i % perRow) * w;
    const y = g.y + (panel.repeatDirection === 'v' ? i : Math.floor(i / perRow)) * g.h;
    return { panel: { ...panel, title: substitute(panel.title || '', { ...vars, [name]: value }), gridPos: { ...g, x, y, w } }, vars: own };
  });
}

async function renderDashboard(main, uid) {
  const d = await getJSON('/api/vigil/dashboards/' + encodeURIComponent(uid));
  const p = params();
  const range = p.get('from') || (d.time && d.time.from ? d.time.from.replace('now-', '') : '1h');
  main.append(h('h1', {}, d.title));
  const bar = h('div', { class: 'vars' });
  const board = h('div', { id: 'dashboard-grid' });
  main.append(bar, board);
  const { vars: selected, valuesOf } = await loadVariables(d, p, bar, uid);
  const picker = h('select', { id: 'time-range' }, RANGES.map((r) => h('option', { value: r, selected: r === range }, 'Last ' + r)));
  picker.onchange = () => { p.set('from', picker.value); setParams('d/' + uid, p); route(); };
  bar.append(h('span', {}, h('label', {}, 'Time'), picker), h('button', { class: 'secondary', onclick: () => route() }, 'Refresh'));
  const end = nowMs(), span = parseDuration(range) || 3.6e6, step = autoStep(span, 200);
  const vars = { ...selected, __interval: fmtDuration(step), __rate_interval: fmtDuration(Math.max(60000, step + 15000)), __range: fmtDuration(span) };
  for (const section of dashboardSections(d.panels)) {
    const grid = h('div', { class: 'grid' });
    const draw = () => {
      const items = section.panels.flatMap((panel) => repeatedPanels(panel, vars, valuesOf));
      const top = Math.min(...items.map(({ panel }) => (panel.gridPos || {}).y || 0));
      for (const { panel, vars: own } of items) {
        const g = panel.gridPos || { x: 0, y: 0, w: 12, h: 8 };
        const body = h('div', { class: 'body' });
        const el = h('div', { class: 'panel panel-' + panel.type, 'data-panel': panel.title || '', style: `grid-column:${g.x + 1} / span ${g.w};grid-row:${g.y - top + 1} / span ${g.h}` },
          h('div', { class: 'title', title: panel.description || '' }, panel.title || ''), body);
        grid.append(el);
        renderPanel(panel, body, own, end, span, step, g.h * 38 - 40).catch((e) => body.replaceChildren(h('div', { class: 'error' }, e.message)));
      }
    };
    if (section.row) {
      const collapsed = !!section.row.collapsed;
      const header = h('div', { class: 'row-header' + (collapsed ? ' collapsed' : ''), 'data-row': section.row.title || '' }, (collapsed ? '▸ ' : '▾ ') + substitute(section.row.title || '', selected));
      grid.hidden = collapsed;
      let drawn = !collapsed;
      header.onclick = () => {
        grid.hidden = !grid.hidden;
        header.classList.toggle('collapsed', grid.hidden);
        header.textContent = (grid.hidden ? '▸ ' : '▾ ') + substitute(section.row.title || '', selected);
        if (!drawn) { drawn = true; draw(); }
      };
      board.append(header);
      if (!collapsed) draw();
    } else {
      draw();
    }
    board.append(grid);
  }
}

// The buckets of native histogram series as heatmap rows: one per bucket (lower, upper), counts of
// series with the same bucket added up, ascending.
function nativeBucketRows(series) {
  const rows = new Map();
  for (const sr of series) {
    for (const [t, hg] of sr.histograms || []) {
      for (const [, lo, hi, c] of hg.buckets || []) {
        const key = lo + ',' + hi;
        if (!rows.has(key)) rows.set(key, { lo: parseFloat(lo), hi: parseFloat(hi), label: hi, cells: new Map() });
        const row = rows.get(key);
        row.cells.set(t, (row.cells.get(t) || 0) + parseFloat(c));
      }
    }
  }
  return [...rows.values()].sort((a, b) => a.hi - b.hi || a.lo - b.lo);
}

// Histogram buckets as a heatmap: one column per step, one row per bucket, each cell the bucket's
// own count, darker for more. Native histograms bring their buckets; classic ones are series with
// an `le` label, cumulative, taken apart here.
function heatmapChart(series, { start, end, height = 220, width = 600 }) {
  let rows = nativeBucketRows(series);
  if (!rows.length) {
    const classic = series.filter((sr) => sr.metric.le !== undefined)
      .map((sr) => ({ le: sr.metric.le === '+Inf' ? Infinity : parseFloat(sr.metric.le), label: sr.metric.le, points: new Map(sr.points) }))
      .filter((r) => !Number.isNaN(r.le)).sort((a, b) => a.le - b.le);
    rows = classic.map((r, i) => ({ label: r.label, cells: new Map([...r.points].map(([t, v]) => {
      const below = i > 0 ? classic[i - 1].points.get(t) : 0;
      return [t, Number.isFinite(v) ? Math.max(0, v - (below || 0)) : null];
    })) }));
  }
  if (!rows.length) return h('div', { class: 'muted' }, 'No histogram buckets (native histograms or series with an le label)');
  const times = [...new Set(rows.flatMap((r) => [...r.cells.keys()]))].sort((a, b) => a - b);
  const cells = rows.map((r) => times.map((t) => {
    const v = r.cells.get(t);
    return v === undefined || v === null || !Number.isFinite(v) ? null : v;
  }));
  const max = Math.max(0, ...cells.flat().filter((v) => v !== null)) || 1;
  const m = { l: 56, r: 8, t: 6, b: 22 };
  // A column per evaluation time, placed on the time axis and as wide as the closest two are apart.
  const X = (t) => m.l + ((t - start) / ((end - start) || 1)) * (width - m.l - m.r);
  const gap = times.length > 1 ? Math.min(...times.slice(1).map((t, j) => t - times[j])) : (end - start) || 1;
  const cw = Math.max(1, X(start + gap) - X(start)), ch = (height - m.t - m.b) / rows.length;
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, height: String(height), class: 'heatmap', 'data-buckets': String(rows.length) });
  rows.forEach((r, i) => {
    const y = m.t + (rows.length - 1 - i) * ch;
    const label = s('text', { x: m.l - 6, y: y + ch / 2 + 4, 'text-anchor': 'end', 'font-size': 10, fill: '#667085' });
    const bound = parseFloat(r.label);
    label.textContent = Number.isFinite(bound) ? String(parseFloat(bound.toPrecision(3))) : r.label;
    svg.append(label);
    cells[i].forEach((v, j) => {
      if (v === null) return;
      svg.append(s('rect', { x: Math.max(m.l, X(times[j]) - cw), y, width: Math.max(1, cw - 0.5), height: Math.max(1, ch - 0.5), fill: '#e8590c', 'fill-opacity': (0.08 + 0.92 * v / max).toFixed(3), class: 'cell' }));
    });
  });
  const { ticks, step: tickStep } = timeTicks(start, end, 6);
  for (const t of ticks) {
    const label = s('text', { x: m.l + ((t - start) / ((end - start) || 1)) * (width - m.l - m.r), y: height - 6, 'text-anchor': 'middle', 'font-size': 10, fill: '#667085' });
    label.textContent = fmtTick(t, tickStep);
    svg.append(label);
  }
  return svg;
}

// Instant values as a pie with a legend of shares.
function pieChart(values, { unit, size = 160 }) {
  const total = values.reduce((a, [, v]) => a + (Number.isFinite(v) && v > 0 ? v : 0), 0);
  const svg = s('svg', { viewBox: '0 0 200 200', height: String(size), class: 'pie' });
  let angle = -Math.PI / 2;
  values.forEach(([, v], i) => {
    if (!(v > 0) || !total) return;
    const a = (v / total) * Math.PI * 2;
    const [x0, y0] = [100 + 90 * Math.cos(angle), 100 + 90 * Math.sin(angle)];
    const [x1, y1] = [100 + 90 * Math.cos(angle + a), 100 + 90 * Math.sin(angle + a)];
    const d = a >= Math.PI * 2 - 1e-9 ? 'M10,100 A90,90 0 1 1 190,100 A90,90 0 1 1 10,100 Z'
      : `M100,100 L${x0.toFixed(2)},${y0.toFixed(2)} A90,90 0 ${a > Math.PI ? 1 : 0} 1 ${x1.toFixed(2)},${y1.toFixed(2)} Z`;
    svg.append(s('path', { d, fill: color(i), class: 'slice' }));
    angle += a;
  });
  const legend = h('div', { class: 'legend' }, values.map(([name, v], i) => h('span', { class: 'legend-item' }, h('span', { class: 'swatch', style: `background:${color(i)}` }),
    `${name}: ${humanize(v, unit)}${total ? ' (' + trim((Math.max(0, v) / total) * 100) + '%)' : ''}`)));
  return h('div', { class: 'pie-box' }, svg, legend);
}

// Instant values as horizontal bars between min and max, coloured by the thresholds.
function barGauge(values, { unit, min, max, thresholds }) {
  const lo = min ?? 0, hi = max ?? Math.max(lo + 1e-9, ...values.map(([, v]) => v).filter(Number.isFinite));
  return h('div', { class: 'bargauge' }, values.map(([name, v], i) => {
    const frac = Math.max(0, Math.min(1, (v - lo) / ((hi - lo) || 1)));
    const c = thresholdColor(v, thresholds) || color(i);
    return h('div', { class: 'bar-row' }, h('span', { class: 'bar-name' }, name),
      h('span', { class: 'bar-track' }, h('span', { class: 'bar', style: `width:${(frac * 100).toFixed(1)}%;background:${c}` })),
      h('span', { class: 'bar-value' }, humanize(v, unit)));
  }));
}

async function renderPanel(panel, body, vars, end, span, step, heightPx) {
  const defaults = (panel.fieldConfig && panel.fieldConfig.defaults) || {};
  // The legacy graph panel keeps its unit on the left y axis.
  const unit = defaults.unit || (panel.yaxes && panel.yaxes[0] && panel.yaxes[0].format);
  const instantValues = async () => {
    const values = [];
    for (const t of targets) {
      const data = await instantQuery(substitute(t.expr, vars));
      const res = data.resultType === 'scalar' ? [{ metric: {}, value: data.result }] : data.result;
      for (const r of res) values.push([legendName(t, r.metric), parseFloat(r.value[1])]);
    }
    return values;
  };
  const targets = (panel.targets || []).filter((t) => t.expr && !t.hide);
  const legendName = (t, metric) => t.legendFormat && t.legendFormat !== '__auto' ? t.legendFormat.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, l) => metric[l] || '') : seriesName(metric);
  switch (panel.type) {
    case 'text':
      body.innerHTML = markdown((panel.options && panel.options.content) || '');
      return;
    case 'timeseries': case 'graph': {
      const series = [];
      for (const t of targets) for (const sr of await rangeQuery(substitute(t.expr, vars), end - span, end, step)) series.push({ ...sr, name: legendName(t, sr.metric) });
      body.replaceChildren(series.length ? lineChart(series, { unit, start: end - span, end, step, height: Math.max(120, heightPx - 40), width: body.clientWidth }) : h('div', { class: 'muted' }, 'No data'));
      return;
    }
    case 'stat': case 'gauge': {
      const values = [];
      for (const t of targets) {
        const data = await instantQuery(substitute(t.expr, vars));
        const res = data.resultType === 'scalar' ? [{ metric: {}, value: data.result }] : data.result;
        for (const r of res) values.push([legendName(t, r.metric), parseFloat(r.value[1])]);
      }
      if (!values.length) { body.replaceChildren(h('div', { class: 'muted' }, 'No data')); return; }
      if (panel.type === 'gauge') {
        body.replaceChildren(gaugeChart(values[0][1], { unit, min: defaults.min ?? 0, max: defaults.max ?? 100, thresholds: defaults.thresholds }));
        return;
      }
      const mapped = (v) => {
        for (const m of defaults.mappings || []) if (m.type === 'value' && m.options && m.options[String(v)]) return m.options[String(v)];
        return null;
      };
      body.replaceChildren(h('div', { class: 'stat-row', style: 'display:flex;justify-content:space-around;flex-wrap:wrap' }, values.map(([name, v]) => {
        const m = mapped(v);
        const c = (m && thresholdColor(0, { steps: [{ value: null, color: m.color }] })) || thresholdColor(v, defaults.thresholds) || '#1d2330';
        return h('div', { class: 'stat', style: `color:${c}` }, m ? m.text : humanize(v, unit), values.length > 1 ? h('small', {}, name) : null);
      })));
      return;
    }
    case 'bargauge': case 'piechart': {
      const values = await instantValues();
      if (!values.length) { body.replaceChildren(h('div', { class: 'muted' }, 'No data')); return; }
      body.replaceChildren(panel.type === 'bargauge'
        ? barGauge(values, { unit, min: defaults.min, max: defaults.max, thresholds: defaults.thresholds })
        : pieChart(values, { unit, size: Math.max(80, Math.min(heightPx - 20, (body.clientWidth || 400) * 0.5)) }));
      return;
    }
    case 'heatmap': {
      const series = [];
      for (const t of targets) series.push(...await rangeQuery(substitute(t.expr, vars), end - span, end, step));
      body.replaceChildren(series.length ? heatmapChart(series, { start: end - span, end, height: Math.max(120, heightPx - 20), width: body.clientWidth || 600 }) : h('div', { class: 'muted' }, 'No data'));
      return;
    }
    case 'table': {
      const rows = [];
      for (const t of targets) {
        const data = await instantQuery(substitute(t.expr, vars));
        for (const r of data.result || []) rows.push(r);
      }
      const names = [...new Set(rows.flatMap((r) => Object.keys(r.metric)))].sort();
      body.replaceChildren(rows.length ? h('table', { class: 'data' }, h('tr', {}, names.map((n) => h('th', {}, n)), h('th', {}, 'Value')),
        rows.map((r) => h('tr', {}, names.map((n) => h('td', { class: 'mono' }, r.metric[n] || '')), h('td', { class: 'mono' }, humanize(parseFloat(r.value[1]), unit)))))
        : h('div', { class: 'muted' }, 'No data'));
      return;
    }
    default:
      body.replaceChildren(h('div', { class: 'muted unsupported' }, `Panel type “${panel.type}” is not drawn by Vigil; open this dashboard in Grafana to see it.`));
  }
}

// ---------- routing ----------
async function route(message) {
  const main = $('#main');
  // Prometheus-style links (/graph?g0.expr=…) open the expression browser.
  if (location.pathname === '/graph' && !location.hash) {
    const q = new URLSearchParams(location.search);
    history.replaceState(null, '', '/#/graph?expr=' + encodeURIComponent(q.get('g0.expr') || '') + (q.get('g0.tab') === '1' ? '&tab=table' : ''));
  }
  // Alertmanager's UI links (#/silences/new, #/silences/<id>) open the silences view.
  let path = (location.hash.replace(/^#\/?/, '').split('?')[0]) || document.body.dataset.landing || 'graph';
  if (path.startsWith('silences/')) path = 'silences';
  document.querySelectorAll('#nav a').forEach((a) => a.classList.toggle('active', path.startsWith(a.dataset.page) || (path.startsWith('d/') && a.dataset.page === 'dashboards')));
  // Each visit renders into its own element: a slower, older visit then fills a detached one.
  const view = h('div', { class: 'view' });
  main.replaceChildren(view);
  if (message) view.append(h('div', { class: 'card', id: 'flash' }, message));
  try {
    if (path.startsWith('d/')) await renderDashboard(view, decodeURIComponent(path.slice(2)));
    else await (pages[path] || pages.graph)(view);
  } catch (e) {
    view.append(h('div', { class: 'error' }, e.message));
  }
  if (view.isConnected) document.body.dataset.ready = path;
}
window.addEventListener('hashchange', () => route());
route();
