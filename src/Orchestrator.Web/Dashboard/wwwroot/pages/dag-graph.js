// The graph: the API's topological layers become columns (roots left), `order` the row in a column; edges are
// curves from a task to its downstream tasks; nodes take the colour of their state in the chosen run.
import { h, s, fill, enc } from '../dom.js';
import { api } from '../api.js';
import { stateClass, isActive, legend } from '../states.js';
import { problemBox } from '../layout.js';
import { createRunPicker } from './run-picker.js';

const COL = 220, NODE_W = 170, NODE_H = 36, ROW = 52, PAD = 20;

export function createGraph({ dagId, onNode, onRun }) {
  const picker = createRunPicker((runId) => onRun(runId));
  const canvas = h('div', { class: 'graph-canvas', testid: 'graph' });
  const problem = h('div');
  const el = h('div', null, h('div', { class: 'toolbar' }, picker.el, h('span', { class: 'spacer' }), legend()), problem, h('div', { class: 'card graph-card' }, canvas));
  let shown = { runId: undefined, version: null, key: null };
  let nodes = new Map(); // taskId -> <g>
  let graph = null;

  async function load(runId) {
    try {
      graph = await api.get(`/dags/${enc(dagId)}/graph${runId ? `?runId=${enc(runId)}` : ''}`);
      fill(problem);
    } catch (e) {
      fill(problem, problemBox(e));
      return;
    }
    const key = `${graph.version}|${graph.nodes.length}|${graph.edges.length}`;
    if (key !== shown.key) { draw(graph); shown.key = key; }
    paint(graph);
  }

  function draw(g) {
    const layers = Math.max(g.layerCount ?? 0, ...g.nodes.map((n) => n.layer + 1));
    const rows = Math.max(1, ...g.nodes.map((n) => n.order + 1));
    const width = PAD * 2 + (layers - 1) * COL + NODE_W;
    const height = PAD * 2 + (rows - 1) * ROW + NODE_H;
    const pos = new Map(g.nodes.map((n) => [n.taskId, { x: PAD + n.layer * COL, y: PAD + n.order * ROW }]));
    const edges = g.edges.filter((e) => pos.has(e.from) && pos.has(e.to)).map((e) => {
      const a = pos.get(e.from), b = pos.get(e.to);
      const x1 = a.x + NODE_W, y1 = a.y + NODE_H / 2, x2 = b.x, y2 = b.y + NODE_H / 2, mid = (x1 + x2) / 2;
      return s('path', { class: 'edge', d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2 - 6},${y2}`, 'marker-end': 'url(#arrow)' });
    });
    nodes = new Map();
    const nodeEls = g.nodes.map((n) => {
      const p = pos.get(n.taskId);
      const label = n.taskId.length > 22 ? n.taskId.slice(0, 21) + '…' : n.taskId;
      const node = s('g', { class: 'node', transform: `translate(${p.x},${p.y})`, testid: `graph-node-${n.taskId}`, tabindex: 0 },
        s('title', null, `${n.taskId} (${n.type})`),
        s('rect', { width: NODE_W, height: NODE_H, rx: 6 }),
        s('rect', { class: 'node-state', width: 6, height: NODE_H, rx: 3 }),
        s('text', { x: 14, y: 15, class: 'node-label' }, label),
        s('text', { x: 14, y: 29, class: 'node-type' }, n.type));
      node.addEventListener('click', () => graph?.runId && onNode(graph.runId, n.taskId));
      nodes.set(n.taskId, node);
      return node;
    });
    fill(canvas, s('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: 'graph-svg' },
      s('defs', null, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 4, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse' },
        s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow' }))),
      s('g', null, edges), s('g', null, nodeEls)));
  }

  function paint(g) {
    for (const n of g.nodes) {
      const node = nodes.get(n.taskId);
      if (!node) continue;
      const cls = `node ${stateClass(n.state ?? 'none')}`;
      if (node.getAttribute('class') !== cls) node.setAttribute('class', cls);
      node.dataset.state = n.state ?? 'none';
    }
  }

  return {
    el,
    show(runId, grid) {
      picker.set(grid?.runs, runId);
      shown.runId = runId;
      return load(runId);
    },
    refresh(runId, grid) {
      picker.set(grid?.runs, runId);
      const run = grid?.runs?.find((r) => r.runId === runId);
      if (runId !== shown.runId || !graph || isActive(run?.state) || graph.nodes.some((n) => isActive(n.state))) {
        shown.runId = runId;
        return load(runId);
      }
      return null;
    },
  };
}
