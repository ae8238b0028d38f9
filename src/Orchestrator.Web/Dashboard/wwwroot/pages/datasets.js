// `/datasets` — dataset versions, newest first, with their size and the run that made them.
import { h, fill, enc } from '../dom.js';
import { api, query } from '../api.js';
import { title, pager, problemBox } from '../layout.js';
import { time, number } from '../format.js';

const LIMIT = 50;

export async function render(main) {
  title('Datasets');
  const body = h('div');
  fill(main, h('div', { class: 'page-head' }, h('h1', null, 'Datasets')), body);
  async function load(offset) {
    try {
      const page = await api.get('/datasets' + query({ offset, limit: LIMIT }));
      fill(body, h('div', { class: 'card' }, h('table', { class: 'table', testid: 'datasets-table' },
        h('thead', null, h('tr', null, ['Dataset', 'Version', 'Rows', 'Columns', 'Created', 'Made by run'].map((c) => h('th', null, c)))),
        h('tbody', null, page.items.length === 0 ? h('tr', null, h('td', { colspan: 6, class: 'muted center' }, 'No datasets yet.')) :
          page.items.map((d) => h('tr', { testid: `dataset-row-${d.name}-${d.version}` },
            h('td', null, h('a', { href: `/datasets/${enc(d.name)}/${enc(d.version)}` }, d.name)),
            h('td', null, `v${d.version}`), h('td', { class: 'num' }, number(d.rows)),
            h('td', { class: 'num' }, Array.isArray(d.columns) ? d.columns.length : number(d.columns)),
            h('td', null, time(d.createdAt)),
            h('td', null, d.runId ? h('a', { href: `/runs/${enc(d.runId)}`, class: 'mono small' }, d.runId) : '—')))))),
      pager(page.total, page.offset, LIMIT, load));
    } catch (e) {
      fill(body, problemBox(e));
    }
  }
  await load(0);
}
