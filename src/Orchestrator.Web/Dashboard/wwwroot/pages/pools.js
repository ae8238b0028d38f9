// `/pools` — every pool as a bar of its slots (running / queued / open) with the instances waiting for it beside it.
// Admins (who may change Variables and Connections) change a pool's slots and description or delete it here; a
// refusal shows at the field. Polls every 2 s while the tab is visible; an edit in progress is never overwritten by a poll.
import { h, fill, enc } from '../dom.js';
import { api, can } from '../api.js';
import { title, problemBox, toast, confirmDialog } from '../layout.js';
import { time } from '../format.js';
import { poll } from '../poll.js';
import { poolBar } from './pools-bar.js';
import { addPoolForm, readSlots } from './pools-add.js';

export async function render(main) {
  title('Pools');
  const admin = await can('admin');
  const list = h('div', { class: 'card pools', testid: 'pools' });
  const problem = h('div');
  const rows = new Map(); // name -> row, so a poll updates bars in place
  fill(main,
    h('div', { class: 'page-head' }, h('h1', null, 'Pools')),
    h('p', { class: 'muted' },
      'A task that names a pool waits in scheduled until the pool has slots for it; the waiting ones with the highest priority weight go first. ',
      'Tasks without a pool are not limited by pools.',
      admin ? null : ' Only admins may change pools.'),
    problem,
    admin ? addPoolForm(() => new Set(rows.keys()), () => refresh()) : null,
    list);

  async function refresh() {
    try {
      const pools = await all();
      fill(problem);
      draw(pools);
    } catch (e) {
      fill(problem, problemBox(e));
    }
  }

  function draw(pools) {
    const seen = new Set();
    pools.forEach((pool, index) => {
      seen.add(pool.name);
      let row = rows.get(pool.name);
      if (!row) { row = poolRow(pool, admin, refresh); rows.set(pool.name, row); }
      row.update(pool);
      if (list.children[index] !== row.el) list.insertBefore(row.el, list.children[index] ?? null);
    });
    for (const [name, row] of rows) if (!seen.has(name)) { row.el.remove(); rows.delete(name); }
    const empty = list.querySelector('.empty');
    if (pools.length === 0 && !empty) list.append(h('p', { class: 'muted pad empty', testid: 'pools-empty' }, 'No pools yet.' + (admin ? ' Add one above, or run `orchestrator pools set NAME SLOTS`.' : '')));
    else if (pools.length > 0) empty?.remove();
  }

  await refresh();
  poll(refresh, 2000);
}

/** Every pool, page by page (a cluster has a handful; the API pages all lists). */
async function all() {
  const items = [];
  for (let offset = 0; ; offset += 500) {
    const page = await api.get(`/pools?offset=${offset}&limit=500`);
    items.push(...page.items);
    if (items.length >= page.total || page.items.length === 0) return items;
  }
}

function poolRow(initial, admin, refresh) {
  const { bar, legend, update: drawBar } = poolBar();
  const description = h('div', { class: 'muted small' });
  const waiting = h('div', { class: 'pool-waiting', testid: 'pool-waiting' });
  const updated = h('div', { class: 'muted small' });
  const problem = h('div', { class: 'pool-problem' });
  const error = h('div', { class: 'field-error', testid: 'pool-slots-error', hidden: true });
  const descriptionError = h('div', { class: 'field-error', testid: 'pool-description-error', hidden: true });
  // What each input showed last: a poll changes an input only when the user has not.
  let shown = initial.slots;
  let shownDescription = initial.description ?? '';
  const input = admin ? h('input', {
    class: 'input input-small input-num', type: 'number', step: '1', value: String(initial.slots),
    'aria-label': `${initial.name} slots`, testid: 'pool-slots-input',
    onkeydown: (e) => { if (e.key === 'Enter') { e.preventDefault(); save(); } },
  }) : null;
  const descriptionInput = admin ? h('input', {
    class: 'input input-small pool-description-input', value: shownDescription, placeholder: 'description (optional)', autocomplete: 'off',
    'aria-label': `${initial.name} description`, testid: 'pool-description-input',
    onkeydown: (e) => { if (e.key === 'Enter') { e.preventDefault(); save(); } },
  }) : null;
  const saveButton = admin ? h('button', { class: 'btn btn-small btn-primary', testid: 'pool-save', onclick: () => save() }, 'Save') : null;
  const deleteButton = admin ? h('button', { class: 'btn btn-small btn-danger', testid: 'pool-delete', onclick: () => remove() }, 'Delete') : null;
  const el = h('div', { class: 'pool-row', testid: `pool-${initial.name}` },
    h('div', { class: 'pool-name' }, h('code', { class: 'pool-title' }, initial.name), description),
    h('div', { class: 'pool-usage' }, bar, legend),
    waiting,
    h('div', { class: 'pool-edit' },
      admin ? h('div', { class: 'inline-form' }, h('span', { class: 'small muted' }, 'Slots'), input, saveButton, deleteButton) : null,
      error,
      admin ? h('div', { class: 'inline-form' }, descriptionInput) : null,
      descriptionError, updated),
    problem);

  function update(pool) {
    drawBar(pool);
    fill(description, pool.description ?? '');
    fill(waiting, h('strong', { testid: 'pool-waiting-count' }, String(pool.waiting)), ' waiting');
    waiting.classList.toggle('has-waiting', pool.waiting > 0);
    fill(updated, `updated ${time(pool.updatedAt)}`);
    if (input && document.activeElement !== input && input.value === String(shown)) input.value = String(pool.slots);
    shown = pool.slots;
    const text = pool.description ?? '';
    if (descriptionInput && document.activeElement !== descriptionInput && descriptionInput.value === shownDescription) descriptionInput.value = text;
    shownDescription = text;
  }

  function showError(at, field, message) {
    fill(at, message);
    at.hidden = false;
    field.classList.add('invalid');
  }

  async function save() {
    fill(problem);
    for (const [at, field] of [[error, input], [descriptionError, descriptionInput]]) { at.hidden = true; field.classList.remove('invalid'); }
    const slots = readSlots(input.value);
    if (slots === null) { showError(error, input, 'expected a whole number from 0 to 100,000'); return; }
    saveButton.disabled = true;
    try {
      // An empty description removes it (the server stores blank as none).
      const pool = await api.patch(`/pools/${enc(initial.name)}`, { slots, description: descriptionInput.value });
      shown = pool.slots;
      input.value = String(pool.slots);
      shownDescription = pool.description ?? '';
      descriptionInput.value = shownDescription;
      update(pool);
      toast(`Pool ${initial.name} now has ${pool.slots} slot${pool.slots === 1 ? '' : 's'}`, 'ok');
    } catch (e) {
      if (e.field === 'slots') showError(error, input, e.detail || e.title);
      else if (e.field === 'description') showError(descriptionError, descriptionInput, e.detail || e.title);
      else fill(problem, problemBox(e, 'pool-problem'));
    } finally {
      saveButton.disabled = false;
    }
  }

  async function remove() {
    fill(problem);
    if (!await confirmDialog(`Delete pool ${initial.name}? Tasks that name it will wait until a pool of that name exists again.`, 'Delete', true)) return;
    try {
      await api.del(`/pools/${enc(initial.name)}`);
      toast(`Pool ${initial.name} deleted`, 'ok');
      await refresh();
    } catch (e) {
      fill(problem, problemBox(e, 'pool-problem'));
    }
  }

  return { el, update };
}
