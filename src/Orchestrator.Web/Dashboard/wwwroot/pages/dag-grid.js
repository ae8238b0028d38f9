// The grid: tasks down, runs across (oldest left, newest right, like Airflow). Each run's header bar is as tall as
// its duration; each cell is a task instance coloured by state. Polls update cells in place, so a panel stays open.
import { h, fill } from '../dom.js';
import { stateClass } from '../states.js';
import { time, duration } from '../format.js';

export function createGrid({ onCell, onRun }) {
  const table = h('table', { class: 'grid', testid: 'grid' });
  const el = h('div', { class: 'grid-wrap card' }, table);
  let shape = '';
  let cells = new Map(); // `${runIndex}|${taskIndex}` -> button
  let heads = [];
  let selected = { runId: null, taskId: null };
  let data = null;

  table.addEventListener('click', (e) => {
    const target = e.target.closest('[data-run]');
    if (!target || !data) return;
    const run = data.runs[Number(target.dataset.run)];
    if (target.dataset.task !== undefined) onCell(run, data.tasks[Number(target.dataset.task)]);
    else onRun(run);
  });

  function build(grid) {
    const maxMs = Math.max(1, ...grid.runs.map((r) => r.durationMs ?? 0));
    heads = grid.runs.map((run, r) => h('button', { class: 'run-bar-btn', 'data-run': r, testid: `grid-run-${run.runId}` },
      h('span', { class: 'run-bar' })));
    const head = h('tr', null, h('th', { class: 'task-col' }, h('span', { class: 'muted small' }, `${grid.tasks.length} tasks · ${grid.runs.length} runs`)),
      heads.map((b) => h('th', { class: 'run-col' }, b)));
    cells = new Map();
    const rows = grid.tasks.map((taskId, t) => h('tr', null,
      h('th', { class: 'task-col', title: taskId }, taskId),
      grid.runs.map((run, r) => {
        const cell = h('button', { class: 'cell', 'data-run': r, 'data-task': t, testid: `grid-cell-${run.runId}-${taskId}` });
        cells.set(`${r}|${t}`, cell);
        return h('td', null, cell);
      })));
    fill(table, h('thead', null, head), h('tbody', null, rows));
    if (grid.runs.length === 0) fill(table, h('tbody', null, h('tr', null, h('td', { class: 'muted center pad' }, 'No runs yet. Trigger one to see it here.'))));
    return maxMs;
  }

  function paint(grid, maxMs) {
    grid.runs.forEach((run, r) => {
      const btn = heads[r];
      btn.className = `run-bar-btn ${stateClass(run.state)}${run.runId === selected.runId ? ' selected' : ''}`;
      btn.dataset.state = run.state;
      btn.title = `${run.runId}\n${run.state} · ${run.runType}\nlogical ${time(run.logicalDate)}\n${duration(run.durationMs)}`;
      btn.firstChild.style.height = `${Math.max(12, Math.round(((run.durationMs ?? 0) / maxMs) * 56))}px`;
      grid.tasks.forEach((taskId, t) => {
        const state = grid.states[r]?.[t] ?? null;
        const cell = cells.get(`${r}|${t}`);
        const cls = `cell ${state === null ? 'absent' : stateClass(state)}${run.runId === selected.runId ? ' in-run' : ''}${run.runId === selected.runId && taskId === selected.taskId ? ' selected' : ''}`;
        if (cell.className !== cls) cell.className = cls;
        const st = state ?? 'absent';
        if (cell.dataset.state !== st) {
          cell.dataset.state = st;
          cell.title = `${taskId}\n${run.runId}\n${state ?? 'not in this DAG version'}`;
        }
      });
    });
  }

  let maxMs = 1;
  return {
    el,
    update(grid) {
      data = grid;
      const next = JSON.stringify([grid.tasks, grid.runs.map((r) => r.runId)]);
      if (next !== shape) { shape = next; maxMs = build(grid); }
      maxMs = Math.max(1, ...grid.runs.map((r) => r.durationMs ?? 0));
      paint(grid, maxMs);
    },
    select(runId, taskId) {
      selected = { runId, taskId };
      if (data) paint(data, maxMs);
    },
  };
}
