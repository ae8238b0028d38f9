// `/experiments` — tracking experiments with how many runs they hold.
import { h, fill, enc } from '../dom.js';
import { api, query } from '../api.js';
import { title, pager, problemBox } from '../layout.js';
import { time, ago } from '../format.js';

const LIMIT = 50;

export async function render(main) {
  title('Experiments');
  const body = h('div');
  fill(main, h('div', { class: 'page-head' }, h('h1', null, 'Experiments')), body);
  async function load(offset) {
    try {
      const page = await api.get('/experiments' + query({ offset, limit: LIMIT }));
      fill(body, h('div', { class: 'card' }, h('table', { class: 'table', testid: 'experiments-list' },
        h('thead', null, h('tr', null, ['Experiment', 'Runs', 'Last run'].map((c) => h('th', null, c)))),
        h('tbody', null, page.items.length === 0 ? h('tr', null, h('td', { colspan: 3, class: 'muted center' }, 'No experiments yet.')) :
          page.items.map((x) => h('tr', { testid: `experiment-row-${x.experimentId}` },
            h('td', null, h('a', { href: `/experiments/${enc(x.experimentId)}` }, x.name ?? x.experimentId)),
            h('td', null, x.runCount), h('td', { title: time(x.lastRunAt) }, ago(x.lastRunAt))))))),
      pager(page.total, page.offset, LIMIT, load));
    } catch (e) {
      fill(body, problemBox(e));
    }
  }
  await load(0);
}
