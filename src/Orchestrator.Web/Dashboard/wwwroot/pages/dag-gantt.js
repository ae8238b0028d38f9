// The Gantt chart of one run: a row per task, a bar per try on a shared time axis (earlier tries lighter), so the
// critical path and the slow or retried tasks stand out.
import { h, s, fill, enc } from '../dom.js';
import { api } from '../api.js';
import { stateClass, isActive, badge } from '../states.js';
import { time, duration } from '../format.js';
import { problemBox } from '../layout.js';
import { createRunPicker } from './run-picker.js';

const LABEL_W = 200, ROW_H = 24, BAR_H = 14, AXIS_H = 28, WIDTH = 1100, MAX_TRY_FETCHES = 40;

export function createGantt({ onBar, onRun }) {
  const picker = createRunPicker((runId) => onRun(runId));
  const summary = h('div', { class: 'gantt-summary' });
  const chart = h('div', { class: 'gantt-canvas', testid: 'gantt' });
  const problem = h('div');
  const el = h('div', null, h('div', { class: 'toolbar' }, picker.el, summary), problem, h('div', { class: 'card' }, chart));
  let shownRun = null;
  let last = null;
  const earlierTries = new Map(); // `${runId}|${taskId}|${tryNumber}` -> tries (fixed once the try has moved on)

  async function load(runId) {
    if (!runId) { fill(chart, h('p', { class: 'muted pad' }, 'No run to draw yet.')); return; }
    let run;
    try {
      run = await api.get(`/runs/${enc(runId)}`);
      fill(problem);
    } catch (e) {
      fill(problem, problemBox(e));
      return;
    }
    last = run;
    const retried = run.taskInstances.filter((ti) => ti.tryNumber > 1).slice(0, MAX_TRY_FETCHES);
    await Promise.all(retried.map(async (ti) => {
      const key = `${runId}|${ti.taskId}|${ti.tryNumber}`;
      if (earlierTries.has(key)) return;
      try {
        const d = await api.get(`/runs/${enc(runId)}/tasks/${enc(ti.taskId)}`);
        earlierTries.set(key, (d.tries ?? []).filter((t) => t.tryNumber < ti.tryNumber));
      } catch { /* the latest try is still drawn */ }
    }));
    draw(run);
  }

  function draw(run) {
    fill(summary, badge(run.state), h('span', { class: 'muted small' }, ` ${time(run.startedAt)} · ${duration(run.durationMs)}`));
    const now = Date.now();
    const bars = [];
    for (const ti of run.taskInstances) {
      const earlier = earlierTries.get(`${run.runId}|${ti.taskId}|${ti.tryNumber}`) ?? [];
      for (const t of earlier) if (t.startedAt) bars.push({ taskId: ti.taskId, start: Date.parse(t.startedAt), end: t.endedAt ? Date.parse(t.endedAt) : now, state: t.outcome ?? 'failed', tryNumber: t.tryNumber, old: true });
      if (ti.startedAt) bars.push({ taskId: ti.taskId, start: Date.parse(ti.startedAt), end: ti.endedAt ? Date.parse(ti.endedAt) : now, state: ti.state, tryNumber: ti.tryNumber, old: false });
    }
    if (bars.length === 0) { fill(chart, h('p', { class: 'muted pad' }, 'No task of this run has started yet.')); return; }
    const tasks = [...new Set(run.taskInstances.filter((ti) => ti.startedAt).sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt)).map((ti) => ti.taskId))];
    const t0 = Math.min(...bars.map((b) => b.start));
    const t1 = Math.max(t0 + 1000, ...bars.map((b) => b.end));
    const plotW = WIDTH - LABEL_W - 50; // room for the last tick's label
    const x = (t) => LABEL_W + ((t - t0) / (t1 - t0)) * plotW;
    const height = AXIS_H + tasks.length * ROW_H + 10;
    const row = new Map(tasks.map((t, i) => [t, i]));
    const ticks = niceTicks(t1 - t0).map((offset) => s('g', { class: 'tick' },
      s('line', { x1: x(t0 + offset), x2: x(t0 + offset), y1: AXIS_H - 4, y2: height }),
      s('text', { x: x(t0 + offset), y: AXIS_H - 10, 'text-anchor': 'middle' }, `+${duration(offset)}`)));
    const labels = tasks.map((t, i) => s('text', { class: 'gantt-label', x: LABEL_W - 8, y: AXIS_H + i * ROW_H + ROW_H / 2 + 4, 'text-anchor': 'end' }, t.length > 28 ? t.slice(0, 27) + '…' : t));
    const rects = bars.map((b) => {
      const rect = s('rect', {
        class: ['gantt-bar', stateClass(b.state), b.old ? 'old-try' : null], testid: `gantt-bar-${b.taskId}-${b.tryNumber}`,
        x: x(b.start), y: AXIS_H + row.get(b.taskId) * ROW_H + (ROW_H - BAR_H) / 2, width: Math.max(2, x(b.end) - x(b.start)), height: BAR_H, rx: 3,
      }, s('title', null, `${b.taskId} try ${b.tryNumber}: ${b.state}\n${time(new Date(b.start).toISOString())} → ${duration(b.end - b.start)}`));
      rect.addEventListener('click', () => onBar(run.runId, b.taskId));
      return rect;
    });
    fill(chart, s('svg', { viewBox: `0 0 ${WIDTH} ${height}`, width: '100%', class: 'gantt-svg' },
      tasks.map((t, i) => i % 2 ? s('rect', { class: 'stripe', x: 0, y: AXIS_H + i * ROW_H, width: WIDTH, height: ROW_H }) : null),
      s('g', null, ticks), s('g', null, labels), s('g', null, rects)));
  }

  return {
    el,
    show(runId, grid) { picker.set(grid?.runs, runId); shownRun = runId; return load(runId); },
    refresh(runId, grid) {
      picker.set(grid?.runs, runId);
      if (runId !== shownRun || (last && isActive(last.state))) { shownRun = runId; return load(runId); }
      return null;
    },
  };
}

/** About six round offsets (ms) across a span. */
function niceTicks(span) {
  const steps = [100, 250, 500, 1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5, 18e5, 36e5, 72e5, 144e5, 864e5];
  const step = steps.find((st) => span / st <= 8) ?? 864e5;
  const out = [];
  for (let t = 0; t <= span; t += step) out.push(t);
  return out;
}
