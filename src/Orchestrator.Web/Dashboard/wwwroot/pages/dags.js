// `/` — every DAG at a glance: paused or not, schedule, next run, the last runs' states, and import errors on top.
import { h, fill, debounce, qs, setQuery, enc } from '../dom.js';
import { api, query, can } from '../api.js';
import { title, pager, problemBox } from '../layout.js';
import { stateClass, isActive } from '../states.js';
import { time, ago } from '../format.js';
import { poll } from '../poll.js';
import { pauseToggle } from './pause-toggle.js';

const LIMIT = 50;

export async function render(main) {
  title('DAGs');
  const state = { search: qs('search') ?? '', offset: Number(qs('offset') ?? 0) || 0, operator: await can('operator') };
  const banner = h('div', { class: 'banner-slot' });
  const body = h('tbody');
  const foot = h('div');
  const problem = h('div');
  const rows = new Map(); // dagId -> { tr, key } so a poll only touches rows that changed
  const search = h('input', {
    type: 'search', class: 'input search', placeholder: 'Search DAGs…', value: state.search, testid: 'dag-search',
    oninput: debounce(() => { state.search = search.value.trim(); state.offset = 0; refresh(); }, 250),
  });

  fill(main,
    banner,
    h('div', { class: 'page-head' }, h('h1', null, 'DAGs'), search),
    problem,
    h('div', { class: 'card' },
      h('table', { class: 'table', testid: 'dags-table' },
        h('thead', null, h('tr', null,
          h('th', { class: 'col-toggle' }, 'Active'), h('th', null, 'DAG'), h('th', null, 'Schedule'),
          h('th', null, 'Next run'), h('th', null, 'Recent runs'), h('th', { class: 'num' }, 'Version'))),
        body)),
    foot);

  async function refresh() {
    setQuery({ search: state.search, offset: state.offset || null });
    try {
      const [page, errors] = await Promise.all([
        api.get('/dags' + query({ search: state.search, offset: state.offset, limit: LIMIT })),
        api.get('/import-errors?limit=100'),
      ]);
      fill(problem);
      drawBanner(banner, errors);
      drawRows(page.items);
      fill(foot, pager(page.total, page.offset, LIMIT, (o) => { state.offset = o; refresh(); }));
      return page.items.some((d) => d.recentRuns?.some((r) => isActive(r.state)));
    } catch (e) {
      fill(problem, problemBox(e));
      return false;
    }
  }

  function drawRows(items) {
    const seen = new Set();
    items.forEach((dag, index) => {
      seen.add(dag.dagId);
      const key = JSON.stringify(dag);
      let entry = rows.get(dag.dagId);
      if (!entry || entry.key !== key) {
        const tr = row(dag, state.operator, refresh);
        if (entry) entry.tr.replaceWith(tr);
        entry = { tr, key };
        rows.set(dag.dagId, entry);
      }
      if (body.children[index] !== entry.tr) body.insertBefore(entry.tr, body.children[index] ?? null);
    });
    for (const [id, entry] of rows) if (!seen.has(id)) { entry.tr.remove(); rows.delete(id); }
    if (items.length === 0 && !body.querySelector('.empty')) {
      body.append(h('tr', { class: 'empty' }, h('td', { colspan: 6, class: 'muted center' }, state.search ? 'No DAG matches.' : 'No DAGs yet.')));
    } else if (items.length > 0) body.querySelector('.empty')?.remove();
  }

  await refresh();
  poll(refresh, 2000);
}

function row(dag, operator, refresh) {
  const runs = [...(dag.recentRuns ?? [])].reverse(); // oldest left, newest right, like the grid
  return h('tr', { testid: `dag-row-${dag.dagId}`, class: dag.isPaused ? 'paused' : null },
    h('td', { class: 'col-toggle' }, pauseToggle(dag, operator, refresh)),
    h('td', null,
      h('a', { href: `/dags/${enc(dag.dagId)}`, class: 'dag-link', testid: 'dag-link' }, dag.dagId),
      dag.description ? h('div', { class: 'muted small' }, dag.description) : null,
      dag.isActive === false ? h('span', { class: 'tag tag-warn' }, 'missing file') : null),
    h('td', null, h('code', { class: 'schedule' }, dag.schedule ?? 'None')),
    h('td', { title: time(dag.nextRunAt) }, dag.nextRunAt ? [time(dag.nextRunAt), h('div', { class: 'muted small' }, ago(dag.nextRunAt))] : h('span', { class: 'muted' }, '—')),
    h('td', null, h('div', { class: 'dots' }, runs.map((r) => h('a', {
      class: ['dot', 'dot-link', stateClass(r.state)], href: `/dags/${enc(dag.dagId)}?run=${enc(r.runId)}`,
      title: `${r.runId}\n${r.state} · ${time(r.logicalDate)}`, 'data-state': r.state, testid: 'recent-run',
    })))),
    h('td', { class: 'num muted' }, dag.latestVersion ?? '—'));
}

function drawBanner(slot, errors) {
  const items = errors?.items ?? [];
  if (items.length === 0) { fill(slot); return; }
  fill(slot, h('div', { class: 'banner banner-error', role: 'alert', testid: 'import-errors' },
    h('strong', null, `${errors.total} DAG file${errors.total === 1 ? '' : 's'} failed to import`),
    h('ul', null, items.map((e) => h('li', { testid: 'import-error' },
      h('code', null, e.filePath), e.line ? h('span', { class: 'muted' }, `:${e.line}${e.column ? ':' + e.column : ''}`) : null,
      ' — ', h('span', { class: 'import-message' }, e.message))))));
}
