// `/monitoring` — what happened around the pipelines: events (drift, new dataset versions, DAG successes) with the
// run that emitted each and the runs each triggered, and alerts with where they went. `?event=N` opens one event.
import { h, fill, qs, setQuery, enc } from '../dom.js';
import { api, query, isMissingRoute } from '../api.js';
import { title, pager, problemBox } from '../layout.js';
import { time, ago, json } from '../format.js';
import { poll } from '../poll.js';
import { eventPhrase, runLink, triggeredRuns, alertTarget, severityTag, alertStateTag } from './event-bits.js';

const LIMIT = 25;
const EVENT_KINDS = ['', 'drift', 'dataset', 'dagSucceeded'];
const ALERT_STATES = ['', 'recorded', 'pending', 'sent', 'failed'];

export async function render(main) {
  title('Monitoring');
  const view = {
    kind: EVENT_KINDS.includes(qs('kind')) ? qs('kind') : '',
    alertState: ALERT_STATES.includes(qs('alertState')) ? qs('alertState') : '',
    eventOffset: 0, alertOffset: 0, eventId: qs('event'),
  };
  const chosen = h('div');
  const events = listBox('events');
  const alerts = listBox('alerts');
  const kindSelect = select('event-kind', EVENT_KINDS, view.kind, 'every kind', (v) => { view.kind = v; view.eventOffset = 0; setQuery({ kind: v }); refresh(); });
  const stateSelect = select('alert-state', ALERT_STATES, view.alertState, 'every state', (v) => { view.alertState = v; view.alertOffset = 0; setQuery({ alertState: v }); refresh(); });

  fill(main,
    h('div', { class: 'page-head' }, h('h1', null, 'Monitoring')),
    h('p', { class: 'muted' }, 'Events trigger runs of the DAGs that listen for them; alerts tell people when something needs a look.'),
    chosen,
    h('section', { class: 'card' },
      h('div', { class: 'section-head pad-head' }, h('h2', null, 'Events'), h('label', { class: 'small' }, 'Kind ', kindSelect)),
      events.problem, events.body, events.foot),
    h('section', { class: 'card' },
      h('div', { class: 'section-head pad-head' }, h('h2', null, 'Alerts'), h('label', { class: 'small' }, 'State ', stateSelect)),
      alerts.problem, alerts.body, alerts.foot));

  async function refresh() {
    await Promise.all([refreshEvents(), refreshAlerts(), refreshChosen()]);
  }

  async function refreshEvents() {
    await load(events, `/events${query({ kind: view.kind, offset: view.eventOffset, limit: LIMIT })}`, (page) => {
      fill(events.body, page.items.length === 0 ? h('p', { class: 'muted pad', testid: 'events-empty' }, 'No events yet.') : eventsTable(page.items, view.eventId));
      fill(events.foot, pager(page.total, page.offset, LIMIT, (o) => { view.eventOffset = o; refreshEvents(); }));
    }, 'Events are not available on this server.');
  }

  async function refreshAlerts() {
    await load(alerts, `/alerts${query({ state: view.alertState, offset: view.alertOffset, limit: LIMIT })}`, (page) => {
      fill(alerts.body, page.items.length === 0 ? h('p', { class: 'muted pad', testid: 'alerts-empty' }, 'No alerts yet.') : alertsTable(page.items));
      fill(alerts.foot, pager(page.total, page.offset, LIMIT, (o) => { view.alertOffset = o; refreshAlerts(); }));
    }, 'Alerts are not available on this server.');
  }

  async function refreshChosen() {
    if (!view.eventId) { fill(chosen); return; }
    try {
      const e = await api.get(`/events/${enc(view.eventId)}`);
      const key = JSON.stringify(e);
      if (chosen.dataset.key === key) return;
      chosen.dataset.key = key;
      fill(chosen, eventCard(e, () => { view.eventId = null; setQuery({ event: null }); chosen.dataset.key = ''; refresh(); }));
    } catch (e) {
      chosen.dataset.key = '';
      fill(chosen, problemBox(e, 'event-problem'));
    }
  }

  await refresh();
  poll(refresh, 2000);
}

/** A list's slots; `load` fills them and redraws only when the answer changed (no flicker under polling). */
function listBox(name) {
  return { name, problem: h('div'), body: h('div', { testid: `${name}-list` }), foot: h('div', { class: 'pad-foot' }), key: null };
}

async function load(box, path, draw, unavailable) {
  try {
    const page = await api.get(path);
    fill(box.problem);
    const key = JSON.stringify(page);
    if (box.key === key) return;
    box.key = key;
    draw(page);
  } catch (e) {
    box.key = null;
    if (isMissingRoute(e)) {
      fill(box.problem);
      fill(box.body, h('p', { class: 'muted pad', testid: `${box.name}-unavailable` }, unavailable));
      fill(box.foot);
    } else fill(box.problem, problemBox(e));
  }
}

function select(testid, values, current, allLabel, onchange) {
  const el = h('select', { class: 'input input-small', testid, onchange: () => onchange(el.value) },
    values.map((v) => h('option', { value: v }, v || allLabel)));
  el.value = current;
  return el;
}

function eventsTable(items, chosenId) {
  return h('table', { class: 'table table-compact', testid: 'events-table' },
    h('thead', null, h('tr', null, ['#', 'Event', 'When', 'Emitted by', 'Triggered runs'].map((c) => h('th', null, c)))),
    h('tbody', null, items.map((e) => h('tr', { testid: `event-row-${e.id}`, class: String(e.id) === String(chosenId) ? 'chosen' : null, 'data-kind': e.kind },
      h('td', null, h('a', { href: `/monitoring?event=${enc(e.id)}`, testid: 'event-open' }, `#${e.id}`)),
      h('td', null, h('span', { class: ['tag', 'kind-' + e.kind] }, e.kind), ' ', h('b', { testid: 'event-subject' }, e.subject),
        h('div', { class: 'muted small' }, eventSummary(e))),
      h('td', { title: time(e.createdAt) }, time(e.createdAt), h('div', { class: 'muted small' }, ago(e.createdAt))),
      h('td', null, runLink(e.source?.dagId, e.source?.runId, e.source?.taskId, 'event-source')),
      h('td', null, e.deliveredAt ? triggeredRuns(e.triggeredRuns) : h('span', { class: 'muted small', testid: 'event-pending' }, 'not delivered yet'))))));
}

/** One line of what the payload says, for the kinds we know. */
function eventSummary(e) {
  const p = e.payload ?? {};
  if (e.kind === 'drift') {
    const share = typeof p.share === 'number' ? `${(p.share * 100).toFixed(0)}% of features drifted` : '';
    const features = Array.isArray(p.driftedFeatures) && p.driftedFeatures.length ? `: ${p.driftedFeatures.join(', ')}` : '';
    return [p.version ? `v${p.version}` : null, p.reason, share + features].filter(Boolean).join(' · ');
  }
  if (e.kind === 'dataset' && p.version !== undefined) return `version ${p.version}`;
  return '';
}

function eventCard(e, onClose) {
  return h('section', { class: 'card pad', testid: 'event-detail', 'data-event': e.id },
    h('div', { class: 'section-head' }, h('h2', null, `Event #${e.id}: ${eventPhrase(e.kind, e.subject)}`), h('span', { class: 'spacer' }),
      h('button', { class: 'btn btn-ghost btn-small', testid: 'event-detail-close', onclick: onClose }, '✕')),
    h('dl', { class: 'facts wide' },
      h('dt', null, 'When'), h('dd', null, time(e.createdAt)),
      h('dt', null, 'Emitted by'), h('dd', null, runLink(e.source?.dagId, e.source?.runId, e.source?.taskId, 'event-detail-source')),
      h('dt', null, 'Delivered'), h('dd', null, e.deliveredAt ? time(e.deliveredAt) : 'not yet'),
      h('dt', null, 'Triggered'), h('dd', null, triggeredRuns(e.triggeredRuns))),
    h('h3', null, 'Payload'), h('pre', { class: 'code-block', testid: 'event-payload' }, json(e.payload)));
}

function alertsTable(items) {
  return h('table', { class: 'table table-compact', testid: 'alerts-table' },
    h('thead', null, h('tr', null, ['When', 'Kind', 'Severity', 'Message', 'State', 'Target', 'Where'].map((c) => h('th', null, c)))),
    h('tbody', null, items.map((a) => h('tr', { testid: `alert-row-${a.id}`, 'data-kind': a.kind },
      h('td', { title: time(a.createdAt) }, time(a.createdAt), h('div', { class: 'muted small' }, ago(a.createdAt))),
      h('td', null, h('span', { class: 'tag' }, a.kind)),
      h('td', null, severityTag(a.severity)),
      h('td', { class: 'alert-message' }, a.message),
      h('td', null, alertStateTag(a.state), a.attempts ? h('div', { class: 'muted small' }, `${a.attempts} attempt${a.attempts === 1 ? '' : 's'}`) : null,
        a.lastError ? h('div', { class: 'error-text small', title: a.lastError }, a.lastError) : null,
        a.sentAt ? h('div', { class: 'muted small' }, `sent ${time(a.sentAt)}`) : null),
      h('td', null, alertTarget(a.target)),
      h('td', null, runLink(a.dagId, a.runId, a.taskId, 'alert-run'),
        a.eventId ? h('div', null, h('a', { href: `/monitoring?event=${enc(a.eventId)}`, class: 'small', testid: 'alert-event' }, `event #${a.eventId}`)) : null)))));
}
