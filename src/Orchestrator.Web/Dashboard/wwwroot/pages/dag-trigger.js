// The trigger form: one field per DAG param, typed by its declared type and prefilled with its default. Errors from
// the server's 400 (`field: "conf.minRows"`) appear next to that field; others above the button.
import { h, fill, enc } from '../dom.js';
import { api } from '../api.js';
import { problemBox, toast } from '../layout.js';

export function createTrigger(dag, operator, onTriggered) {
  const params = Object.entries(dag.params ?? {});
  const fields = new Map(); // name -> { input, error, type }
  const general = h('div');
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'trigger-submit', disabled: !operator }, '▶ Trigger run');
  const form = h('form', { class: 'card form', testid: 'trigger-form', novalidate: true, onsubmit: (e) => { e.preventDefault(); send(); } },
    h('h2', null, `Trigger ${dag.dagId}`),
    params.length === 0 ? h('p', { class: 'muted' }, 'This DAG declares no params; the run gets an empty conf.') : null,
    params.map(([name, spec]) => field(name, spec ?? {})),
    general,
    h('div', { class: 'form-actions' }, submit,
      operator ? null : h('span', { class: 'muted small' }, 'Only operators and admins may trigger runs.')));

  function field(name, spec) {
    const type = spec.type ?? typeof spec.default;
    // A secret's default is never sent to the browser (it shows ***): the field starts empty and, left empty, is
    // left out of the conf so the run keeps the default.
    const secret = spec.masked === true;
    const def = secret ? undefined : spec.default;
    let input;
    if (type === 'boolean') {
      input = h('input', { type: 'checkbox', checked: Boolean(def), id: `param-${name}` });
    } else if (type === 'object' || type === 'array') {
      input = h('textarea', { class: 'input mono', rows: 4, id: `param-${name}`, value: def === undefined ? '' : JSON.stringify(def, null, 2) });
    } else {
      input = h('input', {
        class: 'input', id: `param-${name}`, type: type === 'number' || type === 'integer' ? 'number' : 'text',
        step: type === 'integer' ? '1' : type === 'number' ? 'any' : null, value: def === null || def === undefined ? '' : String(def),
      });
    }
    if (secret) {
      input.placeholder = 'secret: leave empty to keep the default';
      if (input.type === 'text') input.type = 'password';
    }
    input.dataset.testid = `trigger-field-${name}`;
    const error = h('div', { class: 'field-error', testid: `trigger-error-${name}`, hidden: true });
    // What the field showed at first: a field left as it was is left out of the conf, so the run keeps the real
    // default (which may hold masked values, such as {"password": "***"} inside an object).
    const initial = type === 'boolean' ? input.checked : input.value;
    fields.set(name, { input, error, type, initial });
    return h('div', { class: 'field' },
      h('label', { for: `param-${name}` }, h('span', { class: 'field-name' }, name), h('span', { class: 'field-type' }, type)),
      input, error);
  }

  function read() {
    const conf = {};
    let ok = true;
    for (const [name, { input, error, type, initial }] of fields) {
      error.hidden = true;
      const raw = input.value;
      if ((type === 'boolean' ? input.checked : raw) === initial) continue;
      try {
        if (type === 'boolean') conf[name] = input.checked;
        else if (type === 'number' || type === 'integer') {
          if (raw.trim() === '') throw new Error(`expected ${type === 'integer' ? 'an integer' : 'a number'}`);
          const n = Number(raw);
          if (!Number.isFinite(n) || (type === 'integer' && !Number.isInteger(n))) throw new Error(`expected ${type === 'integer' ? 'an integer' : 'a number'}, got "${raw}"`);
          conf[name] = n;
        } else if (type === 'object' || type === 'array') {
          const v = raw.trim() === '' ? (type === 'array' ? [] : {}) : JSON.parse(raw);
          if (type === 'array' ? !Array.isArray(v) : (typeof v !== 'object' || v === null || Array.isArray(v))) throw new Error(`expected a JSON ${type}`);
          conf[name] = v;
        } else if (type === 'null') conf[name] = raw === '' ? null : raw;
        else conf[name] = raw;
      } catch (e) {
        showFieldError(name, e instanceof SyntaxError ? `not valid JSON: ${e.message}` : e.message);
        ok = false;
      }
    }
    return ok ? conf : null;
  }

  function showFieldError(name, message) {
    const f = fields.get(name);
    fill(f.error, message);
    f.error.hidden = false;
    f.input.classList.add('invalid');
  }

  async function send() {
    fill(general);
    for (const f of fields.values()) f.input.classList.remove('invalid');
    const conf = read();
    if (!conf) return;
    submit.disabled = true;
    try {
      const run = await api.post(`/dags/${enc(dag.dagId)}/runs`, { conf });
      toast(`Triggered ${run.runId}`, 'ok');
      await onTriggered(run);
    } catch (e) {
      const name = e.field?.startsWith('conf.') ? e.field.slice(5).split(/[.[]/)[0] : null;
      if (name && fields.has(name)) showFieldError(name, e.detail || e.title);
      else fill(general, problemBox(e, 'trigger-problem'));
    } finally {
      submit.disabled = !operator;
    }
  }

  return { el: form };
}
