// `/datasets/{name}/{version}` — a version's profile: a card per column, numeric columns as histograms with their
// quantiles, categorical ones as their most frequent values.
import { h, fill, enc } from '../dom.js';
import { api } from '../api.js';
import { title, pageProblem } from '../layout.js';
import { time, number } from '../format.js';
import { histogram, topValues } from '../charts.js';

export async function render(main, name, version) {
  title(`${name} v${version}`);
  let ds;
  try {
    ds = await api.get(`/datasets/${enc(name)}/versions/${enc(version)}`);
  } catch (e) {
    pageProblem(main, e);
    return;
  }
  const profile = ds.profile ?? {};
  const columns = Array.isArray(profile.columns) ? profile.columns
    : Object.entries(profile.columns ?? profile).filter(([, v]) => v && typeof v === 'object').map(([n, v]) => ({ name: n, ...v }));
  fill(main,
    h('div', { class: 'crumbs' }, h('a', { href: '/datasets' }, 'Datasets'), ' / '),
    h('div', { class: 'page-head' }, h('h1', { testid: 'dataset-name' }, `${name} `, h('span', { class: 'muted' }, `v${version}`))),
    h('div', { class: 'facts-row' },
      fact('Rows', number(profile.rows ?? ds.rows)), fact('Columns', columns.length), fact('Created', time(ds.createdAt)),
      ds.runId ? fact('Made by run', h('a', { href: `/runs/${enc(ds.runId)}`, class: 'mono' }, ds.runId)) : null),
    h('div', { class: 'profile-grid', testid: 'dataset-profile' }, columns.map(columnCard)));
}

function columnCard(col) {
  const numeric = col.numeric ?? (col.histogram ? col : null);
  const hist = col.histogram ?? col.numeric?.histogram;
  const top = col.topValues ?? col.categorical?.top;
  const q = numeric?.quantiles;
  const total = (col.count ?? 0) + (col.missing ?? 0);
  return h('div', { class: 'card pad column-card', testid: `profile-column-${col.name}` },
    h('div', { class: 'section-head' }, h('h3', { class: 'mono' }, col.name), h('span', { class: 'tag' }, String(col.kind ?? ''))),
    h('div', { class: 'small muted' }, `${number(col.count)} values`, col.missing ? ` · ${number(col.missing)} missing (${((col.missing / Math.max(1, total)) * 100).toFixed(1)}%)` : ' · none missing'),
    hist?.edges && hist?.counts ? histogram(hist.edges, hist.counts, { testid: `histogram-${col.name}` }) : null,
    numeric ? h('div', { class: 'stats small' },
      stat('min', numeric.min), stat('mean', numeric.mean), stat('std', numeric.std), stat('max', numeric.max),
      q ? [stat('p5', q.p5), stat('p50', q.p50), stat('p95', q.p95)] : null) : null,
    Array.isArray(top) && top.length ? topValues(top.map((t) => ({ value: t.value ?? t.name, count: t.count })), { testid: `topvalues-${col.name}` }) : null,
    col.categorical ? h('div', { class: 'small muted' }, `${number(col.categorical.distinct)}${col.categorical.distinctIsLowerBound ? '+' : ''} distinct`,
      col.categorical.otherCount ? ` · ${number(col.categorical.otherCount)} other` : '') : null);
}

function stat(label, value) {
  return h('span', { class: 'stat' }, h('span', { class: 'muted' }, label), ' ', number(value));
}

function fact(label, value) {
  return h('div', { class: 'fact' }, h('span', { class: 'fact-label' }, label), h('span', { class: 'fact-value' }, value));
}
