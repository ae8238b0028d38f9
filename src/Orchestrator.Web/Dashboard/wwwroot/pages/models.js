// `/models` — registered models with their latest version and aliases.
import { h, fill, enc } from '../dom.js';
import { api, query } from '../api.js';
import { title, pager, problemBox } from '../layout.js';
import { time, ago } from '../format.js';

const LIMIT = 50;

export async function render(main) {
  title('Models');
  const body = h('div');
  fill(main, h('div', { class: 'page-head' }, h('h1', null, 'Models')), body);

  async function load(offset) {
    try {
      const page = await api.get('/models' + query({ offset, limit: LIMIT }));
      fill(body, h('div', { class: 'card' }, h('table', { class: 'table', testid: 'models-table' },
        h('thead', null, h('tr', null, ['Model', 'Latest version', 'Aliases', 'Updated'].map((c) => h('th', null, c)))),
        h('tbody', null, page.items.length === 0 ? h('tr', null, h('td', { colspan: 4, class: 'muted center' }, 'No registered models yet.')) :
          page.items.map((m) => h('tr', { testid: `model-row-${m.name}` },
            h('td', null, h('a', { href: `/models/${enc(m.name)}` }, m.name), m.description ? h('div', { class: 'muted small' }, m.description) : null),
            h('td', null, `v${m.latestVersion ?? '—'}`),
            h('td', null, aliasChips(m.aliases)),
            h('td', { title: time(m.updatedAt) }, ago(m.updatedAt))))))),
      pager(page.total, page.offset, LIMIT, load));
    } catch (e) {
      fill(body, problemBox(e));
    }
  }
  await load(0);
}

export function aliasChips(aliases) {
  return Object.entries(aliases ?? {}).map(([alias, version]) => h('span', { class: 'chip', testid: `alias-${alias}` }, h('b', null, alias), ` → v${version}`));
}
