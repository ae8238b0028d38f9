// Small SVG charts drawn from data (no chart library): a line across versions, a histogram, top-value bars.
import { s, h } from './dom.js';
import { number } from './format.js';

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
