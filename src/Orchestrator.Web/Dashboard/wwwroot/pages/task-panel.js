// The task-instance panel: what happened (state, tries, error, history), the logs of any try (live while running),
// the output, and what to do about it (clear, mark success, mark failed) for operators.
import { h, fill, enc } from '../dom.js';
import { api } from '../api.js';
import { badge, isActive } from '../states.js';
import { time, duration, json } from '../format.js';
import { confirmDialog, problemBox, toast } from '../layout.js';
import { poll } from '../poll.js';
import { createLog } from './task-log.js';

export function createPanel({ operator, onChanged, onClose }) {
  const head = h('div', { class: 'panel-head' });
  const body = h('div', { class: 'panel-body' });
  const actionsProblem = h('div');
  const log = createLog();
  const trySelect = h('select', { class: 'input input-small', testid: 'panel-log-try', onchange: () => { pinnedTry = Number(trySelect.value); showLog(); } });
  const downstream = h('input', { type: 'checkbox', testid: 'panel-clear-downstream' });
  const el = h('aside', { class: 'panel', testid: 'task-panel', hidden: true });
  let current = null; // { runId, taskId }
  let detail = null;
  let pinnedTry = null; // a try the user chose; otherwise the latest is followed
  let ticker = null;

  const actions = h('div', { class: 'panel-actions' },
    h('button', { class: 'btn', testid: 'panel-clear', disabled: !operator, onclick: clear, title: operator ? 'Reset this task so the scheduler runs it again' : 'Operators may clear tasks' }, 'Clear'),
    h('label', { class: 'small checkbox' }, downstream, 'downstream'),
    h('span', { class: 'spacer' }),
    h('button', { class: 'btn btn-ok', testid: 'panel-mark-success', disabled: !operator, onclick: () => mark('success') }, 'Mark success'),
    h('button', { class: 'btn btn-danger', testid: 'panel-mark-failed', disabled: !operator, onclick: () => mark('failed') }, 'Mark failed'));

  const logSection = h('section', { class: 'panel-section' },
    h('div', { class: 'section-head' }, h('h3', null, 'Log'), h('label', { class: 'small' }, 'Try ', trySelect), log.status), log.el);

  fill(el, head, actions, actionsProblem, body, logSection);

  async function load() {
    const { runId, taskId } = current;
    const fresh = await api.get(`/runs/${enc(runId)}/tasks/${enc(taskId)}`);
    if (current?.runId !== runId || current?.taskId !== taskId) return;
    const changed = JSON.stringify(fresh) !== JSON.stringify(detail);
    detail = fresh;
    if (changed) draw();
    showLog();
  }

  function showLog() {
    const tries = (detail?.tries ?? []).map((t) => t.tryNumber);
    if (detail?.tryNumber && !tries.includes(detail.tryNumber) && detail.tryNumber > 0) tries.push(detail.tryNumber);
    tries.sort((a, b) => a - b);
    const options = tries.map(String).join(',');
    if (trySelect.dataset.options !== options) {
      trySelect.dataset.options = options;
      fill(trySelect, tries.map((n) => h('option', { value: n }, `#${n}`)));
    }
    const chosen = pinnedTry && tries.includes(pinnedTry) ? pinnedTry : tries.at(-1);
    if (!chosen) { fill(log.status, 'not started'); log.el.replaceChildren(); return; }
    trySelect.value = String(chosen);
    log.show(current.runId, current.taskId, chosen);
  }

  function draw() {
    const d = detail;
    fill(head,
      h('div', { class: 'panel-title' },
        h('div', null, h('span', { class: 'muted small' }, 'Task instance'), h('h2', { testid: 'panel-task' }, d.taskId)),
        h('button', { class: 'btn btn-ghost', testid: 'panel-close', 'aria-label': 'Close', onclick: () => onClose() }, '✕')),
      h('div', { class: 'panel-sub' }, h('span', { testid: 'panel-state', 'data-state': d.state }, badge(d.state)),
        h('span', { class: 'muted small mono' }, current.runId)));
    const latest = (d.tries ?? []).at(-1);
    fill(body,
      h('dl', { class: 'facts' },
        fact('Try', `${d.tryNumber} of ${d.maxTries}`), fact('Type', d.type), fact('Queue', d.queue),
        fact('Started', time(d.startedAt)), fact('Ended', time(d.endedAt)), fact('Duration', duration(d.durationMs)),
        fact('Reason', d.stateReason)),
      latest?.error ? h('section', { class: 'panel-section' }, h('h3', null, `Error (try ${latest.tryNumber})`),
        h('pre', { class: 'error-box', testid: 'panel-error' }, latest.error)) : null,
      h('section', { class: 'panel-section' }, h('h3', null, 'Tries'),
        (d.tries ?? []).length === 0 ? h('p', { class: 'muted small' }, 'Not started yet.') :
          h('table', { class: 'table table-compact', testid: 'panel-tries' },
            h('thead', null, h('tr', null, ['#', 'Started', 'Ended', 'Outcome', 'Host'].map((c) => h('th', null, c)))),
            h('tbody', null, d.tries.map((t) => h('tr', { class: 'clickable', onclick: () => { pinnedTry = t.tryNumber; showLog(); } },
              h('td', null, t.tryNumber), h('td', null, time(t.startedAt)), h('td', null, time(t.endedAt)),
              h('td', null, t.outcome ? badge(t.outcome) : '—'), h('td', { class: 'muted' }, t.hostname ?? '—')))))),
      h('section', { class: 'panel-section' }, h('h3', null, 'State history'),
        h('ol', { class: 'history', testid: 'panel-history' }, [...(d.history ?? [])].reverse().map((e) => h('li', null,
          h('span', { class: 'muted small' }, time(e.at)), ' ', badge(e.from), ' → ', badge(e.to),
          e.reason ? h('div', { class: 'small' }, e.reason) : null)))),
      d.output !== null && d.output !== undefined ? h('section', { class: 'panel-section' }, h('h3', null, 'Output'),
        h('pre', { class: 'code-block', testid: 'panel-output' }, json(d.output))) : null);
  }

  async function clear() {
    const withDown = downstream.checked;
    if (!await confirmDialog(`Clear ${current.taskId}${withDown ? ' and everything downstream' : ''} in ${current.runId}? It will run again.`, 'Clear')) return;
    await act(async () => {
      const r = await api.post(`/runs/${enc(current.runId)}/tasks/${enc(current.taskId)}/clear`, { downstream: withDown });
      toast(`Cleared ${r.cleared.length} task${r.cleared.length === 1 ? '' : 's'}: ${r.cleared.join(', ')}`);
      pinnedTry = null;
    });
  }

  async function mark(state) {
    if (!await confirmDialog(`Mark ${current.taskId} in ${current.runId} as ${state}?`, `Mark ${state}`, state === 'failed')) return;
    await act(async () => {
      await api.post(`/runs/${enc(current.runId)}/tasks/${enc(current.taskId)}/mark`, { state });
      toast(`${current.taskId} marked ${state}`);
    });
  }

  async function act(work) {
    fill(actionsProblem);
    try {
      await work();
      await load();
      onChanged();
    } catch (e) {
      fill(actionsProblem, problemBox(e, 'panel-problem'));
    }
  }

  return {
    el,
    async open(runId, taskId) {
      if (current?.runId === runId && current?.taskId === taskId) return;
      current = { runId, taskId };
      detail = null;
      pinnedTry = null;
      fill(actionsProblem);
      fill(head, h('div', { class: 'panel-title' }, h('h2', null, taskId), h('button', { class: 'btn btn-ghost', testid: 'panel-close', onclick: () => onClose() }, '✕')));
      fill(body, h('p', { class: 'muted' }, 'Loading…'));
      el.hidden = false;
      ticker?.stop();
      try { await load(); } catch (e) { fill(body, problemBox(e)); }
      // Live: poll the instance while it moves, and its log until the try has finished.
      ticker = poll(async () => {
        if (!current) return;
        if (isActive(detail?.state) || detail === null) await load(); else if (!log.finished) await log.pull();
      }, 1500);
    },
    close() {
      current = null;
      ticker?.stop();
      el.hidden = true;
    },
    /** The grid saw this instance in `state`: reload when that differs from what the panel shows (cleared elsewhere). */
    sync(state) {
      if (current && detail && state && state !== detail.state) load().catch(() => {});
    },
  };
}

function fact(label, value) {
  return [h('dt', null, label), h('dd', null, value === null || value === undefined || value === '' ? '—' : String(value))];
}
