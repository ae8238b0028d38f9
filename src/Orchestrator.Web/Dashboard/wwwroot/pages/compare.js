// `/experiments/compare?a=…&b=…` — two tracking runs side by side; rows whose values differ are highlighted.
import { h, fill, qs, enc } from '../dom.js';
import { api } from '../api.js';
import { title, pageProblem } from '../layout.js';
import { cell, number, time } from '../format.js';
import { badge } from '../states.js';

export async function render(main) {
  title('Compare runs');
  const ids = [qs('a'), qs('b')];
  if (!ids[0] || !ids[1]) { pageProblem(main, { message: 'Pick two runs: /experiments/compare?a=RUN&b=RUN' }); return; }
  let runs;
  try {
    runs = await Promise.all(ids.map((id) => api.get(`/tracking-runs/${enc(id)}`)));
  } catch (e) {
    pageProblem(main, e);
    return;
  }
  const [a, b] = runs;
  const section = (label, key, numeric) => {
    const names = [...new Set([...Object.keys(a[key] ?? {}), ...Object.keys(b[key] ?? {})])].sort();
    return h('section', { class: 'card' }, h('h2', { class: 'pad' }, label),
      h('table', { class: 'table compare', testid: `compare-${key}` },
        h('thead', null, h('tr', null, h('th', null, 'Name'), h('th', null, a.name ?? a.trackingRunId), h('th', null, b.name ?? b.trackingRunId), numeric ? h('th', { class: 'num' }, 'Δ (b − a)') : null)),
        h('tbody', null, names.map((n) => {
          const va = a[key]?.[n], vb = b[key]?.[n];
          const differs = JSON.stringify(va) !== JSON.stringify(vb);
          return h('tr', { class: differs ? 'differs' : null, 'data-differs': String(differs), testid: `compare-row-${key}-${n}` },
            h('th', null, n), h('td', { class: numeric ? 'num' : null }, cell(va)), h('td', { class: numeric ? 'num' : null }, cell(vb)),
            numeric ? h('td', { class: 'num' }, typeof va === 'number' && typeof vb === 'number' ? number(vb - va) : '—') : null);
        }))));
  };
  fill(main,
    h('div', { class: 'crumbs' }, h('a', { href: a.experimentId ? `/experiments/${enc(a.experimentId)}` : '/experiments' }, 'Experiment'), ' / compare'),
    h('h1', null, 'Compare runs'),
    h('div', { class: 'two-col' }, runs.map((r, i) => h('div', { class: 'card pad' },
      h('div', { class: 'muted small' }, i === 0 ? 'a' : 'b'), h('h2', null, r.name ?? r.trackingRunId), badge(String(r.status ?? '').toLowerCase()),
      h('div', { class: 'small muted' }, time(r.startedAt)),
      r.dagId ? h('a', { class: 'small', href: `/dags/${enc(r.dagId)}?run=${enc(r.runId)}&task=${enc(r.taskId)}` }, `${r.dagId} · ${r.taskId}`) : null))),
    section('Metrics', 'metrics', true),
    section('Params', 'params', false),
    section('Tags', 'tags', false));
}
