// `/models/{name}` — versions with metrics, a chart of one metric across versions, aliases with their history,
// and lineage back to the DAG run and dataset version that made each version; then its monitoring (model-monitoring.js).
import { h, fill, enc, qs, setQuery } from '../dom.js';
import { api, can } from '../api.js';
import { title, pageProblem, problemBox, toast } from '../layout.js';
import { time, number, cell } from '../format.js';
import { lineChart } from '../charts.js';
import { aliasChips } from './models.js';
import { createMonitoring } from './model-monitoring.js';

export async function render(main, name) {
  title(name);
  let model;
  try {
    model = await api.get(`/models/${enc(name)}`);
  } catch (e) {
    pageProblem(main, e);
    return;
  }
  const admin = await can('admin');
  let versions = model.versions ?? [];
  const metricNames = [...new Set(versions.flatMap((v) => Object.keys(v.metrics ?? {})))].sort();
  const chartSlot = h('div');
  const metricSelect = h('select', { class: 'input input-small', testid: 'metric-select', onchange: () => drawChart(metricSelect.value) },
    metricNames.map((m) => h('option', { value: m }, m)));
  const history = h('div');
  const aliasBox = h('div', { class: 'chips' });
  const versionsSlot = h('div');
  const monitoring = createMonitoring(name);

  function drawChart(metric) {
    setQuery({ metric });
    const ordered = [...versions].sort((a, b) => a.version - b.version);
    fill(chartSlot, metric ? lineChart(ordered.map((v) => ({ label: `v${v.version}`, value: v.metrics?.[metric] })), { testid: 'metric-chart', name: metric })
      : h('p', { class: 'muted', testid: 'metric-chart' }, 'No metrics recorded.'));
  }

  async function drawHistory() {
    const aliases = Object.keys(model.aliases ?? {});
    fill(aliasBox, aliasChips(model.aliases), aliases.length === 0 ? h('span', { class: 'muted' }, 'No aliases.') : null);
    const lists = await Promise.all(aliases.map((a) => api.get(`/models/${enc(name)}/aliases/${enc(a)}/history`).catch(() => [])));
    const entries = lists.flat().sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
    fill(history, entries.length === 0 ? h('p', { class: 'muted small' }, 'No alias moves recorded.') :
      h('table', { class: 'table table-compact', testid: 'alias-history' },
        h('thead', null, h('tr', null, ['When', 'Alias', 'Version', 'By', 'Reason'].map((c) => h('th', null, c)))),
        h('tbody', null, entries.map((e) => h('tr', null, h('td', null, time(e.at)), h('td', null, h('b', null, e.alias)),
          h('td', null, e.previousVersion ? `v${e.previousVersion} → v${e.version}` : `v${e.version}`), h('td', null, e.by ?? '—'), h('td', null, e.reason ?? ''))))));
  }

  fill(main,
    h('div', { class: 'crumbs' }, h('a', { href: '/models' }, 'Models'), ' / '),
    h('div', { class: 'page-head' }, h('h1', { testid: 'model-name' }, model.name), h('a', { href: '#monitoring', class: 'small', testid: 'monitoring-anchor' }, 'Monitoring ↓')),
    model.description ? h('p', { class: 'muted' }, model.description) : null,
    h('div', { class: 'two-col' },
      h('section', { class: 'card pad' }, h('div', { class: 'section-head' }, h('h2', null, 'Metric across versions'), metricNames.length ? h('label', { class: 'small' }, 'Metric ', metricSelect) : null), chartSlot),
      h('section', { class: 'card pad' }, h('h2', null, 'Aliases'), aliasBox, admin ? aliasForm() : null, h('h3', null, 'History'), history)),
    h('section', { class: 'card' }, h('h2', { class: 'pad' }, 'Versions'), versionsSlot),
    monitoring.el);
  fill(versionsSlot, versionsTable());

  function versionsTable() {
    return h('table', { class: 'table', testid: 'model-versions' },
      h('thead', null, h('tr', null, h('th', null, 'Version'), h('th', null, 'Created'), h('th', null, 'Aliases'),
        metricNames.map((m) => h('th', { class: 'num' }, m)), h('th', null, 'Lineage'))),
      h('tbody', null, versions.map((v) => h('tr', { testid: `model-version-${v.version}` },
        h('td', null, h('b', null, `v${v.version}`)), h('td', null, time(v.createdAt)),
        h('td', null, (v.aliases ?? []).map((a) => h('span', { class: 'chip' }, a))),
        metricNames.map((m) => h('td', { class: 'num', title: cell(v.metrics?.[m]) }, number(v.metrics?.[m]))),
        h('td', null, lineage(v.lineage))))));
  }

  function aliasForm() {
    const alias = h('input', { class: 'input input-small', placeholder: 'alias', testid: 'alias-name', value: 'production' });
    const version = h('select', { class: 'input input-small', testid: 'alias-version' }, versions.map((v) => h('option', { value: v.version }, `v${v.version}`)));
    const reason = h('input', { class: 'input input-small', placeholder: 'reason', testid: 'alias-reason' });
    const problem = h('div');
    return h('form', { class: 'inline-form', testid: 'alias-form', onsubmit: async (e) => {
      e.preventDefault();
      fill(problem);
      try {
        await api.put(`/models/${enc(name)}/aliases/${enc(alias.value.trim())}`, { version: Number(version.value), reason: reason.value });
        toast(`${alias.value} → v${version.value}`, 'ok');
        model = await api.get(`/models/${enc(name)}`);
        versions = model.versions ?? [];
        fill(versionsSlot, versionsTable()); // its Aliases column moved too
        await drawHistory();
      } catch (err) {
        fill(problem, problemBox(err, 'alias-problem'));
      }
    } }, alias, version, reason, h('button', { class: 'btn btn-small btn-primary', testid: 'alias-submit' }, 'Move alias'), problem);
  }

  drawChart(metricNames.includes(qs('metric')) ? qs('metric') : metricNames[0]);
  if (metricNames.includes(qs('metric'))) metricSelect.value = qs('metric');
  await Promise.all([drawHistory().catch((e) => fill(history, problemBox(e))), monitoring.start()]);
}

export function lineage(l) {
  if (!l) return '—';
  return h('div', { class: 'lineage small' },
    l.dagId && l.runId ? h('a', { href: `/dags/${enc(l.dagId)}?run=${enc(l.runId)}${l.taskId ? `&task=${enc(l.taskId)}` : ''}`, testid: 'lineage-run' }, `${l.dagId} · ${l.taskId ?? ''}`) : null,
    l.datasetName ? h('a', { href: `/datasets/${enc(l.datasetName)}/${enc(l.datasetVersion)}`, testid: 'lineage-dataset' }, `${l.datasetName} v${l.datasetVersion}`) : null,
    l.trackingRunId ? h('span', { class: 'muted' }, `tracking ${l.trackingRunId}`) : null);
}
