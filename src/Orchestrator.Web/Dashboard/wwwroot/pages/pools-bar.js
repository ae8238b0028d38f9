// One pool's slots as a horizontal bar: running | queued | open, each segment as wide as its share of the slots.
// A pool shrunk below what is in use is scaled to what is in use, and says by how much it is over.
import { h, fill } from '../dom.js';

const SEGMENTS = ['running', 'queued', 'open'];

export function poolBar() {
  const segments = Object.fromEntries(SEGMENTS.map((kind) => [kind, h('span', { class: ['pool-seg', 'pool-seg-' + kind], testid: 'pool-' + kind })]));
  const bar = h('div', { class: 'pool-bar', testid: 'pool-bar', role: 'img' }, SEGMENTS.map((kind) => segments[kind]));
  const legend = h('div', { class: 'pool-legend small muted', testid: 'pool-legend' });

  function update(pool) {
    const open = Math.max(0, pool.open);
    const counts = { running: pool.running, queued: pool.queued, open };
    const whole = Math.max(pool.slots, pool.running + pool.queued, 1);
    for (const kind of SEGMENTS) {
      const seg = segments[kind];
      seg.style.width = `${((counts[kind] / whole) * 100).toFixed(2)}%`; // CSSOM, allowed by the CSP (no style attribute)
      seg.dataset.slots = String(counts[kind]);
      seg.title = `${counts[kind]} ${kind}`;
    }
    bar.setAttribute('aria-label', `${pool.running} running, ${pool.queued} queued, ${open} open of ${pool.slots} slots`);
    const over = pool.running + pool.queued - pool.slots;
    fill(legend,
      legendItem('running', pool.running), legendItem('queued', pool.queued), legendItem('open', open),
      h('span', null, `of ${pool.slots} slot${pool.slots === 1 ? '' : 's'}`),
      pool.slots === 0 ? h('span', { class: 'tag tag-warn' }, 'admits nothing') : null,
      over > 0 ? h('span', { class: 'tag tag-warn', testid: 'pool-over' }, `${over} over: nothing is admitted until it drains`) : null);
  }

  return { bar, legend, update };
}

function legendItem(kind, count) {
  return h('span', { class: 'legend-item' }, h('span', { class: ['lg', 'pool-seg-' + kind] }), `${count} ${kind}`);
}
