// The paused switch on the DAGs table and the DAG page: PATCH isPaused (operator); a refusal is shown, not hidden.
import { h, enc } from '../dom.js';
import { api } from '../api.js';
import { showError, toast } from '../layout.js';

export function pauseToggle(dag, operator, changed) {
  const input = h('input', {
    type: 'checkbox', checked: !dag.isPaused, disabled: !operator, 'aria-label': `${dag.dagId} active`,
    onchange: async () => {
      input.disabled = true;
      try {
        const updated = await api.patch(`/dags/${enc(dag.dagId)}`, { isPaused: !input.checked });
        toast(`${dag.dagId} ${updated.isPaused ? 'paused' : 'unpaused'}`);
        await changed?.(updated);
      } catch (e) {
        input.checked = !input.checked;
        showError(e);
      } finally {
        input.disabled = !operator;
      }
    },
  });
  return h('label', {
    class: ['switch', operator ? null : 'disabled'], testid: 'pause-toggle', 'data-paused': String(Boolean(dag.isPaused)),
    title: operator ? (dag.isPaused ? 'Paused: click to unpause' : 'Active: click to pause') : 'Operators may pause DAGs',
  }, input, h('span', { class: 'slider' }));
}
