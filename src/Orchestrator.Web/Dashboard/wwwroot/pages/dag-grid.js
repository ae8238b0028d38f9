// The grid: tasks down, runs across (oldest left, newest right, like Airflow). Each run's header bar is as tall as
// its duration; each cell is a task instance coloured by state. Polls update cells in place, so a panel stays open.
// Big DAGs (thousands of tasks) only get the rows in view, so the page stays quick however large the DAG.
import { h, fill } from '../dom.js';
import { stateClass } from '../states.js';
import { time, duration } from '../format.js';

const ROW_H = 22; // must match `.grid tbody tr` height in style.css
const ALL_ROWS_UP_TO = 300; // smaller DAGs render every row (simplest DOM, every cell findable)
const OVERSCAN = 15;

export function createGrid({ onCell, onRun }) {
  const table = h('table', { class: 'grid', testid: 'grid' });
  const el = h('div', { class: 'grid-wrap card' }, table);
  const body = document.createElement('tbody');
  let shape = '';
  let cells = new Map(); // runIndex * taskCount + taskIndex -> cell, for the rows in the DOM
  let heads = [];
  let windowKey = '';
  let selected = { runId: null, taskId: null };
  let data = null;
  let maxMs = 1;

  // Tooltips are written when the pointer arrives, not for every cell up front.
  table.addEventListener('mouseover', (e) => {
    const cell = e.target.closest('.cell');
    if (!cell || !data) return;
    const run = data.runs[Number(cell.dataset.run)];
    cell.title = `${data.tasks[Number(cell.dataset.task)]}\n${run?.runId}\n${cell.dataset.state === 'absent' ? 'not in this DAG version' : cell.dataset.state}`;
  });

  table.addEventListener('click', (e) => {
    const target = e.target.closest('[data-run]');
    if (!target || !data) return;
    const run = data.runs[Number(target.dataset.run)];
    if (target.dataset.task !== undefined) {
      if (target.dataset.state !== 'absent') onCell(run, data.tasks[Number(target.dataset.task)]);
    } else onRun(run);
  });

  let scrollPending = false;
  el.addEventListener('scroll', () => {
    if (scrollPending || !data || data.tasks.length <= ALL_ROWS_UP_TO) return;
    scrollPending = true;
    requestAnimationFrame(() => { scrollPending = false; drawRows(); paint(); });
  });

  function buildHead(grid) {
    heads = grid.runs.map((run, r) => h('button', { class: 'run-bar-btn', 'data-run': r, testid: `grid-run-${run.runId}` }, h('span', { class: 'run-bar' })));
    const head = h('tr', null, h('th', { class: 'task-col' }, h('span', { class: 'muted small' }, `${grid.tasks.length} tasks · ${grid.runs.length} runs`)),
      heads.map((b) => h('th', { class: 'run-col' }, b)));
    if (grid.runs.length === 0) {
      fill(table, h('tbody', null, h('tr', null, h('td', { class: 'muted center pad' }, 'No runs yet. Trigger one to see it here.'))));
      return;
    }
    fill(table, h('thead', null, head), body);
    windowKey = '';
  }

  /** The rows in view (all of them for smaller DAGs), with spacer rows standing in for the rest. */
  function drawRows() {
    const total = data.tasks.length;
    let first = 0;
    let last = total;
    if (total > ALL_ROWS_UP_TO) {
      const top = Math.max(0, el.scrollTop - 70); // the header is about 70 px tall
      first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
      last = Math.min(total, Math.ceil((top + (el.clientHeight || 800)) / ROW_H) + OVERSCAN);
    }
    const key = `${first}-${last}`;
    if (key === windowKey) return;
    windowKey = key;
    cells = new Map();
    const fragment = document.createDocumentFragment();
    if (first > 0) fragment.append(spacer(first));
    for (let t = first; t < last; t++) {
      const taskId = data.tasks[t];
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      th.className = 'task-col';
      th.textContent = taskId;
      tr.append(th);
      data.runs.forEach((run, r) => {
        const td = document.createElement('td');
        const cell = document.createElement('i');
        cell.className = 'cell';
        cell.dataset.run = r;
        cell.dataset.task = t;
        cell.dataset.testid = `grid-cell-${run.runId}-${taskId}`;
        td.append(cell);
        tr.append(td);
        cells.set(r * total + t, cell);
      });
      fragment.append(tr);
    }
    if (last < total) fragment.append(spacer(total - last));
    body.replaceChildren(fragment);
  }

  function spacer(rows) {
    const tr = document.createElement('tr');
    tr.className = 'spacer-row';
    tr.style.height = `${rows * ROW_H}px`;
    const td = document.createElement('td');
    td.colSpan = data.runs.length + 1;
    tr.append(td);
    return tr;
  }

  function paint() {
    const grid = data;
    const total = grid.tasks.length;
    grid.runs.forEach((run, r) => {
      const btn = heads[r];
      btn.className = `run-bar-btn ${stateClass(run.state)}${run.runId === selected.runId ? ' selected' : ''}`;
      btn.dataset.state = run.state;
      btn.title = `${run.runId}\n${run.state} · ${run.runType}\nlogical ${time(run.logicalDate)}\n${duration(run.durationMs)}`;
      btn.firstChild.style.height = `${Math.max(12, Math.round(((run.durationMs ?? 0) / maxMs) * 56))}px`;
    });
    for (const [index, cell] of cells) {
      const r = Math.floor(index / total);
      const t = index % total;
      const inRun = grid.runs[r].runId === selected.runId;
      const state = grid.states[r]?.[t] ?? null;
      const cls = `cell ${state === null ? 'absent' : stateClass(state)}${inRun ? ' in-run' : ''}${inRun && grid.tasks[t] === selected.taskId ? ' selected' : ''}`;
      if (cell.className !== cls) cell.className = cls;
      const st = state ?? 'absent';
      if (cell.dataset.state !== st) cell.dataset.state = st;
    }
  }

  return {
    el,
    update(grid) {
      data = grid;
      const next = JSON.stringify([grid.tasks, grid.runs.map((r) => r.runId)]);
      if (next !== shape) { shape = next; buildHead(grid); }
      if (grid.runs.length === 0) return;
      maxMs = Math.max(1, ...grid.runs.map((r) => r.durationMs ?? 0));
      drawRows();
      paint();
    },
    select(runId, taskId) {
      selected = { runId, taskId };
      if (data?.runs.length) paint();
    },
  };
}
