// The model page's Monitoring section: drift checks over time (a check opens its report: every feature's test, score,
// threshold, verdict and reference-vs-current histograms), live performance per version from labelled predictions,
// and the drift events of the model with the runs (retraining) they triggered. Polls while the page is visible.
import { h, fill, enc, qs, setQuery } from '../dom.js';
import { api, query, isMissingRoute } from '../api.js';
import { problemBox } from '../layout.js';
import { time, ago, number } from '../format.js';
import { driftChart, overlayHistogram, timeSeriesChart } from '../charts.js';
import { poll } from '../poll.js';
import { runLink, triggeredRuns } from './event-bits.js';

const CHECKS = 50;

export function createMonitoring(name) {
  const driftSlot = h('div', { testid: 'drift-section' });
  const checksSlot = h('div');
  const reportSlot = h('div', { testid: 'drift-report-slot' });
  const perfSlot = h('div', { testid: 'performance-section' });
  const eventsSlot = h('div', { testid: 'model-events-section' });
  const metricSelect = h('select', { class: 'input input-small', testid: 'performance-metric', onchange: () => { setQuery({ perfMetric: metricSelect.value }); drawPerformance(); } });
  const keys = {};
  let checks = [];
  let chosen = qs('check');
  let performance = null;

  const el = h('section', { class: 'card pad monitoring', id: 'monitoring', testid: 'model-monitoring' },
    h('h2', null, 'Monitoring'),
    h('div', { class: 'two-col even' },
      h('div', null, h('div', { class: 'section-head' }, h('h3', null, 'Drift checks'), driftLegend()), driftSlot),
      h('div', null, h('div', { class: 'section-head' }, h('h3', null, 'Live performance per version'), h('label', { class: 'small' }, 'Metric ', metricSelect)), perfSlot)),
    checksSlot, reportSlot,
    h('h3', null, 'Drift events and the runs they triggered'),
    eventsSlot);

  /** Runs `load` and draws its answer only when it changed; a route the server lacks shows `unavailable` instead. */
  async function section(key, slot, load, draw, unavailable) {
    try {
      const answer = await load();
      const text = JSON.stringify(answer);
      if (keys[key] === text) return;
      keys[key] = text;
      draw(answer);
    } catch (e) {
      keys[key] = null;
      fill(slot, isMissingRoute(e) ? h('p', { class: 'muted small', testid: `${key}-unavailable` }, unavailable) : problemBox(e));
    }
  }

  function drawDrift() {
    fill(driftSlot, driftChart([...checks].reverse(), { testid: 'drift-chart', selectedId: chosen, onPick: (c) => pick(c.id) }));
    fill(checksSlot, checks.length ? checksTable() : null);
  }

  function checksTable() {
    return h('table', { class: 'table table-compact', testid: 'drift-checks' },
      h('thead', null, h('tr', null, ['#', 'When', 'Kind', 'Version', 'Share drifted', 'Drifted features', 'Rows (ref / cur)', 'Run'].map((c) => h('th', null, c)))),
      h('tbody', null, checks.slice(0, 10).map((c) => h('tr', {
        class: ['clickable', c.drifted ? 'drifted-row' : null, String(c.id) === String(chosen) ? 'chosen' : null],
        testid: `drift-check-${c.id}`, 'data-drifted': String(Boolean(c.drifted)), onclick: () => pick(c.id),
      },
      h('td', null, `#${c.id}`), h('td', { title: time(c.at) }, ago(c.at)), h('td', null, h('span', { class: 'tag' }, c.kind)),
      h('td', null, c.version ? `v${c.version}` : '—'),
      h('td', { class: 'num' }, h('b', { class: c.drifted ? 'error-text' : null }, pct(c.share)), h('span', { class: 'muted small' }, ` / ${pct(c.shareThreshold)}`)),
      h('td', { class: 'small' }, (c.driftedFeatures ?? []).join(', ') || '—'),
      h('td', { class: 'num small' }, `${number(c.referenceRows)} / ${number(c.currentRows)}`),
      h('td', { onclick: (e) => e.stopPropagation() }, runLink(c.dagId, c.runId, c.taskId, 'drift-check-run'))))));
  }

  async function pick(id) {
    chosen = String(id);
    setQuery({ check: chosen });
    drawDrift();
    await showReport();
  }

  async function showReport() {
    if (!chosen) { fill(reportSlot); return; }
    fill(reportSlot, h('p', { class: 'muted small' }, `Loading check #${chosen}…`));
    try {
      const check = await api.get(`/models/${enc(name)}/drift/${enc(chosen)}`);
      if (String(check.id) !== chosen) return; // another check was picked meanwhile
      fill(reportSlot, report(check));
    } catch (e) {
      fill(reportSlot, isMissingRoute(e) ? h('p', { class: 'muted small' }, 'Drift reports are not available on this server.') : problemBox(e, 'drift-report-problem'));
    }
  }

  function drawPerformance() {
    const buckets = performance?.buckets ?? [];
    const metrics = [...new Set(buckets.flatMap((b) => Object.keys(b.metrics ?? {})))].sort();
    const wanted = qs('perfMetric') ?? metricSelect.value ?? performance?.metric;
    const metric = metrics.includes(wanted) ? wanted : metrics.includes(performance?.metric) ? performance.metric : metrics[0];
    if (metricSelect.dataset.options !== metrics.join(',')) {
      metricSelect.dataset.options = metrics.join(',');
      fill(metricSelect, metrics.map((m) => h('option', { value: m }, m)));
    }
    if (metric) metricSelect.value = metric;
    metricSelect.parentElement.hidden = metrics.length === 0;
    const versions = [...new Set(buckets.map((b) => b.version))].sort((a, b) => a - b);
    const series = versions.map((v) => ({
      name: `v${v}`,
      points: buckets.filter((b) => b.version === v).map((b) => ({ at: b.start, value: b.metrics?.[metric], count: b.count })),
    }));
    fill(perfSlot, buckets.length === 0
      ? h('p', { class: 'muted small', testid: 'performance-chart' }, 'No labelled predictions yet: send labels to POST /models/{name}/feedback.')
      : timeSeriesChart(series, { testid: 'performance-chart', name: metric ?? '' }),
    performance ? h('div', { class: 'muted small' }, `${time(performance.from)} – ${time(performance.to)} · ${performance.bucket ?? ''} buckets`,
      performance.truncated ? ' · truncated: narrow the window for every row' : '') : null);
  }

  function drawEvents(page) {
    fill(eventsSlot, page.items.length === 0 ? h('p', { class: 'muted small', testid: 'model-events' }, 'No drift events for this model.') :
      h('table', { class: 'table table-compact', testid: 'model-events' },
        h('thead', null, h('tr', null, ['#', 'When', 'Drifted', 'Emitted by', 'Triggered runs'].map((c) => h('th', null, c)))),
        h('tbody', null, page.items.map((e) => h('tr', { testid: `model-event-${e.id}` },
          h('td', null, h('a', { href: `/monitoring?event=${enc(e.id)}` }, `#${e.id}`)),
          h('td', { title: time(e.createdAt) }, ago(e.createdAt)),
          h('td', { class: 'small' }, typeof e.payload?.share === 'number' ? `${pct(e.payload.share)}: ${(e.payload.driftedFeatures ?? []).join(', ')}` : '—',
            e.payload?.checkId ? [' · ', h('a', { href: '#monitoring', onclick: (ev) => { ev.preventDefault(); pick(e.payload.checkId); } }, `check #${e.payload.checkId}`)] : null),
          h('td', null, runLink(e.source?.dagId, e.source?.runId, e.source?.taskId)),
          h('td', null, e.deliveredAt ? triggeredRuns(e.triggeredRuns) : h('span', { class: 'muted small' }, 'not delivered yet')))))));
  }

  async function refresh() {
    await Promise.all([
      section('drift', driftSlot, () => api.get(`/models/${enc(name)}/drift${query({ limit: CHECKS })}`),
        (page) => { checks = page.items ?? []; drawDrift(); }, 'Drift checks are not available on this server.'),
      section('performance', perfSlot, () => api.get(`/models/${enc(name)}/performance`),
        (answer) => { performance = answer; drawPerformance(); }, 'Live performance is not available on this server.'),
      section('events', eventsSlot, () => api.get(`/events${query({ kind: 'drift', subject: name, limit: 20 })}`),
        drawEvents, 'Events are not available on this server.'),
    ]);
  }

  return {
    el,
    async start() {
      await refresh();
      if (chosen) await showReport();
      poll(refresh, 2000);
    },
  };
}

function pct(v) {
  return typeof v === 'number' ? `${(v * 100).toFixed(0)}%` : '—';
}

function driftLegend() {
  return h('span', { class: 'drift-legend small muted' },
    h('i', { class: 'lg lg-quiet' }), 'no drift ', h('i', { class: 'lg lg-drifted' }), 'drifted ',
    h('i', { class: 'lg lg-perf' }), 'performance check ', h('i', { class: 'lg lg-threshold' }), 'threshold');
}

/** A check's report: what was compared, the verdict, and per feature its test and histograms. */
function report(check) {
  const r = check.report;
  if (check.kind === 'performance' || (r && !Array.isArray(r.features))) return performanceReport(check);
  const features = r?.features ?? [];
  return h('div', { class: 'drift-report', testid: 'drift-report', 'data-check': check.id },
    h('div', { class: 'section-head' },
      h('h3', null, `Check #${check.id}`), check.drifted ? h('span', { class: 'badge st-failed' }, 'drift') : h('span', { class: 'badge st-success' }, 'no drift'),
      h('span', { class: 'small' }, `${pct(check.share)} of ${r?.testedFeatures ?? '?'} features drifted (threshold ${pct(check.shareThreshold)})`),
      h('span', { class: 'spacer' }), runLink(check.dagId, check.runId, check.taskId, 'drift-report-run')),
    r ? h('div', { class: 'small muted' }, `reference: ${side(r.reference)} · current: ${side(r.current)}`) : null,
    !r ? h('p', { class: 'muted small' }, 'This check has no stored report.') :
      h('table', { class: 'table table-compact', testid: 'drift-features' },
        h('thead', null, h('tr', null, ['Feature', 'Kind', 'Test', 'Statistic', 'p-value / distance', 'Threshold', 'Verdict'].map((c) => h('th', null, c)))),
        h('tbody', null, features.map((f) => h('tr', { testid: `drift-feature-${f.name}`, class: f.drifted ? 'drifted-row' : null, 'data-drifted': String(Boolean(f.drifted)) },
          h('td', { class: 'mono' }, f.name), h('td', null, f.kind), h('td', null, f.test ?? '—'),
          h('td', { class: 'num' }, number(f.statistic)),
          h('td', { class: 'num' }, f.pValue !== undefined && f.pValue !== null ? `p = ${number(f.pValue)}` : number(f.distance)),
          h('td', { class: 'num' }, number(f.threshold)),
          h('td', null, f.skipped ? h('span', { class: 'muted small', title: f.skipped }, 'skipped') : f.drifted ? h('b', { class: 'error-text' }, 'drift') : 'ok'))))),
    h('div', { class: 'profile-grid' }, features.filter((f) => f.histogram).map((f) => h('div', { class: ['card', 'pad', 'column-card', f.drifted ? 'drifted-card' : null] },
      h('div', { class: 'section-head' }, h('h3', { class: 'mono' }, f.name), f.drifted ? h('span', { class: 'tag tag-warn' }, 'drift') : null),
      overlayHistogram(f.histogram, { testid: `drift-hist-${f.name}` }),
      h('div', { class: 'small muted' }, h('i', { class: 'lg lg-ref' }), 'reference ', h('i', { class: 'lg lg-cur' }), 'current')))));
}

function side(d) {
  if (!d) return '—';
  const what = d.source === 'inferenceLog' ? `inference log ${time(d.from)} – ${time(d.to)}` : d.source === 'training' ? 'training data' : `dataset ${d.name ?? ''}`;
  return `${what} (${number(d.rows)} rows)`;
}

/** A performance check (ml.performance) has no features: its details say the metric, live vs registered value, and why. */
function performanceReport(check) {
  const d = check.report ?? {};
  const row = (label, value) => [h('dt', null, label), h('dd', null, value)];
  return h('div', { class: 'drift-report', testid: 'drift-report', 'data-check': check.id },
    h('div', { class: 'section-head' },
      h('h3', null, `Check #${check.id} (performance)`), check.drifted ? h('span', { class: 'badge st-failed' }, 'degraded') : h('span', { class: 'badge st-success' }, 'ok'),
      h('span', { class: 'spacer' }), runLink(check.dagId, check.runId, check.taskId, 'drift-report-run')),
    h('dl', { class: 'facts wide', testid: 'performance-details' },
      row('Metric', h('code', null, d.metric ?? (check.driftedFeatures ?? [])[0] ?? '—')),
      row('Live', number(d.live)), row('Registered', number(d.baseline)),
      row('Change', typeof d.change === 'number' ? `${(d.change * 100).toFixed(1)}% ${d.change > 0 ? 'worse' : 'better'}` : '—'),
      row('Limits', [d.maxDrop != null ? `max drop ${pct(d.maxDrop)}` : null, d.minValue != null ? `min ${number(d.minValue)}` : null,
        d.maxValue != null ? `max ${number(d.maxValue)}` : null].filter(Boolean).join(' · ') || '—'),
      row('Rows', `${number(d.rows ?? check.currentRows)}${d.invalidRows ? ` (${number(d.invalidRows)} invalid)` : ''}`),
      row('Window', d.window ?? '—'),
      row('Reasons', Array.isArray(d.reasons) && d.reasons.length ? h('ul', { class: 'plain' }, d.reasons.map((x) => h('li', null, x))) : '—')));
}
