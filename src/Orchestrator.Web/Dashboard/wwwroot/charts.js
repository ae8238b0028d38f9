// Small SVG charts drawn from data (no chart library): a line across versions, a histogram, top-value bars, and for
// monitoring: drift checks over time against their threshold, overlaid reference/current histograms, and time series.
import { s, h } from './dom.js';
import { number, shortTime, time } from './format.js';

/** Evenly spaced round values covering [min, max]. */
export function niceScale(min, max, count = 5) {
  if (min === max) { min -= Math.abs(min) * 0.1 || 1; max += Math.abs(max) * 0.1 || 1; }
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((st) => st >= raw);
  const lo = Math.floor(min / step) * step;
  const hi = Math.ceil(max / step) * step;
  const ticks = [];
  for (let v = lo; v <= hi + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
  return { lo, hi, ticks };
}

/** points: [{label, value}] in x order. */
export function lineChart(points, { testid, width = 720, height = 260, name = '' } = {}) {
  const pad = { l: 64, r: 20, t: 16, b: 36 };
  const values = points.map((p) => p.value).filter((v) => typeof v === 'number');
  if (values.length === 0) return h('p', { class: 'muted', testid }, `No version has a metric "${name}".`);
  const { lo, hi, ticks } = niceScale(Math.min(...values), Math.max(...values));
  const plotW = width - pad.l - pad.r, plotH = height - pad.t - pad.b;
  const x = (i) => pad.l + (points.length === 1 ? plotW / 2 : (i / (points.length - 1)) * plotW);
  const y = (v) => pad.t + plotH - ((v - lo) / (hi - lo)) * plotH;
  const present = points.map((p, i) => ({ ...p, i })).filter((p) => typeof p.value === 'number');
  const path = present.map((p, k) => `${k ? 'L' : 'M'}${x(p.i).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  return s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', testid, role: 'img', 'aria-label': `${name} across versions` },
    ticks.map((t) => s('g', { class: 'tick' },
      s('line', { x1: pad.l, x2: width - pad.r, y1: y(t), y2: y(t) }),
      s('text', { x: pad.l - 8, y: y(t) + 4, 'text-anchor': 'end' }, number(t)))),
    points.map((p, i) => s('text', { class: 'axis-label', x: x(i), y: height - 12, 'text-anchor': 'middle' }, p.label)),
    s('path', { class: 'line', d: path }),
    present.map((p) => s('circle', { class: 'point', cx: x(p.i), cy: y(p.value), r: 4, 'data-value': p.value },
      s('title', null, `${p.label}: ${number(p.value)}`))));
}

/** A histogram from bin edges (n+1) and counts (n). */
export function histogram(edges, counts, { width = 320, height = 140, testid } = {}) {
  const pad = { l: 8, r: 8, t: 8, b: 22 };
  const max = Math.max(1, ...counts);
  const plotW = width - pad.l - pad.r, plotH = height - pad.t - pad.b;
  const bw = plotW / Math.max(1, counts.length);
  return s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart histogram', testid, role: 'img' },
    counts.map((c, i) => s('rect', { class: 'bar', x: pad.l + i * bw + 1, width: Math.max(1, bw - 2), y: pad.t + plotH - (c / max) * plotH, height: (c / max) * plotH },
      s('title', null, `[${number(edges[i])}, ${number(edges[i + 1])}): ${number(c)}`))),
    s('line', { class: 'baseline', x1: pad.l, x2: width - pad.r, y1: pad.t + plotH, y2: pad.t + plotH }),
    s('text', { class: 'axis-label', x: pad.l, y: height - 6 }, number(edges[0])),
    s('text', { class: 'axis-label', x: width - pad.r, y: height - 6, 'text-anchor': 'end' }, number(edges.at(-1))));
}

/** Horizontal bars for a categorical column's most frequent values: [{value, count}]. */
export function topValues(items, { testid } = {}) {
  const max = Math.max(1, ...items.map((i) => i.count));
  return h('div', { class: 'topvalues', testid }, items.map((i) => h('div', { class: 'tv-row' },
    h('span', { class: 'tv-label', title: String(i.value) }, String(i.value ?? '∅')),
    h('span', { class: 'tv-track' }, barOf(i.count / max)),
    h('span', { class: 'tv-count' }, number(i.count)))));
}

function barOf(fraction) {
  const bar = h('span', { class: 'tv-bar' });
  bar.style.width = `${Math.max(1, fraction * 100).toFixed(1)}%`;
  return bar;
}

/** A time axis over [t0, t1] (ms) onto [x0, x1]; one time is centred. */
function timeAxis(times, x0, x1) {
  const t0 = Math.min(...times), t1 = Math.max(...times);
  const x = (t) => (t1 === t0 ? (x0 + x1) / 2 : x0 + ((t - t0) / (t1 - t0)) * (x1 - x0));
  const ticks = t1 === t0 ? [t0] : Array.from({ length: 5 }, (_, i) => t0 + ((t1 - t0) * i) / 4);
  // As fine as the span needs: checks seconds apart get seconds, a week of buckets gets dates.
  const span = t1 - t0;
  const label = (t) => { const d = new Date(t).toISOString(); return span < 3_600_000 ? time(d).slice(11) : span < 86_400_000 ? time(d).slice(11, 16) : shortTime(d); };
  return { x, ticks, label };
}

const pct = (v) => `${(v * 100).toFixed(v * 100 % 1 ? 1 : 0)}%`;

/** Drift checks over time: the share of drifted features per check (for a performance check, the relative drop of its
 * metric), the dataset threshold as a dashed line, drifted checks filled; data checks are circles, performance checks
 * diamonds. checks: [{id, at, share, shareThreshold,
 * drifted, kind}]. Clicking a check calls onPick(check). */
export function driftChart(checks, { testid, onPick, selectedId, width = 720, height = 240 } = {}) {
  const pad = { l: 48, r: 20, t: 14, b: 34 };
  const points = checks.filter((c) => typeof c.share === 'number').map((c) => ({ ...c, t: Date.parse(c.at) }))
    .sort((a, b) => a.t - b.t);
  if (points.length === 0) return h('p', { class: 'muted', testid }, 'No drift checks recorded yet.');
  const plotH = height - pad.t - pad.b;
  const hi = Math.max(1, ...points.map((p) => Math.max(p.share, p.shareThreshold ?? 0)));
  const y = (v) => pad.t + plotH - (v / hi) * plotH;
  const { x, ticks, label } = timeAxis(points.map((p) => p.t), pad.l + 10, width - pad.r - 10);
  // The dashed line is the dataset threshold of data checks; a performance check's allowed drop is its own short tick.
  const withThreshold = points.filter((p) => typeof p.shareThreshold === 'number' && p.kind !== 'performance');
  const perfTicks = points.filter((p) => p.kind === 'performance' && p.shareThreshold > 0);
  const threshold = withThreshold.length === 0 ? '' : [
    `M${pad.l},${y(withThreshold[0].shareThreshold).toFixed(1)}`,
    ...withThreshold.map((p) => `L${x(p.t).toFixed(1)},${y(p.shareThreshold).toFixed(1)}`),
    `L${width - pad.r},${y(withThreshold.at(-1).shareThreshold).toFixed(1)}`].join(' ');
  const line = points.map((p, i) => `${i ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.share).toFixed(1)}`).join(' ');
  return s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart drift-chart', testid, role: 'img', 'aria-label': 'Share of drifted features per check' },
    [0, 0.25, 0.5, 0.75, 1].map((v) => v * hi).map((v) => s('g', { class: 'tick' },
      s('line', { x1: pad.l, x2: width - pad.r, y1: y(v), y2: y(v) }),
      s('text', { x: pad.l - 6, y: y(v) + 4, 'text-anchor': 'end' }, pct(v)))),
    ticks.map((t) => s('text', { class: 'axis-label', x: x(t), y: height - 12, 'text-anchor': 'middle' }, label(t))),
    threshold ? s('path', { class: 'threshold', d: threshold }, s('title', null, 'dataset drift threshold')) : null,
    perfTicks.map((p) => s('line', { class: 'threshold perf-threshold', x1: x(p.t) - 12, x2: x(p.t) + 12, y1: y(p.shareThreshold), y2: y(p.shareThreshold) })),
    s('path', { class: 'line share-line', d: line }),
    points.map((p) => {
      const cx = x(p.t), cy = y(p.share);
      const attrs = {
        class: ['drift-point', p.drifted ? 'drifted' : 'quiet', p.kind === 'performance' ? 'perf' : 'data', String(p.id) === String(selectedId) ? 'selected' : null],
        testid: `drift-point-${p.id}`, 'data-check': p.id, 'data-drifted': String(Boolean(p.drifted)), 'data-kind': p.kind ?? 'data',
        tabindex: 0, role: 'button', onclick: () => onPick?.(p), onkeydown: (e) => { if (e.key === 'Enter') onPick?.(p); },
      };
      const tip = s('title', null, `check #${p.id} (${p.kind ?? 'data'}) ${time(p.at)}\n${pct(p.share)} drifted (threshold ${pct(p.shareThreshold ?? 0)})${p.drifted ? ' — DRIFT' : ''}`);
      return p.kind === 'performance'
        ? s('path', { ...attrs, d: `M${cx},${cy - 6} L${cx + 6},${cy} L${cx},${cy + 6} L${cx - 6},${cy} Z` }, tip)
        : s('circle', { ...attrs, cx, cy, r: 5.5 }, tip);
    }));
}

/** Reference and current shares per bin on the same bins: reference as wide pale bars, current as narrower ones on
 * top, so a shift shows as bars that no longer line up. hist: {edges (n+1) | labels (n), reference, current}. */
export function overlayHistogram(hist, { testid, width = 340, height = 150 } = {}) {
  const pad = { l: 8, r: 8, t: 8, b: 24 };
  const ref = hist.reference ?? [], cur = hist.current ?? [];
  const n = Math.max(ref.length, cur.length);
  const max = Math.max(1e-9, ...ref, ...cur);
  const plotW = width - pad.l - pad.r, plotH = height - pad.t - pad.b;
  const bw = plotW / Math.max(1, n);
  const label = (i) => (hist.labels ? String(hist.labels[i]) : `[${number(hist.edges?.[i])}, ${number(hist.edges?.[i + 1])})`);
  const bar = (cls, v, i, inset) => s('rect', {
    class: cls, x: pad.l + i * bw + inset, width: Math.max(1, bw - 2 * inset), y: pad.t + plotH - ((v ?? 0) / max) * plotH, height: ((v ?? 0) / max) * plotH,
  }, s('title', null, `${label(i)}: reference ${pct(ref[i] ?? 0)}, current ${pct(cur[i] ?? 0)}`));
  return s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart histogram hist-overlay', testid, role: 'img' },
    ref.map((v, i) => bar('ref', v, i, 1)),
    cur.map((v, i) => bar('cur', v, i, Math.min(bw / 4, 6))),
    s('line', { class: 'baseline', x1: pad.l, x2: width - pad.r, y1: pad.t + plotH, y2: pad.t + plotH }),
    hist.labels
      ? hist.labels.slice(0, 12).map((l, i) => s('text', { class: 'axis-label', x: pad.l + (i + 0.5) * bw, y: height - 8, 'text-anchor': 'middle' }, String(l).slice(0, 8)))
      : [s('text', { class: 'axis-label', x: pad.l, y: height - 8 }, number(hist.edges?.[0])),
        s('text', { class: 'axis-label', x: width - pad.r, y: height - 8, 'text-anchor': 'end' }, number(hist.edges?.at(-1)))]);
}

/** Lines over time, one per series: [{name, points: [{at, value}]}], coloured by position with a legend. */
export function timeSeriesChart(series, { testid, name = '', width = 720, height = 240 } = {}) {
  const pad = { l: 64, r: 20, t: 26, b: 34 };
  const all = series.flatMap((se) => se.points.filter((p) => typeof p.value === 'number').map((p) => ({ ...p, t: Date.parse(p.at) })));
  if (all.length === 0) return h('p', { class: 'muted', testid }, `No labelled predictions with "${name}" yet.`);
  const { lo, hi, ticks } = niceScale(Math.min(...all.map((p) => p.value)), Math.max(...all.map((p) => p.value)));
  const plotH = height - pad.t - pad.b;
  const y = (v) => pad.t + plotH - ((v - lo) / (hi - lo)) * plotH;
  const { x, ticks: times, label } = timeAxis(all.map((p) => p.t), pad.l + 10, width - pad.r - 10);
  return s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart series-chart', testid, role: 'img', 'aria-label': `${name} over time` },
    ticks.map((t) => s('g', { class: 'tick' }, s('line', { x1: pad.l, x2: width - pad.r, y1: y(t), y2: y(t) }),
      s('text', { x: pad.l - 8, y: y(t) + 4, 'text-anchor': 'end' }, number(t)))),
    times.map((t) => s('text', { class: 'axis-label', x: x(t), y: height - 12, 'text-anchor': 'middle' }, label(t))),
    series.map((se, k) => {
      const pts = se.points.filter((p) => typeof p.value === 'number').map((p) => ({ ...p, t: Date.parse(p.at) })).sort((a, b) => a.t - b.t);
      return s('g', { class: ['series', `series-${k % 6}`], 'data-series': se.name },
        s('path', { class: 'line', d: pts.map((p, i) => `${i ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ') }),
        pts.map((p) => s('circle', { class: 'point', cx: x(p.t), cy: y(p.value), r: 3.5, 'data-value': p.value },
          s('title', null, `${se.name} · ${time(p.at)}: ${number(p.value)}${p.count ? ` (${p.count} rows)` : ''}`))),
        s('g', { class: 'legend-entry' }, s('rect', { x: pad.l + k * 90, y: 4, width: 12, height: 12, rx: 2 }),
          s('text', { x: pad.l + k * 90 + 16, y: 14 }, se.name)));
    }));
}
