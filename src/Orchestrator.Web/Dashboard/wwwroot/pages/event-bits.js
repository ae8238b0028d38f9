// Small pieces every monitoring view shares: how an event reads in a sentence, links to runs, the runs an event
// triggered as state dots, and an alert's target and severity.
import { h, enc } from '../dom.js';
import { stateClass } from '../states.js';

/** "drift on taxi_fare", "new version of dataset trips", "etl succeeded". */
export function eventPhrase(kind, subject) {
  if (kind === 'drift') return `drift on ${subject}`;
  if (kind === 'dataset') return `new version of dataset ${subject}`;
  if (kind === 'dagSucceeded') return `${subject} succeeded`;
  return `${kind} ${subject}`;
}

export function runHref(dagId, runId, taskId) {
  return `/dags/${enc(dagId)}?run=${enc(runId)}${taskId ? `&task=${enc(taskId)}` : ''}`;
}

/** The DAG page of an event or alert's run (and task), or a dash. */
export function runLink(dagId, runId, taskId, testid) {
  if (!dagId) return h('span', { class: 'muted' }, '—');
  if (!runId) return h('a', { href: `/dags/${enc(dagId)}`, testid }, dagId);
  return h('a', { href: runHref(dagId, runId, taskId), class: 'run-ref', testid, title: runId },
    h('b', null, dagId), h('span', { class: 'mono small muted' }, ` ${runId}${taskId ? ' · ' + taskId : ''}`));
}

/** The runs an event created: a coloured dot and the DAG name each, linking to the run on its DAG page. */
export function triggeredRuns(runs) {
  if (!runs?.length) return h('span', { class: 'muted small' }, 'none');
  return h('div', { class: 'triggered' }, runs.map((r) => h('a', {
    class: 'triggered-run', href: runHref(r.dagId, r.runId), testid: `triggered-run-${r.runId}`, 'data-state': r.state,
    title: `${r.runId}\n${r.state}`,
  }, h('i', { class: ['dot', stateClass(r.state)] }), r.dagId)));
}

/** A webhook target as declared: `{"connection": NAME}` or `{"url": …}` (its query already masked by the server). */
export function alertTarget(target) {
  if (!target) return h('span', { class: 'muted small' }, 'recorded only');
  if (typeof target === 'object' && target.connection) return h('span', null, h('span', { class: 'muted small' }, 'connection '), h('code', null, target.connection));
  if (typeof target === 'object' && target.url) return h('code', { class: 'small' }, target.url);
  return h('code', { class: 'small' }, typeof target === 'string' ? target : JSON.stringify(target));
}

export function severityTag(severity) {
  const s = String(severity ?? 'info').toLowerCase().replace(/[^a-z]/g, '');
  return h('span', { class: ['sev', 'sev-' + s], 'data-severity': s }, s);
}

export function alertStateTag(state) {
  const s = String(state ?? '').toLowerCase().replace(/[^a-z]/g, '');
  return h('span', { class: ['alert-state', 'alert-' + s], 'data-state': s }, s);
}
