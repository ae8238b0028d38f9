// The "which run" select on the graph and Gantt tabs: the grid's runs, newest first.
import { h, fill } from '../dom.js';
import { shortTime } from '../format.js';

export function createRunPicker(onPick) {
  const select = h('select', { class: 'input input-small', testid: 'run-picker', onchange: () => onPick(select.value) });
  return {
    el: h('label', { class: 'small run-picker' }, 'Run ', select),
    set(runs, runId) {
      const list = [...(runs ?? [])].reverse();
      const key = list.map((r) => r.runId + r.state).join('|');
      if (select.dataset.key !== key) {
        select.dataset.key = key;
        fill(select, list.map((r) => h('option', { value: r.runId }, `${shortTime(r.logicalDate)} · ${r.runType} · ${r.state} — ${r.runId}`)));
      }
      if (runId) select.value = runId;
    },
  };
}
