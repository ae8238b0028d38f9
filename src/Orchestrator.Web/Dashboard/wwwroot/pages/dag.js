// `/dags/{dagId}` — one DAG: header with schedule, version, paused switch and trigger; tabs Grid, Graph, Gantt,
// Code, Trigger. The tab, the chosen run and the open task live in the query string so the view is linkable.
import { h, fill, qs, setQuery, enc } from '../dom.js';
import { api, can } from '../api.js';
import { title, pageProblem, problemBox } from '../layout.js';
import { badge, legend } from '../states.js';
import { time, ago, duration } from '../format.js';
import { poll } from '../poll.js';
import { pauseToggle } from './pause-toggle.js';
import { createGrid } from './dag-grid.js';
import { createPanel } from './task-panel.js';
import { createGraph } from './dag-graph.js';
import { createGantt } from './dag-gantt.js';
import { createCode } from './dag-code.js';
import { createTrigger } from './dag-trigger.js';
import { runEventLine } from './run-event.js';

const TABS = [['grid', 'Grid'], ['graph', 'Graph'], ['gantt', 'Gantt'], ['code', 'Code'], ['trigger', 'Trigger']];

export async function render(main, dagId) {
  title(dagId);
  let dag;
  try {
    dag = await api.get(`/dags/${enc(dagId)}`);
  } catch (e) {
    pageProblem(main, e);
    return;
  }
  const operator = await can('operator');
  const view = { tab: TABS.some(([t]) => t === qs('tab')) ? qs('tab') : 'grid', runId: qs('run'), taskId: qs('task') };
  let grid = null;

  const header = h('div', { class: 'dag-head' });
  const tabs = h('div', { class: 'tabs', role: 'tablist' });
  const content = h('div', { class: 'tab-content' });
  const problem = h('div');
  const runInfo = h('div', { class: 'run-info', testid: 'run-info' });
  const panel = createPanel({ operator, onChanged: () => ticker.now(), onClose: () => selectTask(null, null) });
  const gridView = createGrid({ onCell: (run, taskId) => selectTask(run.runId, taskId), onRun: (run) => selectRun(run.runId) });
  const graphView = createGraph({ dagId, onNode: (runId, taskId) => selectTask(runId, taskId), onRun: (runId) => selectRun(runId) });
  const ganttView = createGantt({ onBar: (runId, taskId) => selectTask(runId, taskId), onRun: (runId) => selectRun(runId) });
  const views = {
    grid: { el: h('div', null, runInfo, gridView.el, h('div', { class: 'grid-foot' }, legend())) },
    graph: graphView, gantt: ganttView, code: createCode(dag), trigger: createTrigger(dag, operator, onTriggered),
  };

  fill(main, h('div', { class: 'with-panel' }, h('div', { class: 'main-col' }, header, tabs, problem, content), panel.el));
  drawHeader();
  drawTabs();

  function drawHeader() {
    fill(header,
      h('div', { class: 'crumbs' }, h('a', { href: '/' }, 'DAGs'), ' / '),
      h('div', { class: 'dag-title' },
        pauseToggle(dag, operator, (updated) => { dag = { ...dag, ...updated }; drawHeader(); }),
        h('h1', { testid: 'dag-id' }, dag.dagId),
        dag.isPaused ? h('span', { class: 'tag', testid: 'dag-paused' }, 'paused') : null,
        h('span', { class: 'spacer' }),
        h('button', { class: 'btn btn-primary', testid: 'trigger-button', disabled: !operator,
          title: operator ? 'Trigger a run with a conf' : 'Operators may trigger runs', onclick: () => selectTab('trigger') }, '▶ Trigger')),
      dag.description ? h('p', { class: 'muted' }, dag.description) : null,
      h('div', { class: 'facts-row' },
        factItem('Schedule', h('code', null, dag.schedule ?? 'None')),
        factItem('Next run', dag.nextRunAt ? `${time(dag.nextRunAt)} (${ago(dag.nextRunAt)})` : '—'),
        factItem('Version', dag.latestVersion ?? '—'),
        factItem('Max active runs', dag.maxActiveRuns ?? '—'),
        factItem('Tasks', dag.tasks?.length ?? '—'),
        factItem('File', h('code', { class: 'small' }, dag.filePath ?? '—')),
        latestRun() ? factItem('Latest run', badge(latestRun().state)) : null));
  }

  function latestRun() {
    return grid?.runs?.at(-1) ?? null;
  }

  function drawTabs() {
    fill(tabs, TABS.map(([id, label]) => h('button', {
      class: ['tab', view.tab === id ? 'active' : null], role: 'tab', testid: `tab-${id}`, onclick: () => selectTab(id),
    }, label)));
    fill(content, views[view.tab].el);
    views[view.tab].show?.(view.runId ?? latestRun()?.runId ?? null, grid);
  }

  function selectTab(tab) {
    view.tab = tab;
    setQuery({ tab: tab === 'grid' ? null : tab });
    drawTabs();
  }

  /** The chosen run (or the latest) in one line above the grid: what it is, how it went, where to look next. */
  function drawRunInfo() {
    const run = grid?.runs?.find((r) => r.runId === view.runId) ?? latestRun();
    const key = JSON.stringify(run ?? null);
    if (runInfo.dataset.key === key) return; // unchanged: keep the strip as it is (no flicker under polling)
    runInfo.dataset.key = key;
    if (!run) { fill(runInfo); return; }
    fill(runInfo, badge(run.state), h('span', { class: 'mono small' }, run.runId),
      h('span', { class: 'muted small' }, `${run.runType} · logical ${time(run.logicalDate)} · started ${time(run.startedAt)} · ${duration(run.durationMs)}`),
      runEventLine(run),
      h('span', { class: 'spacer' }),
      h('button', { class: 'btn btn-small', testid: 'run-gantt', onclick: () => { view.runId = run.runId; setQuery({ run: run.runId }); selectTab('gantt'); } }, 'Gantt'),
      h('button', { class: 'btn btn-small', testid: 'run-graph', onclick: () => { view.runId = run.runId; setQuery({ run: run.runId }); selectTab('graph'); } }, 'Graph'));
  }

  function selectRun(runId) {
    view.runId = runId;
    setQuery({ run: runId });
    drawRunInfo();
    gridView.select(view.runId, view.taskId);
    views[view.tab].show?.(runId, grid);
  }

  function selectTask(runId, taskId) {
    view.runId = runId ?? view.runId;
    view.taskId = taskId;
    setQuery({ run: view.runId, task: taskId });
    gridView.select(view.runId, taskId);
    drawRunInfo();
    if (taskId && runId) panel.open(runId, taskId); else panel.close();
    if (runId && view.tab !== 'grid') views[view.tab].show?.(runId, grid);
  }

  async function onTriggered(run) {
    await ticker.now();
    selectTab('grid');
    selectTask(run.runId, null); // show the new run's column; an open panel belonged to another run
  }

  async function refresh() {
    try {
      const before = latestRun()?.state;
      grid = await api.get(`/dags/${enc(dagId)}/grid?limit=25`);
      fill(problem);
      gridView.update(grid);
      gridView.select(view.runId, view.taskId);
      drawRunInfo();
      if (latestRun()?.state !== before) drawHeader();
      views[view.tab].refresh?.(view.runId ?? latestRun()?.runId ?? null, grid);
      const r = grid.runs.findIndex((run) => run.runId === view.runId);
      const t = grid.tasks.indexOf(view.taskId);
      if (r >= 0 && t >= 0) panel.sync(grid.states[r]?.[t]);
    } catch (e) {
      fill(problem, problemBox(e));
    }
  }

  await refresh();
  drawHeader();
  views[view.tab].show?.(view.runId ?? latestRun()?.runId ?? null, grid);
  if (view.taskId && view.runId) panel.open(view.runId, view.taskId);
  const ticker = poll(refresh, 2000);
}

function factItem(label, value) {
  return h('div', { class: 'fact' }, h('span', { class: 'fact-label' }, label), h('span', { class: 'fact-value' }, value));
}
