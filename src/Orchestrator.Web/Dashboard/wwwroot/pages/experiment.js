// `/experiments/{id}` — runs with their params and metrics as columns; click a header to sort (the server sorts, so
// paging stays right); tick two runs to compare them.
import { h, fill, enc, qs, setQuery } from '../dom.js';
import { api, query } from '../api.js';
import { title, pager, problemBox } from '../layout.js';
import { time, number, cell, duration } from '../format.js';
import { badge } from '../states.js';
import { poll } from '../poll.js';

const LIMIT = 100;

export async function render(main, experimentId) {
  title(`Experiment ${experimentId}`);
  const heading = h('h1', { testid: 'experiment-name' }, `Experiment ${experimentId}`);
  experimentName(experimentId).then((name) => { if (name) { title(name); fill(heading, name); } });
  const state = { sort: qs('sort') ?? 'startedAt', order: qs('order') ?? 'desc', offset: 0 };
  const picked = new Set();
  const compare = h('a', { class: 'btn btn-primary disabled', testid: 'compare-button', 'aria-disabled': 'true' }, 'Compare 2 runs');
  const body = h('div');
  fill(main,
    h('div', { class: 'crumbs' }, h('a', { href: '/experiments' }, 'Experiments'), ' / '),
    h('div', { class: 'page-head' }, heading, h('span', { class: 'muted small' }, 'Tick two runs to compare'), compare),
    body);

  function updateCompare() {
    const [a, b] = [...picked];
    const ready = picked.size === 2;
    compare.classList.toggle('disabled', !ready);
    compare.setAttribute('aria-disabled', String(!ready));
    if (ready) compare.setAttribute('href', `/experiments/compare?a=${enc(a)}&b=${enc(b)}`); else compare.removeAttribute('href');
  }

  function sortBy(key) {
    state.order = state.sort === key && state.order === 'desc' ? 'asc' : state.sort === key ? 'desc' : key.startsWith('metrics.') ? 'asc' : 'desc';
    state.sort = key;
    state.offset = 0;
    setQuery({ sort: key, order: state.order });
    load();
  }

  let lastKey = '';
  async function load() {
    try {
      const page = await api.get(`/experiments/${enc(experimentId)}/runs` + query({ sort: state.sort, order: state.order, offset: state.offset, limit: LIMIT }));
      const key = JSON.stringify(page);
      if (key === lastKey) return page;
      lastKey = key;
      const params = [...new Set(page.items.flatMap((r) => Object.keys(r.params ?? {})))].sort();
      const metrics = [...new Set(page.items.flatMap((r) => Object.keys(r.metrics ?? {})))].sort();
      const header = (key, label, cls) => h('th', {
        class: ['sortable', cls, state.sort === key ? 'sorted' : null], testid: `sort-${key}`, onclick: () => sortBy(key),
        'aria-sort': state.sort === key ? (state.order === 'asc' ? 'ascending' : 'descending') : null,
      }, label, state.sort === key ? (state.order === 'asc' ? ' ▲' : ' ▼') : '');
      fill(body, h('div', { class: 'card scroll-x' }, h('table', { class: 'table', testid: 'experiments-table' },
        h('thead', null,
          h('tr', { class: 'group-row' }, h('th', { colspan: 5 }), params.length ? h('th', { colspan: params.length, class: 'group' }, 'Params') : null,
            metrics.length ? h('th', { colspan: metrics.length, class: 'group' }, 'Metrics') : null),
          h('tr', null, h('th', null, ''), header('name', 'Run'), h('th', null, 'Status'), header('startedAt', 'Started'), h('th', null, 'Duration'),
            params.map((p) => header(`params.${p}`, p, 'param')), metrics.map((m) => header(`metrics.${m}`, m, 'num metric')))),
        h('tbody', null, page.items.map((r) => h('tr', { testid: `tracking-run-${r.trackingRunId}` },
          h('td', null, h('input', { type: 'checkbox', checked: picked.has(r.trackingRunId), testid: `pick-${r.trackingRunId}`, onchange: (e) => {
            if (e.target.checked) { picked.add(r.trackingRunId); if (picked.size > 2) picked.delete([...picked][0]); } else picked.delete(r.trackingRunId);
            lastKey = ''; load(); updateCompare();
          } })),
          h('td', null, h('div', null, r.name ?? r.trackingRunId), r.dagId ? h('a', { class: 'small', href: `/dags/${enc(r.dagId)}?run=${enc(r.runId)}&task=${enc(r.taskId)}` }, `${r.dagId} · ${r.taskId}`) : null),
          h('td', null, badge(String(r.status ?? '').toLowerCase())),
          h('td', null, time(r.startedAt)),
          h('td', null, r.endedAt ? duration(Date.parse(r.endedAt) - Date.parse(r.startedAt)) : '—'),
          params.map((p) => h('td', { class: 'param' }, cell(r.params?.[p]))),
          metrics.map((m) => h('td', { class: 'num metric' }, number(r.metrics?.[m])))))))),
      pager(page.total, page.offset, LIMIT, (o) => { state.offset = o; load(); }));
      return page;
    } catch (e) {
      fill(body, problemBox(e));
      return null;
    }
  }

  await load();
  updateCompare();
  // Runs still training change their metrics: keep the table live.
  poll(async () => { if (document.querySelector('[data-testid="experiments-table"] .badge.st-running')) await load(); }, 2000);
}

// There is no single-experiment endpoint: find the name in the (paged) experiments list. The id stays the title if
// this fails.
async function experimentName(experimentId) {
  try {
    for (let offset = 0; ; offset += 500) {
      const page = await api.get('/experiments' + query({ offset, limit: 500 }));
      const found = page.items.find((e) => String(e.experimentId) === String(experimentId));
      if (found) return found.name;
      if (offset + page.items.length >= page.total || page.items.length === 0) return null;
    }
  } catch {
    return null;
  }
}
