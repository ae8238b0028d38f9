// The "add a pool" form (admins): PUT /pools/{name}. The name is checked here with the server's rule (an empty one
// would not even reach the pool's URL); the server's refusal of any field appears at the field it names.
import { h, fill, enc } from '../dom.js';
import { api } from '../api.js';
import { problemBox, toast } from '../layout.js';

export function addPoolForm(known, onAdded) {
  const fields = {
    name: h('input', { class: 'input', id: 'pool-add-name', testid: 'pool-add-name', placeholder: 'gpu', autocomplete: 'off' }),
    slots: h('input', { class: 'input input-num', id: 'pool-add-slots', testid: 'pool-add-slots', type: 'number', step: '1', value: '1' }),
    description: h('input', { class: 'input pool-description-input', id: 'pool-add-description', testid: 'pool-add-description', placeholder: 'what it protects (optional)' }),
  };
  const errors = Object.fromEntries(Object.keys(fields).map((name) => [name, h('div', { class: 'field-error', testid: `pool-add-error-${name}`, hidden: true })]));
  const general = h('div');
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'pool-add-submit' }, 'Add pool');
  const form = h('form', { class: 'card pool-add', testid: 'pool-add', novalidate: true, onsubmit: (e) => { e.preventDefault(); send(); } },
    h('h2', null, 'Add a pool'),
    h('div', { class: 'pool-add-fields' },
      field('name', 'Name', fields.name), field('slots', 'Slots', fields.slots), field('description', 'Description', fields.description),
      h('div', { class: 'field' }, h('label', null, '\u00a0'), submit)),
    general);

  function field(name, label, input) {
    return h('div', { class: 'field' }, h('label', { for: input.id }, h('span', { class: 'field-name' }, label)), input, errors[name]);
  }

  function showError(name, message) {
    fill(errors[name], message);
    errors[name].hidden = false;
    fields[name].classList.add('invalid');
  }

  function clear() {
    fill(general);
    for (const name of Object.keys(fields)) { errors[name].hidden = true; fields[name].classList.remove('invalid'); }
  }

  async function send() {
    clear();
    const name = fields.name.value.trim();
    const slots = readSlots(fields.slots.value);
    const nameOk = isPoolName(name);
    if (!nameOk) showError('name', `name must be ${POOL_NAME_EXPECTED}${name === '' ? '' : `, not '${name}'`}`);
    if (slots === null) showError('slots', 'expected a whole number from 0 to 100,000');
    if (!nameOk || slots === null) return;
    // PUT replaces: adding a name that exists would silently overwrite it.
    if (known().has(name)) { showError('name', `a pool named ${name} exists: change it in the list`); return; }
    submit.disabled = true;
    try {
      await api.put(`/pools/${enc(name)}`, { slots, description: fields.description.value });
      toast(`Pool ${name} added`, 'ok');
      fields.name.value = ''; fields.description.value = ''; fields.slots.value = '1';
      await onAdded();
    } catch (e) {
      if (e.field && fields[e.field]) showError(e.field, e.detail || e.title);
      else fill(general, problemBox(e, 'pool-add-problem'));
    } finally {
      submit.disabled = false;
    }
  }

  return form;
}

/** The server's rule for pool names (Orchestrator.Core.Pools.PoolNames): 1-64 ASCII letters, digits, '_', '-' or
 * '.', not dots alone ("." and ".." cannot be a URL's path segment). */
export const POOL_NAME_EXPECTED = "1-64 ASCII letters, digits, '_', '-' or '.' (not dots alone)";

export function isPoolName(name) {
  return /^[A-Za-z0-9_.-]{1,64}$/.test(name) && /[^.]/.test(name);
}

/** A slots field's number, or null when it is not a whole number (the server checks the range and says so). */
export function readSlots(raw) {
  const text = String(raw).trim();
  if (!/^-?\d+$/.test(text)) return null;
  return Number(text);
}
